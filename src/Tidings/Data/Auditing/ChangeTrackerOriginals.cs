using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace Tidings.Data.Auditing;

/// <summary>
/// A row attached from outside (Update, Remove or Attach of an object built by the caller) comes with no
/// knowledge of what the database holds, so its original values are read from the database before the
/// save: the audit then records the real old values, an update that changes nothing writes nothing,
/// and a row that does not exist in this business is refused instead of written blind.
/// </summary>
internal static class ChangeTrackerOriginals
{
    public static async Task LoadWhereUnknownAsync(ChangeTracker changes, CancellationToken ct)
    {
        foreach (var entry in changes.Entries().ToList())
        {
            if (entry.Entity is AuditLog or PlatformAuditLog || !OriginalsUnknown(entry))
                continue;
            var stored = await entry.GetDatabaseValuesAsync(ct)
                ?? throw new DbUpdateConcurrencyException(
                    $"{entry.Metadata.ClrType.Name} {KeyText(entry)} does not exist in this business.");
            entry.OriginalValues.SetValues(stored);
            if (entry.State != EntityState.Modified)
                continue;
            foreach (var property in entry.Properties)
                property.IsModified = !property.Metadata.IsPrimaryKey() && !property.HoldsOriginalValue();
            if (!entry.Properties.Any(p => p.IsModified))
                entry.State = EntityState.Unchanged;
        }
    }

    private static bool OriginalsUnknown(EntityEntry entry) => entry.State switch
    {
        // A tracked query result removed by a feature has true originals, but a stub does not, and the
        // two look alike from here; deletes are rare, so always check against the database.
        EntityState.Deleted => true,
        // Change detection only flags a property whose value differs from the snapshot; a flagged
        // property equal to its snapshot means the snapshot was never the database's (Update()).
        EntityState.Modified => entry.Properties.Any(p => p.IsModified && p.HoldsOriginalValue()),
        _ => false,
    };

    public static string KeyText(EntityEntry entry) =>
        string.Join(",", entry.Metadata.FindPrimaryKey()!.Properties.Select(p => entry.Property(p.Name).CurrentValue));
}

internal static class PropertyEntryExtensions
{
    /// <summary>Compares with the property's own comparer, so two equal keyword lists are equal.</summary>
    public static bool HoldsOriginalValue(this PropertyEntry property) =>
        property.Metadata.GetValueComparer().Equals(property.OriginalValue, property.CurrentValue);
}
