using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Tidings.Data;
using Tidings.Data.SoftDelete;
using Tidings.Delivery.Outbox;
using Tidings.Notifications;
using Tidings.Users;

namespace Tidings.Delivery.Email;

/// <summary>
/// Composes and sends one outbox e-mail (a notification at once, or a digest) when the dispatcher reaches it. The
/// message is written at send time from what the payload names, against the recipient's preferences as they are
/// then: someone who unsubscribed, left or lost the notification meanwhile gets nothing (Nothing, not a failure).
/// The Message-Id comes from what the message is about (EmailComposer), so every retry of one outbox row carries
/// the same one.
/// </summary>
public sealed class EmailDelivery(MailSender sender, EmailSettings? settings = null)
{
    /// <summary>A digest lists at most this many notifications, the most relevant ones: a mailbox is not an archive.</summary>
    public const int DigestMax = 300;

    private readonly string _baseUrl = settings?.BaseUrl ?? EmailSettings.DefaultBaseUrl;

    public bool IsOn => sender.IsOn;

    /// <param name="db">A context already acting for the message's business.</param>
    public async Task<DeliveryResult> SendAsync(TidingsDbContext db, OutboxMessage message, CancellationToken ct)
    {
        if (!sender.IsOn)
            return DeliveryResult.Nothing("e-mail is not configured");
        if (message.UserId is not { } userId)
            return DeliveryResult.Failed("The outbox e-mail names no recipient.", permanent: true);

        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == userId, ct);
        if (user is null || !user.IsActive)
            return DeliveryResult.Nothing("the recipient was deleted or deactivated");
        var preference = await db.NotificationPreferences.AsNoTracking().SingleOrDefaultAsync(p => p.UserId == userId, ct);
        var wanted = message.Type == EmailMessageTypes.Digest
            ? preference?.Channel is NotificationChannels.DailyDigest or NotificationChannels.WeeklyDigest
            : preference?.Channel == NotificationChannels.Email;
        if (preference is null || !wanted)
            return DeliveryResult.Nothing("unsubscribed: the recipient no longer wants these e-mails");
        // No e-mail leaves without a working unsubscribe link; the preferences are written with a token (UnsubscribeLinks.NewToken).
        if (preference.UnsubscribeToken.Length == 0)
            return DeliveryResult.Failed("The recipient's preferences have no unsubscribe token, so no unsubscribe link can be written.", permanent: true);

        EmailMessage? email;
        try
        {
            var unsubscribe = UnsubscribeUrl(user, preference);
            email = message.Type switch
            {
                EmailMessageTypes.Notification => await ImmediateAsync(db, user, EmailMessageTypes.Read<EmailMessageTypes.NotificationRef>(message.Payload), unsubscribe, ct),
                EmailMessageTypes.Digest => await DigestAsync(db, user, EmailMessageTypes.Read<EmailMessageTypes.DigestPeriod>(message.Payload), unsubscribe, ct),
                _ => throw new JsonException($"'{message.Type}' is not an e-mail type."),
            };
        }
        catch (JsonException e)
        {
            return DeliveryResult.Failed($"The outbox e-mail cannot be read: {e.Message}", permanent: true);
        }
        if (email is null)
            return DeliveryResult.Nothing(message.Type == EmailMessageTypes.Digest ? "no notifications in the digest's period" : "the notification is gone");

