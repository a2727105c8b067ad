using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Tidings.Data.Auditing;

public sealed class PlatformAuditLogConfiguration : IEntityTypeConfiguration<PlatformAuditLog>
{
    public void Configure(EntityTypeBuilder<PlatformAuditLog> b)
    {
        AuditLogConfiguration.ConfigureEntry(b, "platform_audit_logs");
        b.HasIndex(x => x.CreatedAt).HasDatabaseName("ix_platform_audit_logs_created");
    }
}
