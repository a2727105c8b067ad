using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Tidings.Categories;

public sealed class CategoryConfiguration : IEntityTypeConfiguration<Category>
{
    public void Configure(EntityTypeBuilder<Category> b)
    {
        b.ToTable("categories", t =>
        {
            t.HasCheckConstraint("ck_categories_signal", "signal IN ('growth', 'risk', 'neutral')");
            t.HasCheckConstraint("ck_categories_weight", "weight >= 0 AND weight <= 1");
            t.HasCheckConstraint("ck_categories_key", "length(key) > 0");
        });
        b.Property(x => x.Key).HasMaxLength(Category.MaxKeyLength);
        b.Property(x => x.Name).HasMaxLength(Category.MaxNameLength);
        b.Property(x => x.Description).HasMaxLength(Category.MaxDescriptionLength);
        b.Property(x => x.Signal).HasMaxLength(16);
        b.HasOne(x => x.Parent).WithMany()
            .HasForeignKey(x => new { x.BusinessId, x.ParentId }).OnDelete(DeleteBehavior.Restrict);
        // Unique among live categories only, so a retired category's key can be used again.
        b.HasIndex(x => new { x.BusinessId, x.Key }).IsUnique().HasFilter("NOT is_deleted").HasDatabaseName("ix_categories_business_key");
        b.HasIndex(x => new { x.BusinessId, x.ParentId }).HasDatabaseName("ix_categories_business_parent");
    }
}
