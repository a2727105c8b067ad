using Tidings.Data.Auditing;
using Tidings.Clients;
using Tidings.Data.Tenancy;
using Tidings.Events;

namespace Tidings.Notifications;

/// <summary>Something one person should look at: a high-relevance event, a client assigned to them...</summary>
public sealed class Notification : ITenantOwned, ICreatedAt
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid BusinessId { get; set; }
    public Guid UserId { get; set; }

    public required string Type { get; set; }
    public required string Title { get; set; }
    public required string Message { get; set; }
    public string? LinkUrl { get; set; }

    public Guid? RelatedEventId { get; set; }
    public Event? RelatedEvent { get; set; }
    public Guid? RelatedClientId { get; set; }
    public Client? RelatedClient { get; set; }

    public bool IsRead { get; set; }
    public DateTime? ReadAt { get; set; }
    public DateTime CreatedAt { get; set; }
}

public static class NotificationTypes
{
    public const string HighRelevanceEvent = "high_relevance_event";
    public const string ClientAssigned = "client_assigned";
    public const string SourceStopped = "source_stopped";
    public const string WebhookDisabled = "webhook_disabled";

    /// <summary>News the monitor found about a client one follows, below their relevance: opt-in, as it can be many a day.</summary>
    public const string ClientMentioned = "client_mentioned";

    public static readonly IReadOnlyList<string> All = [HighRelevanceEvent, ClientAssigned, SourceStopped, WebhookDisabled, ClientMentioned];

    /// <summary>The kinds of a person who never chose: all but the mentions.</summary>
    public static readonly IReadOnlyList<string> Default = [HighRelevanceEvent, ClientAssigned, SourceStopped, WebhookDisabled];
}
