using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Tidings.Businesses;
using Tidings.Users;

namespace Tidings.Data.Auditing;

public sealed class AuditLogConfiguration : IEntityTypeConfiguration<AuditLog>
{
    public void Configure(EntityTypeBuilder<AuditLog> b)
    {
        ConfigureEntry(b, "audit_logs");

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

    /// <summary>What both audit tables share: the columns of an entry, and the actions it may record.</summary>
    internal static void ConfigureEntry<T>(EntityTypeBuilder<T> b, string table) where T : class
    {
        b.ToTable(table, t => t.HasCheckConstraint(
            $"ck_{table}_action", "action IN ('CREATE', 'UPDATE', 'DELETE', 'RESTORE', 'PURGE', 'PLATFORM_SCOPE', 'IMPORT')"));
        b.Property<string>(nameof(AuditLog.ActorName)).HasMaxLength(200);
        b.Property<string>(nameof(AuditLog.TableName)).HasMaxLength(100);
        b.Property<string>(nameof(AuditLog.RecordId)).HasMaxLength(100);
        b.Property<string>(nameof(AuditLog.Action)).HasMaxLength(20);
        b.Property<string?>(nameof(AuditLog.IpAddress)).HasMaxLength(50);
        b.Property<string?>(nameof(AuditLog.UserAgent)).HasMaxLength(500);
    }
}
