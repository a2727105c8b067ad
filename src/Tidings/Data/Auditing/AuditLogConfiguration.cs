using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Tidings.Businesses;
using Tidings.Users;

namespace Tidings.Data.Auditing;

public sealed class AuditLogConfiguration : IEntityTypeConfiguration<AuditLog>
{
    public void Configure(EntityTypeBuilder<AuditLog> b)
    {
        b.ToTable("audit_logs", t => t.HasCheckConstraint(
            "ck_audit_logs_action", "action IN ('CREATE', 'UPDATE', 'DELETE', 'RESTORE', 'PURGE', 'PLATFORM_SCOPE', 'IMPORT')"));
        b.Property(x => x.ActorName).HasMaxLength(200);
        b.Property(x => x.TableName).HasMaxLength(100);
        b.Property(x => x.RecordId).HasMaxLength(100);
        b.Property(x => x.Action).HasMaxLength(20);
        b.Property(x => x.IpAddress).HasMaxLength(50);
        b.Property(x => x.UserAgent).HasMaxLength(500);

        // business_id first, as in every tenant table: the key a table distributed by business needs.
        b.HasKey(x => new { x.BusinessId, x.Id });
        b.HasOne<Business>().WithMany().HasForeignKey(x => x.BusinessId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<User>().WithMany()
            .HasForeignKey(x => new { x.BusinessId, x.UserId })
            .OnDelete(DeleteBehavior.Restrict);

        b.HasIndex(x => new { x.BusinessId, x.CreatedAt }).HasDatabaseName("ix_audit_logs_business_created");
        b.HasIndex(x => new { x.BusinessId, x.TableName, x.RecordId }).HasDatabaseName("ix_audit_logs_business_record");
        b.HasIndex(x => new { x.BusinessId, x.UserId }).HasDatabaseName("ix_audit_logs_business_user");
    }
}
