using Tidings.Notifications;

namespace Tidings.Pages.Notifications;

/// <summary>One notification as the list shows it: where it leads (its event, else its client, else a page of Tidings) and when.</summary>
public sealed record NotificationItem(NotificationDto Notification, string ReturnUrl)
{
    public static string IdOf(Guid id) => $"notification-{id}";

    public string Id => IdOf(Notification.Id);

    /// <summary>Only a path inside Tidings is a link: never another site's address, whatever the row holds.</summary>
    public string? Link => Notification switch
    {
        { RelatedEventId: { } e } => $"/events/{e}",
        { RelatedClientId: { } c } => $"/clients/{c}",
        { LinkUrl: { } url } when url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal) => url,
        _ => null,
    };

    public string Date(LocalTimes times) => times.Instant(Notification.CreatedAt);

    public string IsoDate => LocalTimes.Iso(Notification.CreatedAt);
}
