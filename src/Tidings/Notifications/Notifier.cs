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

    /// <summary>Notifies the client's assigned user when a new event reaches the business's threshold.</summary>
    public static async Task HighRelevanceEventAsync(TidingsDbContext db, Event ev, CancellationToken ct)
    {
        if (ev.DuplicateOfEventId is not null)
            return;
        var threshold = await db.Businesses.Select(b => b.NotificationRelevanceThreshold).SingleAsync(ct);
        if (ev.RelevanceScore < threshold)
            return;
        var client = await db.Clients.AsNoTracking().Where(c => c.Id == ev.ClientId)
            .Select(c => new { c.Name, c.AssignedToUserId }).SingleOrDefaultAsync(ct);
        if (client?.AssignedToUserId is not { } assignee || assignee == db.Actor.UserId)
            return;
        if (await db.Notifications.AnyAsync(n => n.UserId == assignee && n.RelatedEventId == ev.Id && n.Type == NotificationTypes.HighRelevanceEvent, ct))
            return;
        db.Notifications.Add(new Notification
        {
            UserId = assignee,
            Type = NotificationTypes.HighRelevanceEvent,
            Title = Truncate($"{client.Name}: {ev.Title}", 200),
            Message = $"A {ev.Category} event scored {ev.RelevanceScore:0.00} for {client.Name}.",
            LinkUrl = $"/events/{ev.Id}",
            RelatedEventId = ev.Id,
            RelatedClientId = ev.ClientId,
        });
    }

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