        try
        {
            await sender.SendAsync(email, ct);
            return DeliveryResult.Sent;
        }
        catch (MailDeliveryException e)
        {
            return DeliveryResult.Failed(e.Message, e.Permanent);
        }
    }

    /// <summary>The link that turns these e-mails off without signing in (UnsubscribeLinks).</summary>
    public string UnsubscribeUrl(User user, NotificationPreference preference) =>
        $"{_baseUrl}/unsubscribe?b={user.BusinessId}&u={user.Id}&t={Uri.EscapeDataString(preference.UnsubscribeToken)}";

    private async Task<EmailMessage?> ImmediateAsync(TidingsDbContext db, User user, EmailMessageTypes.NotificationRef payload, string unsubscribe,
        CancellationToken ct)
    {
        var items = await ItemsAsync(db, db.Notifications.Where(n => n.Id == payload.NotificationId && n.UserId == user.Id), ct);
        return items.Count == 0 ? null : EmailComposer.Immediate(user.DisplayName, user.Email, items[0], unsubscribe, _baseUrl);
    }

    private async Task<EmailMessage?> DigestAsync(TidingsDbContext db, User user, EmailMessageTypes.DigestPeriod payload, string unsubscribe,
        CancellationToken ct)
    {
        var from = DateTime.SpecifyKind(payload.From, DateTimeKind.Utc);
        var to = DateTime.SpecifyKind(payload.To, DateTimeKind.Utc);
        var items = await ItemsAsync(db, db.Notifications.Where(n => n.UserId == user.Id && n.CreatedAt >= from && n.CreatedAt < to), ct);
        if (items.Count == 0)
            return null;
        var localDate = TimeZoneInfo.ConvertTime(new DateTimeOffset(to, TimeSpan.Zero), DigestSchedule.Zone(user.TimeZone));
        return EmailComposer.Digest(user.DisplayName, user.Email, payload.Period, localDate, items, unsubscribe, _baseUrl);
    }

    /// <summary>
    /// The notifications as an e-mail tells them, most relevant first: their client's name and their event's category
    /// and relevance, even when the client or event was deleted since (the notification still stands).
    /// </summary>
    private static async Task<List<NotificationItem>> ItemsAsync(TidingsDbContext db, IQueryable<Notification> notifications, CancellationToken ct)
    {
        var rows = await notifications.IgnoreQueryFilters([SoftDeleteRules.Filter]).AsNoTracking()
            .Select(n => new
            {
                n.Id, n.Title, n.Message, n.LinkUrl, n.RelatedEventId, n.RelatedClientId, n.CreatedAt,
                Client = n.RelatedClient != null ? n.RelatedClient.Name : n.RelatedEvent != null ? n.RelatedEvent.Client!.Name : null,
                Category = n.RelatedEvent != null ? n.RelatedEvent.Category : null,
                Relevance = n.RelatedEvent != null ? (double?)n.RelatedEvent.RelevanceScore : null,
            })
            .OrderByDescending(n => n.Relevance ?? -1).ThenByDescending(n => n.CreatedAt).ThenBy(n => n.Id)
            .Take(DigestMax)
            .ToListAsync(ct);
        var keys = rows.Select(r => r.Category).OfType<string>().Distinct().ToList();
        var categories = keys.Count == 0
            ? []
            : await db.Categories.AsNoTracking().Where(c => keys.Contains(c.Key)).Select(c => new { c.Key, c.Name }).ToListAsync(ct);
        var names = new Dictionary<string, string>();
        foreach (var category in categories)
            names.TryAdd(category.Key, category.Name);
        return rows.Select(r => new NotificationItem(r.Id, r.Title, r.Message, LinkPath(r.LinkUrl, r.RelatedEventId, r.RelatedClientId), r.Client,
                r.Category is { } key ? names.GetValueOrDefault(key, key) : null, r.Relevance,
                new DateTimeOffset(DateTime.SpecifyKind(r.CreatedAt, DateTimeKind.Utc))))
            .ToList();
    }

    /// <summary>Where the notification leads in the app: the composer's own fallback is the event page of the item's id, here a notification's.</summary>
    private static string LinkPath(string? linkUrl, Guid? eventId, Guid? clientId) =>
        linkUrl is { Length: > 1 } && linkUrl[0] == '/' && linkUrl[1] != '/' ? linkUrl
        : eventId is { } e ? $"/events/{e}"
        : clientId is { } c ? $"/clients/{c}"
        : "/notifications";
}
