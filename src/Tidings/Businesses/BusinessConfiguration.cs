using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Tidings.Businesses;

public sealed class BusinessConfiguration : IEntityTypeConfiguration<Business>
{
    public void Configure(EntityTypeBuilder<Business> b)
    {
        b.ToTable("businesses", t =>
        {
            t.HasCheckConstraint("ck_businesses_threshold", "notification_relevance_threshold >= 0 AND notification_relevance_threshold <= 1");
            t.HasCheckConstraint("ck_businesses_review_threshold", "review_confidence_threshold >= 0 AND review_confidence_threshold <= 1");
            t.HasCheckConstraint("ck_businesses_token_lifetime",
                $"max_token_lifetime_days >= 1 AND max_token_lifetime_days <= {Business.LongestMaxTokenLifetimeDays}");
        });
        b.Property(x => x.Name).HasMaxLength(200);
        b.Property(x => x.Slug).HasMaxLength(100);
        b.HasIndex(x => x.Slug).IsUnique();
    }
}
