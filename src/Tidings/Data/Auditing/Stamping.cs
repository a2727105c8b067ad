using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Tidings.Data.SoftDelete;
using Tidings.Events;

namespace Tidings.Data.Auditing;

/// <summary>
/// created_at, updated_at and created_by_user_id belong to the server: whatever a caller set is
/// overwritten on insert and put back on update. updated_at moves only when something really changed.
/// </summary>
internal static class Stamping
{
    public static void BeforeSave(ChangeTracker changes, CurrentActor actor, DateTime now)
    {
        foreach (var entry in changes.Entries())
        {
            if (entry.State == EntityState.Added)
                StampInsert(entry, actor, now);
            else if (entry.State == EntityState.Modified)
                StampUpdate(entry, now);
        }
    }

    private static void StampInsert(EntityEntry entry, CurrentActor actor, DateTime now)
    {
        if (entry.Entity is ICreatedAt created)
            created.CreatedAt = now;
        if (entry.Entity is ITimestamped timestamped)
            timestamped.UpdatedAt = now;
        if (entry.Entity is ICreatedBy createdBy)
            createdBy.CreatedByUserId = actor.UserIdIn(entry.Entity);
        if (entry.Entity is ISoftDeletable deletable && deletable.IsDeleted)
        {
            deletable.DeletedAt ??= now;
            deletable.DeletedByUserId = actor.UserIdIn(entry.Entity);
        }
        if (entry.Entity is Event { DiscoveredAt.Ticks: 0 } ev)
            ev.DiscoveredAt = now;
    }

    private static void StampUpdate(EntityEntry entry, DateTime now)
    {
        foreach (var name in new[] { nameof(ICreatedAt.CreatedAt), nameof(ITimestamped.UpdatedAt), nameof(ICreatedBy.CreatedByUserId) })
        {
            if (entry.Metadata.FindProperty(name) is null)
                continue;
            var property = entry.Property(name);
            property.CurrentValue = property.OriginalValue;
            property.IsModified = false;
        }
        if (entry.Entity is ITimestamped timestamped && entry.Properties.Any(p => p.IsModified && !p.HoldsOriginalValue()))
            timestamped.UpdatedAt = now;
    }
}
