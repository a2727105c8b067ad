namespace Tidings.Delivery.Email;

/// <summary>
/// What an e-mail says about one notification. LinkPath is a path inside the app ("/events/…"); without one, or with
/// anything that is not such a path, the message links to the event page of <see cref="Id"/>.
/// </summary>
public sealed record NotificationItem(
    Guid Id, string Title, string Message, string? LinkPath, string? ClientName, string? Category, double? Relevance, DateTimeOffset CreatedAt);
