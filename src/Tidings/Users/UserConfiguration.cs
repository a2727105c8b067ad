using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Tidings.Users;

public sealed class UserConfiguration : IEntityTypeConfiguration<User>
{
    public void Configure(EntityTypeBuilder<User> b)
    {
        b.ToTable("users", t => t.HasCheckConstraint("ck_users_role", "role IN ('owner', 'admin', 'member', 'viewer')"));
        b.Property(x => x.Email).HasMaxLength(320);
        b.Property(x => x.NormalizedEmail).HasMaxLength(320);
        b.Property(x => x.DisplayName).HasMaxLength(200);
        b.Property(x => x.Role).HasMaxLength(20);
        b.Property(x => x.TimeZone).HasMaxLength(64).HasDefaultValue("UTC");
        b.Property(x => x.PasswordHash).HasMaxLength(500);
        b.HasIndex(x => x.NormalizedEmail).IsUnique().HasFilter("NOT is_deleted").HasDatabaseName("ix_users_email_unique");
        b.HasIndex(x => new { x.BusinessId, x.IsDeleted });
    }
}
