using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Tidings.Data.Auditing;
using Tidings.Data.Tenancy;

namespace Tidings.Legacy;

/// <summary>
/// Which new row an old integer id became (table, old id, new id): old links resolve through it, and a
/// second import of the same file finds every row already there and writes nothing.
/// </summary>
public sealed class LegacyIdMapping : ITenantOwned, ICreatedAt
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid BusinessId { get; set; }
    /// <summary>The old table ("users", "clients", "events"), or "missing_clients" for the placeholder standing in for a hard-deleted client.</summary>
    public required string TableName { get; init; }
    public long OldId { get; init; }
    public Guid NewId { get; init; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>
/// An old value that could not be carried into its new column as it was (too long, out of range,
/// unparseable, reshaped, normalised): the original, whole, next to the row it belongs to. Nothing in the
/// old file is lost; the import report points here. An unusable old password is the exception: it may be
/// in clear, so only its shape is written ("withheld: plaintext, 11 characters").
/// </summary>
public sealed class LegacyValue : ITenantOwned, ICreatedAt
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid BusinessId { get; set; }
    public required string TableName { get; init; }
    public Guid RecordId { get; init; }
    public long? OldId { get; init; }
    public required string ColumnName { get; init; }
    /// <summary>The old value as text; null when the old value was NULL.</summary>
    public string? OriginalValue { get; init; }
    public required string Reason { get; init; }
    public DateTime CreatedAt { get; set; }
}

public sealed class LegacyIdMappingConfiguration : IEntityTypeConfiguration<LegacyIdMapping>
{
    public void Configure(EntityTypeBuilder<LegacyIdMapping> b)
    {
        b.ToTable("legacy_id_map");
        b.Property(x => x.TableName).HasMaxLength(50);
        b.HasIndex(x => new { x.BusinessId, x.TableName, x.OldId }).IsUnique().HasDatabaseName("ix_legacy_id_map_old");
    }
}

public sealed class LegacyValueConfiguration : IEntityTypeConfiguration<LegacyValue>
{
    public void Configure(EntityTypeBuilder<LegacyValue> b)
    {
        b.ToTable("legacy_values");
        b.Property(x => x.TableName).HasMaxLength(50);
        b.Property(x => x.ColumnName).HasMaxLength(50);
        b.Property(x => x.Reason).HasMaxLength(50);
        b.HasIndex(x => new { x.BusinessId, x.TableName, x.RecordId }).HasDatabaseName("ix_legacy_values_record");
    }
}
