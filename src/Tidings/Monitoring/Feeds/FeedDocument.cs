namespace Tidings.Monitoring.Feeds;

/// <summary>
/// What a feed holds before the item rules of <see cref="FeedParser.Parse"/> apply: every entry, each with only what the
/// document gives (a missing title stays null). The sample facts are measured on this.
/// </summary>
internal sealed record FeedDocument(string Format, string? Title, string? SiteLink, IReadOnlyList<FeedEntry> Entries);

internal sealed record FeedEntry(string? Id, string? Title, string? Link, string? Summary, DateTime? Published, DateTime? Updated);
