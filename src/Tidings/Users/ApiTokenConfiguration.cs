using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Tidings.Users;

public sealed class ApiTokenConfiguration : IEntityTypeConfiguration<ApiToken>
{
    public void Configure(EntityTypeBuilder<ApiToken> b)
    {
        b.ToTable("api_tokens", t => t.HasCheckConstraint("ck_api_tokens_kind", "kind IN ('session', 'personal')"));
        b.Property(x => x.Kind).HasMaxLength(20);
        b.Property(x => x.Name).HasMaxLength(100);
        b.Property(x => x.TokenHash).HasMaxLength(64);
        b.Property(x => x.IpAddress).HasMaxLength(50);
        b.Property(x => x.UserAgent).HasMaxLength(500);
        b.HasOne(x => x.User).WithMany()
            .HasForeignKey(x => new { x.BusinessId, x.UserId })
            .OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(x => new { x.BusinessId, x.TokenHash }).IsUnique().HasDatabaseName("ix_api_tokens_hash");
        b.HasIndex(x => new { x.BusinessId, x.UserId }).HasDatabaseName("ix_api_tokens_user");
        // What ExpiredTokenCleanup deletes, business by business.
        b.HasIndex(x => new { x.BusinessId, x.ExpiresAt }).HasDatabaseName("ix_api_tokens_expiry");
    }
}
