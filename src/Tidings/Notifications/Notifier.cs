using Microsoft.EntityFrameworkCore;
using Tidings.Clients;
using Tidings.Data;
using Tidings.Delivery.Webhooks;
using Tidings.Events;
using Tidings.Users;

namespace Tidings.Notifications;

/// <summary>
/// The notifications the service creates, to the people whose preferences ask for them. They join the caller's
/// SaveChanges, so a notification exists exactly when the change that caused it does. Nobody is notified of their own
/// action, and one event notifies one person once.
/// </summary>
public static class Notifier
{
    /// <summary>Tells a new assignee other than the caller, unless they removed the kind.</summary>
    public static async Task ClientAssignedAsync(TidingsDbContext db, Client client, Guid assigneeId, CancellationToken ct)
    {
        if (assigneeId == db.Actor.UserId)
            return;
        var kinds = await db.NotificationPreferences.AsNoTracking().Where(p => p.UserId == assigneeId).Select(p => p.Kinds).SingleOrDefaultAsync(ct);
        if (kinds is not null && !kinds.Contains(NotificationTypes.ClientAssigned))
            return;
        db.Notifications.Add(new Notification
        {
            UserId = assigneeId,
            Type = NotificationTypes.ClientAssigned,
            Title = Truncate($"{client.Name} is now yours", 200),
            Message = $"{db.Actor.Name} assigned {client.Name} to you.",
            LinkUrl = $"/clients/{client.Id}",
            RelatedClientId = client.Id,
        });
    }

    /// <summary>
    /// Notifies, of each new event that is not a duplicate, the people who want it: the kind, a client they follow (theirs,
    /// tagged with one of their tags, or any), at least their relevance (the business's threshold by default) and one of
    /// their categories. The events are new, so none can have notified anyone yet. People and tags are read once per call.
    /// </summary>
    public static async Task HighRelevanceEventsAsync(TidingsDbContext db,
        IReadOnlyList<(Event Event, string ClientName, Guid? AssigneeId)> events, CancellationToken ct)
    {
        var fresh = events.Where(x => x.Event.DuplicateOfEventId is null).ToList();
        if (fresh.Count == 0)
            return;
        var people = await RecipientsAsync(db, [NotificationTypes.HighRelevanceEvent, NotificationTypes.ClientMentioned], ct);
        if (people.Count == 0)
            return;
        var threshold = await db.Businesses.Select(b => b.NotificationRelevanceThreshold).SingleAsync(ct);
        var tags = await NotificationPreferences.FollowedTagsAsync(db, people, fresh.Select(x => x.Event.ClientId).Distinct().ToList(), ct);
        foreach (var (ev, clientName, assignee) in fresh)
        {
            foreach (var person in people.Where(p => p.Follows(ev.ClientId, assignee, tags)))
            {
                // One event tells one person once: as relevant when it is, else as news found about their client.
                var type = person.Wants(NotificationTypes.HighRelevanceEvent) && person.Wants(ev, threshold) ? NotificationTypes.HighRelevanceEvent
                    : person.Wants(NotificationTypes.ClientMentioned) && ev.SourceId is not null && person.WantsCategory(ev.Category) ? NotificationTypes.ClientMentioned
                    : null;
                if (type is null)
                    continue;
                db.Notifications.Add(new Notification
                {
                    UserId = person.UserId,
                    Type = type,
                    Title = Truncate($"{clientName}: {ev.Title}", 200),
                    Message = type == NotificationTypes.HighRelevanceEvent
                        ? $"A {ev.Category} event scored {ev.RelevanceScore:0.00} for {clientName}."
                        : $"Tidings found news about {clientName} ({ev.Source ?? "a watched source"}).",
                    LinkUrl = $"/events/{ev.Id}",
                    RelatedEventId = ev.Id,
                    RelatedClientId = ev.ClientId,
                });
            }
        }
    }

    /// <summary>
    /// Tells the people who follow each client (its assignee by default) that one of its sources stopped after failing,
    /// and why; the stop happens once, so this does too.
    /// </summary>
    public static async Task SourcesStoppedAsync(TidingsDbContext db,
        IReadOnlyList<(Monitoring.Source Source, string ClientName, Guid? AssigneeId)> stopped, CancellationToken ct)
    {
        if (stopped.Count == 0)
            return;
        var people = await RecipientsAsync(db, [NotificationTypes.SourceStopped], ct);
        var tags = await NotificationPreferences.FollowedTagsAsync(db, people, stopped.Select(s => s.Source.ClientId).Distinct().ToList(), ct);
        foreach (var (source, clientName, assignee) in stopped)
        {
            foreach (var person in people.Where(p => p.Follows(source.ClientId, assignee, tags)))
            {
                db.Notifications.Add(new Notification
                {
                    UserId = person.UserId,
                    Type = NotificationTypes.SourceStopped,
                    Title = Truncate($"{clientName}: a source stopped", 200),
                    Message = $"Tidings stopped watching {source.Title ?? source.FeedUrl ?? source.Url ?? "a news search"} for {clientName}. {source.StoppedReason} Restart it from the client's sources once it is fixed.",
                    LinkUrl = $"/clients/{source.ClientId}",
                    RelatedClientId = source.ClientId,
                });
            }
        }
    }

    /// <summary>
    /// The people a disabled webhook is told to: the active, live owners and admins of the business who keep
    /// <see cref="NotificationTypes.WebhookDisabled"/> among their kinds.
    /// </summary>
    public static async Task<List<Guid>> AdminIdsAsync(TidingsDbContext db, CancellationToken ct)
    {
        var admins = db.Users.Where(u => u.Role == UserRoles.Owner || u.Role == UserRoles.Admin);
        return (await NotificationPreferences.OfAsync(db, admins, ct))
            .Where(p => p.Wants(NotificationTypes.WebhookDisabled)).Select(p => p.UserId).ToList();
    }

    /// <summary>Tells each of <paramref name="adminIds"/> (from <see cref="AdminIdsAsync"/>) that an endpoint was disabled, and why.</summary>
    public static void WebhookDisabled(TidingsDbContext db, Webhook webhook, IReadOnlyList<Guid> adminIds)
    {
        foreach (var adminId in adminIds.Distinct().Where(id => id != db.Actor.UserId))
        {
            db.Notifications.Add(new Notification
            {
                UserId = adminId,
                Type = NotificationTypes.WebhookDisabled,
                Title = "A webhook was disabled",
                Message = $"Tidings stopped sending to {webhook.Url}. {webhook.DisabledReason} Enable it again from the webhook settings once it is fixed.",
                LinkUrl = $"/settings/webhooks/{webhook.Id}",
            });
        }
    }

    /// <summary>The active people of the business who keep <paramref name="kind"/>, but the one acting.</summary>
    private static async Task<List<EffectivePreferences>> RecipientsAsync(TidingsDbContext db, IReadOnlyList<string> kinds, CancellationToken ct)
    {
        var users = db.Actor.UserId is { } actor ? db.Users.Where(u => u.Id != actor) : db.Users;
        var people = await NotificationPreferences.OfAsync(db, users, ct);
        return people.Where(p => kinds.Any(p.Wants)).ToList();
    }

    private static string Truncate(string text, int max) => StorableText.Cut(text, max);
}
