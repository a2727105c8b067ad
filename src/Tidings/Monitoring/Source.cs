using Tidings.Clients;
using Tidings.Data.Auditing;
using Tidings.Data.SoftDelete;
using Tidings.Data.Tenancy;

namespace Tidings.Monitoring;

/// <summary>
/// A place the monitor watches for news about one client: a feed, the client's website (whose feeds it discovers) or
/// the deployment's news search filled with the client's name. What a person decides about a source (its address,
/// what to keep, stopping and restarting it) is saved and audited; the polling state below it (validators, due time,
/// failures, the claim) is the monitor's bookkeeping, written set-based on every fetch and not audited row by row.
/// </summary>
public sealed class Source : ITenantOwned, ISoftDeletable, ITimestamped, ICreatedBy
{
    public const int MaxUrlLength = 2000;
    public const int MaxErrorLength = 1000;

    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid BusinessId { get; set; }
    public Guid ClientId { get; set; }
    public Client? Client { get; set; }

    /// <summary><see cref="SourceKinds"/>.</summary>
    public required string Kind { get; set; }
    /// <summary>What the person gave: the feed's or the website's address; null for a news search (the deployment's template).</summary>
    public string? Url { get; set; }
    /// <summary>The address the monitor fetches: the feed itself, the feed found on the website, or the filled news search.</summary>
    public string? FeedUrl { get; set; }
    /// <summary>The publication's name (the feed's title), which events from it carry as their source.</summary>
    public string? Title { get; set; }
    /// <summary><see cref="KeepRules"/>: every item, or only those that mention the client.</summary>
    public required string Keep { get; set; }

    public string? ETag { get; set; }
    /// <summary>The Last-Modified header as the server sent it, sent back verbatim in If-Modified-Since.</summary>
    public string? LastModified { get; set; }
    public DateTime? LastFetchedAt { get; set; }
    public DateTime NextDueAt { get; set; }
    public int ConsecutiveFailures { get; set; }
    /// <summary>The last failure in words for a person; null once a fetch succeeds.</summary>
    public string? LastError { get; set; }
    public DateTime? StoppedAt { get; set; }
    public string? StoppedReason { get; set; }

    /// <summary>The monitor process that holds the source for this round, until <see cref="ClaimedUntil"/> (a lease).</summary>
    public string? ClaimedBy { get; set; }
    public DateTime? ClaimedUntil { get; set; }

    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public Guid? CreatedByUserId { get; set; }

    public bool IsDeleted { get; set; }
    public DateTime? DeletedAt { get; set; }
    public Guid? DeletedByUserId { get; set; }
}

public static class SourceKinds
{
    public const string Feed = "feed";
    public const string Website = "website";
    public const string NewsSearch = "news_search";

    public static readonly IReadOnlyList<string> All = [Feed, Website, NewsSearch];
}

public static class KeepRules
{
    public const string All = "all";
    public const string Mentions = "mentions";

    public static readonly IReadOnlyList<string> Every = [All, Mentions];

    /// <summary>A news search returns the whole press; a client's own feed or site is about the client.</summary>
    public static string DefaultFor(string kind) => kind == SourceKinds.NewsSearch ? Mentions : All;
}

/// <summary>What events found by the monitor say about where they came from (events.source_type).</summary>
public static class SourceTypes
{
    public const string PressRelease = "press_release";
    public const string News = "news";
}
