using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Tidings.Classification;

public sealed class ClassificationExampleConfiguration : IEntityTypeConfiguration<ClassificationExample>
{
    public void Configure(EntityTypeBuilder<ClassificationExample> b)
    {
        b.ToTable("classification_examples");
        b.Property(x => x.Category).HasMaxLength(50);
        b.Property(x => x.Subcategory).HasMaxLength(50);
        b.Property(x => x.Title).HasMaxLength(500);
        b.Property(x => x.ClientName).HasMaxLength(200);
        b.HasOne(x => x.Event).WithMany()
            .HasForeignKey(x => new { x.BusinessId, x.EventId }).OnDelete(DeleteBehavior.Cascade);
        // One live example per event: a second correction relabels it.
        b.HasIndex(x => new { x.BusinessId, x.EventId }).IsUnique().HasFilter("NOT is_deleted").HasDatabaseName("ix_classification_examples_business_event");
        b.HasIndex(x => new { x.BusinessId, x.UpdatedAt }).HasDatabaseName("ix_classification_examples_business_updated");
    }
}
