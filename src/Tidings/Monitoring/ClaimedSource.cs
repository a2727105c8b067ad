namespace Tidings.Monitoring;

/// <summary>A source as the monitor holds it for one round, with what it needs of its client.</summary>
public sealed record ClaimedSource(
    Guid Id, Guid ClientId, string Kind, string? Url, string? FeedUrl, string? Title, string Keep,
    string? ETag, string? LastModified, int ConsecutiveFailures,
    string ClientName, string? ClientDomain, List<string>? Keywords, string Frequency, bool ClientWatched, Guid? AssigneeId);
