using Tidings.Data.Auditing;
using Tidings.Data.Tenancy;

namespace Tidings.Notifications;

/// <summary>
/// What one person wants to hear about and how: which kinds, about which clients, from which relevance and categories
/// up, and by which channel. A person without a row has the defaults (<see cref="NotificationPreference.Defaults"/>),
/// whose relevance is the business's threshold: that threshold is the default of these preferences, not a limit.
/// </summary>
public sealed class NotificationPreference : ITenantOwned, ITimestamped
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid BusinessId { get; set; }
    public Guid UserId { get; set; }

    /// <summary>The kinds that reach them (<see cref="NotificationTypes"/>), a JSON array.</summary>
    public List<string> Kinds { get; set; } = [.. NotificationTypes.Default];
    /// <summary><see cref="NotificationScopes"/>: clients assigned to them, clients with one of <see cref="TagIds"/>, or all.</summary>
    public string Clients { get; set; } = NotificationScopes.Mine;
    /// <summary>For <see cref="NotificationScopes.Tagged"/>: the client tags (ids as text).</summary>
    public List<string>? TagIds { get; set; }
    /// <summary>Events at least this relevant; null for the business's threshold.</summary>
    public double? MinRelevance { get; set; }
    /// <summary>Events of these category keys (a parent covers its subcategories); null for all.</summary>
    public List<string>? Categories { get; set; }

    /// <summary><see cref="NotificationChannels"/>: the app only, e-mail at once, or a daily or weekly digest.</summary>
    public string Channel { get; set; } = NotificationChannels.InApp;
    /// <summary>The local hour (0-23, the user's time zone) a digest leaves at.</summary>
    public int DigestHour { get; set; } = 8;
    /// <summary>The local day a weekly digest leaves on, 0 = Sunday … 6 = Saturday.</summary>
    public int DigestDay { get; set; } = 1;
    /// <summary>When the next digest is due (UTC), from the channel, hour, day and the user's time zone; null without a digest.</summary>
    public DateTime? NextDigestAt { get; set; }
    /// <summary>The end of the period the last digest covered: the next one starts there.</summary>
    public DateTime? LastDigestAt { get; set; }

    /// <summary>The key in the unsubscribe link of their e-mails: it works without signing in, and only unsubscribes.</summary>
    [Secret]
    public string UnsubscribeToken { get; set; } = "";

    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

public static class NotificationScopes
{
    public const string Mine = "mine";
    public const string Tagged = "tagged";
    public const string All = "all";

    public static readonly IReadOnlyList<string> Every = [Mine, Tagged, All];
}

public static class NotificationChannels
{
    public const string InApp = "in_app";
    public const string Email = "email";
    public const string DailyDigest = "daily_digest";
    public const string WeeklyDigest = "weekly_digest";

    public static readonly IReadOnlyList<string> All = [InApp, Email, DailyDigest, WeeklyDigest];
}
