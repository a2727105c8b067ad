using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Tidings.Data.Auditing;
using Tidings.Events;
using Tidings.Interactions;
using Tidings.Notifications;
using Tidings.Tags;

namespace Tidings.Data.SoftDelete;

/// <summary>
/// Deleting a client, event, tag or user hides it; the named "SoftDelete" filter keeps it out of every
/// read until a feature asks for deleted rows explicitly (the tenant filter stays on). Rows that hang
/// off a deleted row (a client's events, tag links, interactions and notifications about hidden events)
/// are hidden through it rather than flagged one by one, so restoring the parent brings back exactly
/// what it hid: an event deleted on its own before stays deleted.
/// </summary>
public static class SoftDeleteRules
{
    public const string Filter = "SoftDelete";

    internal static void Configure(ModelBuilder modelBuilder)
    {
        foreach (var clr in modelBuilder.Model.GetEntityTypes().Select(t => t.ClrType)
                     .Where(t => typeof(ISoftDeletable).IsAssignableFrom(t) && t != typeof(Event)).ToList())
        {
            var row = System.Linq.Expressions.Expression.Parameter(clr, "row");
            var live = System.Linq.Expressions.Expression.Not(
                System.Linq.Expressions.Expression.Property(row, nameof(ISoftDeletable.IsDeleted)));
            modelBuilder.Entity(clr).HasQueryFilter(Filter, System.Linq.Expressions.Expression.Lambda(live, row));
        }
        modelBuilder.Entity<Event>().HasQueryFilter(Filter, e => !e.IsDeleted && !e.Client!.IsDeleted);
        modelBuilder.Entity<ClientTag>().HasQueryFilter(Filter, ct => !ct.Tag!.IsDeleted && !ct.Client!.IsDeleted);
        modelBuilder.Entity<EventTag>().HasQueryFilter(Filter, et => !et.Tag!.IsDeleted && !et.Event!.IsDeleted);
        modelBuilder.Entity<EventUserInteraction>().HasQueryFilter(Filter, i => !i.Event!.IsDeleted);
        // A joined row hidden by its own filters comes back as null, and the condition then excludes the notification.
        modelBuilder.Entity<Notification>().HasQueryFilter(Filter, n =>
            (n.RelatedEventId == null || !n.RelatedEvent!.IsDeleted) && (n.RelatedClientId == null || !n.RelatedClient!.IsDeleted));
    }

    internal static void BeforeSave(ChangeTracker changes, IReadOnlySet<object> purges, CurrentActor actor, DateTime now)
    {
        foreach (var entry in changes.Entries<ISoftDeletable>().Where(e => e.State == EntityState.Deleted).ToList())
        {
            if (purges.Contains(entry.Entity))
                continue;
            // A delete writes the three soft-delete columns and nothing else the caller's object may hold.
            entry.CurrentValues.SetValues(entry.OriginalValues);
            entry.State = EntityState.Unchanged;
            if (entry.Entity.IsDeleted)
                continue; // already deleted: nothing to write, nothing to audit
            entry.Property(e => e.IsDeleted).CurrentValue = true;
            entry.Property(e => e.DeletedAt).CurrentValue = now;
            entry.Property(e => e.DeletedByUserId).CurrentValue = actor.UserIdIn(entry.Entity);
        }
    }
}
