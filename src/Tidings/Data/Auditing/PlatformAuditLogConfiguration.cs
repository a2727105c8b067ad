using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Tidings.Data.Auditing;

public sealed class PlatformAuditLogConfiguration : IEntityTypeConfiguration<PlatformAuditLog>
{
    public void Configure(EntityTypeBuilder<PlatformAuditLog> b)
    {
        b.ToTable("platform_audit_logs", t => t.HasCheckConstraint(
            "ck_platform_audit_logs_action", "action IN ('CREATE', 'UPDATE', 'DELETE', 'RESTORE', 'PURGE', 'PLATFORM_SCOPE', 'IMPORT')"));
        b.Property(x => x.ActorName).HasMaxLength(200);
        b.Property(x => x.TableName).HasMaxLength(100);
        b.Property(x => x.RecordId).HasMaxLength(100);
        b.Property(x => x.Action).HasMaxLength(20);
        b.Property(x => x.IpAddress).HasMaxLength(50);
        b.Property(x => x.UserAgent).HasMaxLength(500);
        b.HasIndex(x => x.CreatedAt).HasDatabaseName("ix_platform_audit_logs_created");
    }
}
