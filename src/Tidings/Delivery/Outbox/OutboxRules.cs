using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Tidings.Data;
using Tidings.Delivery.Email;
using Tidings.Delivery.Webhooks;
using Tidings.Events;
using Tidings.Monitoring;
using Tidings.Notifications;

namespace Tidings.Delivery.Outbox;

/// <summary>
/// What a save must send, decided in one place from what the save writes, and added to the same save: a webhook
/// message for each event created, updated or deleted, each notification and each source stopped that an enabled
/// endpoint of the business wants (its types and filters), and an e-mail for each notification whose recipient chose
/// e-mail at once. Rows written outside the change tracker (bulk imports, polling state) send nothing. Duplicates of
/// an event already known send nothing either: the receiver has the story.
/// </summary>
internal static class OutboxRules
{
    /// <summary>Adds the save's messages; answers whether it added any (the dispatcher of this process is woken after the save).</summary>
    public static async Task<bool> BeforeSaveAsync(TidingsDbContext db, DateTime now, CancellationToken ct)
    {
        var changes = Collect(db.ChangeTracker);
        if (changes.Count == 0)
            return false;
        var webhooks = await db.Webhooks.AsNoTracking().Where(w => w.IsEnabled).ToListAsync(ct);
        if (webhooks.Count > 0)
            await AddWebhookMessagesAsync(db, changes, webhooks, now, ct);
        await AddEmailsAsync(db, changes.Select(c => c.Entity).OfType<Notification>().ToList(), now, ct);
        return db.ChangeTracker.Entries<OutboxMessage>().Any(e => e.State == EntityState.Added);
    }

    private sealed record Change(string Type, object Entity);

    private static List<Change> Collect(ChangeTracker tracker)
    {
        var changes = new List<Change>();
        foreach (var entry in tracker.Entries())
        {
            switch (entry.Entity)
            {
                case Event { DuplicateOfEventId: null } ev when entry.State == EntityState.Added && !ev.IsDeleted:
                    changes.Add(new Change(WebhookEventTypes.EventCreated, ev));
                    break;
                case Event ev when entry.State == EntityState.Modified:
                    var wasDeleted = (bool)entry.Property(nameof(Event.IsDeleted)).OriginalValue!;
                    if (ev.IsDeleted && !wasDeleted)
                        changes.Add(new Change(WebhookEventTypes.EventDeleted, ev));
                    else if (!ev.IsDeleted && ev.DuplicateOfEventId is null)
                        changes.Add(new Change(WebhookEventTypes.EventUpdated, ev));
                    break;
                case Notification notification when entry.State == EntityState.Added:
                    changes.Add(new Change(WebhookEventTypes.NotificationCreated, notification));
                    break;
                case Source source when entry.State == EntityState.Modified && source.StoppedAt is not null
                                        && entry.Property(nameof(Source.StoppedAt)).OriginalValue is null:
                    changes.Add(new Change(WebhookEventTypes.SourceStopped, source));
                    break;
            }
        }
        return changes;
    }

    private static async Task AddWebhookMessagesAsync(TidingsDbContext db, List<Change> changes, List<Webhook> webhooks, DateTime now, CancellationToken ct)
    {
        var wanted = changes.Where(c => webhooks.Any(w => w.EventTypes.Contains(c.Type))).ToList();
        if (wanted.Count == 0)
            return;
        var clientIds = wanted.Select(c => c.Entity switch
        {
            Event e => e.ClientId,
            Source s => s.ClientId,
            Notification { RelatedClientId: { } id } => id,
            _ => Guid.Empty,
        }).Where(id => id != Guid.Empty).Distinct().ToList();
        var clientNames = clientIds.Count == 0
            ? []
            : await db.Clients.IgnoreQueryFilters([Data.SoftDelete.SoftDeleteRules.Filter]).AsNoTracking()
                .Where(c => clientIds.Contains(c.Id)).ToDictionaryAsync(c => c.Id, c => c.Name, ct);
        foreach (var change in wanted)
        {
            var payload = WebhookMessages.Payload(change.Type, change.Entity, clientNames, now);
            foreach (var webhook in webhooks.Where(w => WebhookMessages.Wants(w, change.Type, change.Entity)))
            {
                db.OutboxMessages.Add(new OutboxMessage
                {
                    BusinessId = webhook.BusinessId,
                    Channel = OutboxChannels.Webhook,
                    WebhookId = webhook.Id,
                    Type = change.Type,
                    Payload = payload,
                    NextAttemptAt = now,
                    CreatedAt = now,
                });
            }
        }
    }

    private static async Task AddEmailsAsync(TidingsDbContext db, List<Notification> notifications, DateTime now, CancellationToken ct)
    {
        if (notifications.Count == 0)
            return;
        var recipients = notifications.Select(n => n.UserId).Distinct().ToList();
        var atOnce = await db.NotificationPreferences.AsNoTracking()
            .Where(p => recipients.Contains(p.UserId) && p.Channel == NotificationChannels.Email)
            .Select(p => p.UserId).ToListAsync(ct);
        foreach (var notification in notifications.Where(n => atOnce.Contains(n.UserId)))
        {
            db.OutboxMessages.Add(new OutboxMessage
            {
                BusinessId = notification.BusinessId,
                Channel = OutboxChannels.Email,
                UserId = notification.UserId,
                Type = EmailMessageTypes.Notification,
                Payload = EmailMessageTypes.NotificationPayload(notification.Id),
                NextAttemptAt = now,
                CreatedAt = now,
            });
        }
    }
}
