namespace Tidings.Monitoring.Fetching;

/// <summary>A feed proposed for a client's website: its address and, when the feed or the page names one, a title.</summary>
public sealed record DiscoveredFeed(Uri Url, string? Title);
