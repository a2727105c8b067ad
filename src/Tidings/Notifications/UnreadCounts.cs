using Microsoft.EntityFrameworkCore;
using Tidings.Data;

namespace Tidings.Notifications;

/// <summary>
/// The navigation bar's unread-notification count, kept per person for <see cref="Lifetime"/>: every page shows it, and
/// counting it for each one was a visible share of the feed page's time (docs/web.md). A save through this process that adds, changes or removes
/// a person's notification, and read-all (which writes past the change tracker and says so itself), forgets that person's
/// count, so what they do shows at once; a notification another Tidings process writes shows within the lifetime. The API's
/// own count (GET /api/notifications/unread-count) is always counted afresh.
/// </summary>
public sealed class UnreadCounts(TimeProvider clock) : IDisposable
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(10);

    private static readonly Versions<Guid> UserVersions = new();

    private readonly KeptAnswers<Guid, int> _kept = new(UserVersions, Lifetime, maxEntries: 100_000, clock);

    public Task<int> CountAsync(TidingsDbContext db, Guid userId, CancellationToken ct) =>
        _kept.GetAsync(userId, () => NotificationsApi.CountUnreadAsync(db, userId, ct));

    /// <summary>For a change made past the change tracker (read-all's batched updates).</summary>
    public static void Forget(Guid userId) => UserVersions.MoveOn([userId]);

    public void Dispose() => _kept.Dispose();

    /// <summary>The people whose notifications a save adds, changes or removes.</summary>
    public sealed class Invalidation : SaveSignal<Guid>
    {
        public static readonly Invalidation Instance = new();

        protected override void Collect(DbContext context, HashSet<Guid> changed)
        {
            foreach (var entry in context.ChangeTracker.Entries<Notification>())
                if (entry.State is EntityState.Added or EntityState.Modified or EntityState.Deleted)
                    changed.Add(entry.Entity.UserId);
        }

        protected override void Signal(IReadOnlyCollection<Guid> changed) => UserVersions.MoveOn(changed);
    }
}
