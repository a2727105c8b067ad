using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Tidings.Monitoring;

public sealed class SourceConfiguration : IEntityTypeConfiguration<Source>
{
    public void Configure(EntityTypeBuilder<Source> b)
    {
        b.ToTable("sources", t =>
        {
            t.HasCheckConstraint("ck_sources_kind", "kind IN ('feed', 'website', 'news_search')");
            t.HasCheckConstraint("ck_sources_keep", "keep IN ('all', 'mentions')");
        });
        b.Property(x => x.Kind).HasMaxLength(20);
        b.Property(x => x.Url).HasMaxLength(Source.MaxUrlLength);
        b.Property(x => x.FeedUrl).HasMaxLength(Source.MaxUrlLength);
        b.Property(x => x.Title).HasMaxLength(200);
        b.Property(x => x.Keep).HasMaxLength(20);
        b.Property(x => x.ETag).HasMaxLength(500);
        b.Property(x => x.LastModified).HasMaxLength(100);
        b.Property(x => x.LastError).HasMaxLength(Source.MaxErrorLength);
        b.Property(x => x.StoppedReason).HasMaxLength(Source.MaxErrorLength);
        b.Property(x => x.ClaimedBy).HasMaxLength(200);
        b.HasOne(x => x.Client).WithMany()
            .HasForeignKey(x => new { x.BusinessId, x.ClientId }).OnDelete(DeleteBehavior.Cascade);
        // The claim of due work: a business's live, running sources by due time.
        b.HasIndex(x => new { x.BusinessId, x.NextDueAt }).HasFilter("NOT is_deleted AND stopped_at IS NULL")
            .HasDatabaseName("ix_sources_business_due");
        b.HasIndex(x => new { x.BusinessId, x.ClientId }).HasDatabaseName("ix_sources_business_client");
        b.HasIndex(x => new { x.BusinessId, x.CreatedByUserId }).HasFilter("created_by_user_id IS NOT NULL");
        b.HasIndex(x => new { x.BusinessId, x.DeletedByUserId }).HasFilter("deleted_by_user_id IS NOT NULL");
    }
}
