using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Tidings.Tags;

public sealed class TagConfiguration : IEntityTypeConfiguration<Tag>
{
    public void Configure(EntityTypeBuilder<Tag> b)
    {
        b.ToTable("tags", t => t.HasCheckConstraint("ck_tags_color", "color IS NULL OR length(color) = 7"));
        b.Property(x => x.Name).HasMaxLength(100);
        b.Property(x => x.Color).HasMaxLength(7);
        // Unique among live tags only, so a deleted tag's name can be used again.
        b.HasIndex(x => new { x.BusinessId, x.Name }).IsUnique().HasFilter("NOT is_deleted").HasDatabaseName("ix_tags_business_name");
    }
}

public sealed class ClientTagConfiguration : IEntityTypeConfiguration<ClientTag>
{
    public void Configure(EntityTypeBuilder<ClientTag> b)
    {
        b.ToTable("client_tags");
        b.HasOne(x => x.Client).WithMany(c => c.ClientTags)
            .HasForeignKey(x => new { x.BusinessId, x.ClientId }).OnDelete(DeleteBehavior.Cascade);
        b.HasOne(x => x.Tag).WithMany()
            .HasForeignKey(x => new { x.BusinessId, x.TagId }).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(x => new { x.BusinessId, x.ClientId, x.TagId }).IsUnique().HasDatabaseName("ix_client_tags_unique");
        b.HasIndex(x => new { x.BusinessId, x.TagId }).HasDatabaseName("ix_client_tags_tag");
    }
}

public sealed class EventTagConfiguration : IEntityTypeConfiguration<EventTag>
{
    public void Configure(EntityTypeBuilder<EventTag> b)
    {
        b.ToTable("event_tags");
        b.HasOne(x => x.Event).WithMany(e => e.EventTags)
            .HasForeignKey(x => new { x.BusinessId, x.EventId }).OnDelete(DeleteBehavior.Cascade);
        b.HasOne(x => x.Tag).WithMany()
            .HasForeignKey(x => new { x.BusinessId, x.TagId }).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(x => new { x.BusinessId, x.EventId, x.TagId }).IsUnique().HasDatabaseName("ix_event_tags_unique");
        b.HasIndex(x => new { x.BusinessId, x.TagId }).HasDatabaseName("ix_event_tags_tag");
    }
}
