namespace Tidings.Monitoring.Feeds;

/// <summary>A feed as read: its format ("RSS 2.0", "Atom 1.0", "JSON Feed 1.1"...), title, home link and items, in document order.</summary>
public sealed record ParsedFeed(string Format, string? Title, string? SiteLink, IReadOnlyList<FeedItem> Items);
