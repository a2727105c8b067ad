namespace Tidings.Monitoring.Feeds;

/// <summary>
/// One item of a feed, as plain text. <see cref="Title"/> is never empty: an item without a title of its own carries a
/// cut of its summary, or its link. Dates are UTC; the caller dates an event by Published, else Updated, else when it
/// found the item.
/// </summary>
public sealed record FeedItem(string? Id, string Title, string? Link, string? Summary, DateTime? Published, DateTime? Updated);
