using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Tidings.Businesses;
using Tidings.Data.SoftDelete;
using Tidings.Data.Tenancy;

namespace Tidings.Data.Auditing;

/// <summary>
/// One audit_logs row per inserted, updated, soft-deleted, restored or purged row, added to the same
/// SaveChanges and so to the same transaction: if the audit row cannot be written, neither is the change.
/// Values are the changed columns only, by column name; secret and private columns are masked (<see cref="AuditMasking"/>).
/// </summary>
internal static class AuditTrail
{
    public static List<AuditLog> Describe(ChangeTracker changes, IReadOnlySet<object> purges, CurrentActor actor, DateTime now)
    {
        var logs = new List<AuditLog>();
        foreach (var entry in changes.Entries())
        {
            if (entry.Entity is AuditLog or PlatformAuditLog or INotAudited)
                continue;
            var log = entry.State switch
            {
                EntityState.Added => Entry(entry, AuditActions.Create, entry.Properties.Where(p => p.CurrentValue is not null), withOld: false, withNew: true),
                EntityState.Deleted => Entry(entry, purges.Contains(entry.Entity) ? AuditActions.Purge : AuditActions.Delete, entry.Properties, withOld: true, withNew: false),
                EntityState.Modified => Modified(entry),
                _ => null,
            };
            if (log is null)
                continue;
            logs.Add(Attribute(log, entry.Entity switch
            {
                ITenantOwned owned => owned.BusinessId,
                Business business => business.Id,
                _ => throw new InvalidOperationException($"{entry.Metadata.ClrType.Name} belongs to no business: its changes have no audit table."),
            }, actor, now));
        }
        return logs;
    }

    /// <summary>Who made the change, from where and when: the same on every entry of one save.</summary>
    public static AuditLog Attribute(AuditLog log, Guid businessId, CurrentActor actor, DateTime now)
    {
        log.BusinessId = businessId;
        log.ActorName = actor.Name;
        log.UserId = actor.UserId is { } userId && businessId == actor.UserBusinessId ? userId : null;
        log.IpAddress = actor.IpAddress;
        log.UserAgent = actor.UserAgent;
        log.CreatedAt = now;
        return log;
    }

    /// <summary>A platform scope opened for a business: the business's own trail records it.</summary>
    public static AuditLog PlatformScopeEntry(string name, Guid businessId, CurrentActor actor, DateTime now) => new()
    {
        BusinessId = businessId,
        UserId = businessId == actor.UserBusinessId ? actor.UserId : null,
        ActorName = actor.Name,
        TableName = "platform",
        RecordId = name,
        Action = AuditActions.PlatformScope,
        IpAddress = actor.IpAddress,
        UserAgent = actor.UserAgent,
        CreatedAt = now,
    };

    /// <summary>A platform scope opened for no business (a sign-up, a login, an operator's verb).</summary>
    public static PlatformAuditLog PlatformScopeEntry(string name, CurrentActor actor, DateTime now) => new()
    {
        ActorName = actor.Name,
        TableName = "platform",
        RecordId = name,
        Action = AuditActions.PlatformScope,
        IpAddress = actor.IpAddress,
        UserAgent = actor.UserAgent,
        CreatedAt = now,
    };

    private static AuditLog? Modified(EntityEntry entry)
    {
        var changed = entry.Properties
            .Where(p => p.IsModified && !p.HoldsOriginalValue() && p.Metadata.Name != nameof(ITimestamped.UpdatedAt))
            .ToList();
        if (changed.Count == 0)
            return null;
        var deletedFlag = changed.FirstOrDefault(p => p.Metadata.Name == nameof(ISoftDeletable.IsDeleted));
        var action = deletedFlag is null ? AuditActions.Update
            : (bool)deletedFlag.CurrentValue! ? AuditActions.Delete : AuditActions.Restore;
        return Entry(entry, action, changed, withOld: true, withNew: true);
    }

    private static AuditLog Entry(EntityEntry entry, string action, IEnumerable<PropertyEntry> properties, bool withOld, bool withNew)
    {
        var list = properties.ToList();
        return new AuditLog
        {
            ActorName = "",
            TableName = entry.Metadata.GetTableName()!,
            RecordId = entry.Property("Id").CurrentValue!.ToString()!,
            Action = action,
            OldValues = withOld ? Json(list, p => p.OriginalValue) : null,
            NewValues = withNew ? Json(list, p => p.CurrentValue) : null,
            ChangedFields = JsonSerializer.Serialize(list.Select(p => p.Metadata.GetColumnName())),
        };
    }

    private static string Json(List<PropertyEntry> properties, Func<PropertyEntry, object?> value) =>
        JsonSerializer.Serialize(properties.ToDictionary(
            p => p.Metadata.GetColumnName(),
            p => value(p) is not null && AuditMasking.MaskOf(p.Metadata) is { } mask ? mask : value(p)));
}
