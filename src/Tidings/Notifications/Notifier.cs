using Microsoft.EntityFrameworkCore;
using Tidings.Clients;
using Tidings.Data;
using Tidings.Events;

namespace Tidings.Notifications;

/// <summary>
/// The notifications the service creates. They join the caller's SaveChanges, so a notification exists
/// exactly when the change that caused it does. Nobody is notified of their own action, and one event
/// notifies one person once.
/// </summary>
public static class Notifier
{
    public static void ClientAssigned(TidingsDbContext db, Client client, Guid assigneeId)
    {
        if (assigneeId == db.Actor.UserId)
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
    /// Notifies each new event's client's assigned user when the event reaches the business's threshold
    /// (duplicates never do). The events are new, so none can have notified anyone yet.
    /// </summary>
    public static async Task HighRelevanceEventsAsync(TidingsDbContext db,
        IReadOnlyList<(Event Event, string ClientName, Guid? AssigneeId)> events, CancellationToken ct)
    {
        var candidates = events
            .Where(x => x.Event.DuplicateOfEventId is null && x.AssigneeId is not null && x.AssigneeId != db.Actor.UserId)
            .Select(x => (x.Event, x.ClientName, Assignee: x.AssigneeId!.Value)).ToList();
        if (candidates.Count == 0)
            return;
        var threshold = await db.Businesses.Select(b => b.NotificationRelevanceThreshold).SingleAsync(ct);
        foreach (var (ev, clientName, assignee) in candidates.Where(x => x.Event.RelevanceScore >= threshold))
        {
            db.Notifications.Add(new Notification
            {
                UserId = assignee,
                Type = NotificationTypes.HighRelevanceEvent,
                Title = Truncate($"{clientName}: {ev.Title}", 200),
                Message = $"A {ev.Category} event scored {ev.RelevanceScore:0.00} for {clientName}.",
                LinkUrl = $"/events/{ev.Id}",
                RelatedEventId = ev.Id,
                RelatedClientId = ev.ClientId,
            });
        }
    }

    /// <summary>Tells a client's assignee that one of its sources stopped after failing, and why; the stop happens once, so this does too.</summary>
    public static void SourceStopped(TidingsDbContext db, Monitoring.Source source, string clientName, Guid assigneeId) =>
        db.Notifications.Add(new Notification
        {
            UserId = assigneeId,
            Type = NotificationTypes.SourceStopped,
            Title = Truncate($"{clientName}: a source stopped", 200),
            Message = $"Tidings stopped watching {source.Title ?? source.FeedUrl ?? source.Url ?? "a news search"} for {clientName}. {source.StoppedReason} Restart it from the client's sources once it is fixed.",
            LinkUrl = $"/clients/{source.ClientId}",
            RelatedClientId = source.ClientId,
        });

    public static Task<List<Guid>> AdminIdsAsync(TidingsDbContext db, CancellationToken ct) =>
        db.Users.Where(u => u.IsActive && (u.Role == Users.UserRoles.Owner || u.Role == Users.UserRoles.Admin)).Select(u => u.Id).ToListAsync(ct);

    public static void WebhookDisabled(TidingsDbContext db, Delivery.Webhooks.Webhook webhook, IReadOnlyList<Guid> adminIds)
    {
        foreach (var admin in adminIds)
            db.Notifications.Add(new Notification
            {
                UserId = admin,
                Type = "webhook_disabled",
                Title = "A webhook was disabled",
                Message = $"Tidings stopped delivering to {webhook.Url}. {webhook.DisabledReason}",
                LinkUrl = $"/settings/webhooks/{webhook.Id}",
            });
    }

    private static string Truncate(string text, int max) => StorableText.Cut(text, max);
}
