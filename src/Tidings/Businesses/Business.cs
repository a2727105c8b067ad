using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Tidings.Data;
using Tidings.Data.Auditing;

namespace Tidings.Businesses;

/// <summary>The tenant: one company using Tidings for the clients it serves.</summary>
public sealed partial class Business : ITimestamped
{
    public const double DefaultNotificationRelevanceThreshold = 0.8;
    public const int DefaultMaxTokenLifetimeDays = 90;
    public const double DefaultReviewConfidenceThreshold = 0.6;
    public const int LongestMaxTokenLifetimeDays = 365;

    public Guid Id { get; init; } = Guid.CreateVersion7();
    public required string Name { get; set; }
    public required string Slug { get; set; }

    /// <summary>Events at or above this relevance notify the client's assigned user.</summary>
    public double NotificationRelevanceThreshold { get; set; } = DefaultNotificationRelevanceThreshold;

    /// <summary>The longest a personal API token of this business may live (1..365 days); sessions have their own fixed lifetime.</summary>
    public int MaxTokenLifetimeDays { get; set; } = DefaultMaxTokenLifetimeDays;

    /// <summary>Events the classifier labelled with less confidence than this wait for a person's review (the feed's needsReview).</summary>
    public double ReviewConfidenceThreshold { get; set; } = DefaultReviewConfidenceThreshold;

    /// <summary>Whether the news signal sets the health score of clients nobody scored by hand.</summary>
    public bool HealthScoreFromNews { get; set; }

    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }

    /// <summary>The slug a name gives when no other business has it yet.</summary>
    public static string SlugFrom(string name)
    {
        var slug = NonAlphanumeric().Replace(name.Trim().ToLowerInvariant(), "-").Trim('-');
        slug = slug.Length > 80 ? slug[..80].TrimEnd('-') : slug;
        return slug.Length == 0 ? "business" : slug;
    }

    /// <summary>A slug from the name, made unique across businesses; needs an open platform scope.</summary>
    public static async Task<string> UniqueSlugAsync(TidingsDbContext db, string name, CancellationToken ct)
    {
        var slug = SlugFrom(name);
        return await db.AcrossBusinesses<Business>().AnyAsync(b => b.Slug == slug, ct)
            ? $"{slug}-{Guid.NewGuid().ToString("N")[..6]}"
            : slug;
    }

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex NonAlphanumeric();
}
