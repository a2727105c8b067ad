namespace Tidings.Monitoring;

/// <param name="Url">A feed's or website's address (a website may be given as its bare domain); none for a news search.</param>
/// <param name="Keep">all or mentions; by default all for the client's own feed or website, mentions for any other feed and for the news search.</param>
public sealed record CreateSourceRequest(string? Url, string? Kind, string? Keep);

/// <param name="Add">Add the feeds found as sources of the client (those it does not watch yet); without it, only propose them.</param>
public sealed record DiscoverSourcesRequest(bool? Add);

/// <param name="Status">active, failing (its last fetch failed; it retries with back-off) or stopped (see stoppedReason).</param>
public sealed record SourceDto(
    Guid Id, Guid ClientId, string Kind, string? Url, string? FeedUrl, string? Title, string Keep, string Status,
    DateTime? LastFetchedAt, DateTime NextDueAt, int ConsecutiveFailures, string? LastError, DateTime? StoppedAt, string? StoppedReason,
    DateTime CreatedAt, DateTime UpdatedAt)
{
    public static SourceDto From(Source s) => new(s.Id, s.ClientId, s.Kind, s.Url, s.FeedUrl, s.Title, s.Keep,
        s.StoppedAt is not null ? "stopped" : s.ConsecutiveFailures > 0 ? "failing" : "active",
        s.LastFetchedAt, s.NextDueAt, s.ConsecutiveFailures, s.LastError, s.StoppedAt, s.StoppedReason, s.CreatedAt, s.UpdatedAt);
}

/// <summary>A feed found on a client's site, and whether the client already watches it.</summary>
public sealed record DiscoveredFeedDto(string Url, string? Title, bool Watched, Guid? SourceId);

public sealed record DiscoveryDto(string Site, IReadOnlyList<DiscoveredFeedDto> Feeds, IReadOnlyList<SourceDto> Added);

/// <param name="Outcome">fetched, not_modified or failed.</param>
public sealed record SourceCheckDto(string Outcome, string? Error, int ItemsRead, int ItemsKept, int NewEvents, int Duplicates, SourceDto Source);
