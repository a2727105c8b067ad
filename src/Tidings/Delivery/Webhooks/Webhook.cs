using Tidings.Data.Auditing;
using Tidings.Data.SoftDelete;
using Tidings.Data.Tenancy;

namespace Tidings.Delivery.Webhooks;

/// <summary>
/// An address a business's integrators want its news pushed to, with the kinds of messages it wants and filters on
/// them. Its signing secret is kept to sign with (a receiver verifies with the same one), so it is stored as given,
/// protected like the rest of the business's rows, shown once when made or rotated and masked in the audit trail.
/// </summary>
public sealed class Webhook : ITenantOwned, ISoftDeletable, ITimestamped, ICreatedBy
{
    public const int MaxUrlLength = 2000;

    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid BusinessId { get; set; }

    public required string Url { get; set; }
    public string? Description { get; set; }
    /// <summary><see cref="WebhookFormats"/>: signed JSON, or a Slack incoming-webhook message.</summary>
    public required string Format { get; set; }
    /// <summary>The message types it wants (<see cref="WebhookEventTypes"/>), a JSON array.</summary>
    public List<string> EventTypes { get; set; } = [];
    /// <summary>Only events at least this relevant; null for all.</summary>
    public double? MinRelevance { get; set; }
    /// <summary>Only events of these category keys; null for all.</summary>
    public List<string>? Categories { get; set; }
    /// <summary>Only events of these clients (ids as text); null for all.</summary>
    public List<string>? ClientIds { get; set; }

    [Secret]
    public required string Secret { get; set; }
    /// <summary>The secret before the last rotation, still signing until <see cref="PreviousSecretUntil"/>.</summary>
    [Secret]
    public string? PreviousSecret { get; set; }
    public DateTime? PreviousSecretUntil { get; set; }

    public bool IsEnabled { get; set; } = true;
    /// <summary>Why it was disabled, in words: by a person, or after failing too long.</summary>
    public string? DisabledReason { get; set; }
    public int ConsecutiveFailures { get; set; }

    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public Guid? CreatedByUserId { get; set; }

    public bool IsDeleted { get; set; }
    public DateTime? DeletedAt { get; set; }
    public Guid? DeletedByUserId { get; set; }

    public WebhookSigningSecrets SigningSecrets =>
        new(Secret, PreviousSecret, PreviousSecretUntil is { } until ? new DateTimeOffset(until, TimeSpan.Zero) : null);
}

public static class WebhookFormats
{
    public const string Json = "json";
    public const string Slack = "slack";

    public static readonly IReadOnlyList<string> All = [Json, Slack];
}

public static class WebhookEventTypes
{
    public const string EventCreated = "event.created";
    public const string EventUpdated = "event.updated";
    public const string EventDeleted = "event.deleted";
    public const string NotificationCreated = "notification.created";
    public const string SourceStopped = "source.stopped";

    public static readonly IReadOnlyList<string> All = [EventCreated, EventUpdated, EventDeleted, NotificationCreated, SourceStopped];
}
