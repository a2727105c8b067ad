using System.Buffers.Text;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Tidings.Data;
using Tidings.Events;
using Tidings.Users;

namespace Tidings.Notifications;

/// <summary>What decides one person's notifications: their preference row, or the defaults when they have none.</summary>
public sealed record EffectivePreferences(Guid UserId, IReadOnlySet<string> Kinds, string Clients, IReadOnlySet<Guid> TagIds,
    double? MinRelevance, IReadOnlySet<string>? Categories)
{
    public bool Wants(string kind) => Kinds.Contains(kind);

    /// <summary>Whether a client is one they follow: assigned to them, carrying one of their tags, or any.</summary>
    public bool Follows(Guid clientId, Guid? assigneeId, ILookup<Guid, Guid> clientTags) => Clients switch
    {
        NotificationScopes.All => true,
        NotificationScopes.Tagged => clientTags[clientId].Any(TagIds.Contains),
        _ => assigneeId == UserId,
    };

    /// <summary>The business's threshold is only the default: their own minimum, lower or higher, replaces it.</summary>
    public bool Wants(Event ev, double businessThreshold) => ev.RelevanceScore >= (MinRelevance ?? businessThreshold) && WantsCategory(ev.Category);

    public bool WantsCategory(string category) => Categories is null || Categories.Contains(category);

    public static EffectivePreferences Of(NotificationPreference row) => new(row.UserId,
        row.Kinds.ToHashSet(StringComparer.Ordinal), row.Clients,
        (row.TagIds ?? []).Select(t => Guid.TryParse(t, out var id) ? id : Guid.Empty).Where(id => id != Guid.Empty).ToHashSet(),
        row.MinRelevance, row.Categories?.ToHashSet(StringComparer.Ordinal));
}

/// <summary>
/// Reading people's preferences for the notifier, and keeping the derived parts of a row (its digest's next instant,
/// its unsubscribe key) right.
/// </summary>
public static class NotificationPreferences
{
    /// <summary>What a person without a row has: every kind but mentions, their own clients, the business's threshold, all categories, the app only.</summary>
    public static NotificationPreference Defaults(Guid userId) => new() { UserId = userId, Kinds = [.. NotificationTypes.Default] };

    /// <summary>
    /// The active, live people of the business <paramref name="users"/> narrows to, each with their effective preferences,
    /// in one query (a person without a row has the defaults).
    /// </summary>
    public static async Task<List<EffectivePreferences>> OfAsync(TidingsDbContext db, IQueryable<User> users, CancellationToken ct)
    {
        var rows = await (
            from u in users.Where(u => u.IsActive)
            join p in db.NotificationPreferences on new { u.BusinessId, UserId = u.Id } equals new { p.BusinessId, p.UserId } into ps
            from p in ps.DefaultIfEmpty()
            select new { u.Id, Preference = p }).AsNoTracking().ToListAsync(ct);
        return rows.Select(r => EffectivePreferences.Of(r.Preference ?? Defaults(r.Id))).ToList();
    }

    /// <summary>The tags of these clients that someone follows, read only when someone follows tagged clients; client id to tag ids.</summary>
    public static async Task<ILookup<Guid, Guid>> FollowedTagsAsync(TidingsDbContext db, IReadOnlyCollection<EffectivePreferences> people,
        IReadOnlyCollection<Guid> clientIds, CancellationToken ct)
    {
        var tagIds = people.Where(p => p.Clients == NotificationScopes.Tagged).SelectMany(p => p.TagIds).Distinct().ToList();
        if (tagIds.Count == 0 || clientIds.Count == 0)
            return Array.Empty<(Guid ClientId, Guid TagId)>().ToLookup(x => x.ClientId, x => x.TagId);
        var ids = clientIds.ToList();
        var links = await db.ClientTags.AsNoTracking().Where(l => ids.Contains(l.ClientId) && tagIds.Contains(l.TagId))
            .Select(l => new { l.ClientId, l.TagId }).ToListAsync(ct);
        return links.ToLookup(l => l.ClientId, l => l.TagId);
    }

    /// <summary>When the row's next digest leaves after <paramref name="now"/>, in <paramref name="timeZone"/>; null without a digest.</summary>
    public static void Schedule(NotificationPreference row, string timeZone, DateTime now) =>
        row.NextDigestAt = DigestSchedule.Next(row.Channel, row.DigestHour, row.DigestDay, timeZone, now);

    /// <summary>A person's time zone changed: their next digest moves to their new local hour.</summary>
    public static async Task FollowTimeZoneAsync(TidingsDbContext db, Guid userId, string timeZone, CancellationToken ct)
    {
        var row = await db.NotificationPreferences.SingleOrDefaultAsync(p => p.UserId == userId
            && (p.Channel == NotificationChannels.DailyDigest || p.Channel == NotificationChannels.WeeklyDigest), ct);
        if (row is not null)
            Schedule(row, timeZone, StoredTime.Now(db.Clock));
    }

    /// <summary>The key of the unsubscribe link: 32 random bytes, base64url.</summary>
    public static string NewUnsubscribeToken() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
}
