using Tidings.Clients;
using Tidings.Data.Auditing;
using Tidings.Data.SoftDelete;
using Tidings.Data.Tenancy;
using Tidings.Interactions;
using Tidings.Tags;

namespace Tidings.Events;

/// <summary>Something that happened to a client: a funding round, an acquisition, a lawsuit...</summary>
public sealed class Event : ITenantOwned, ISoftDeletable, ITimestamped, ICreatedBy
{
    public const double DefaultRelevanceScore = 0.5;

    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid BusinessId { get; set; }
    public Guid ClientId { get; set; }
    public Client? Client { get; set; }

    public required string Title { get; set; }
    public string? Description { get; set; }
    public string? Url { get; set; }
    public string? Source { get; set; }
    public string? SourceType { get; set; }
    /// <summary>The watched source the monitor found it in; null for events posted or imported.</summary>
    public Guid? SourceId { get; set; }
    /// <summary>Why the monitor kept the item: its source keeps everything, or where the client is mentioned.</summary>
    public string? KeptBecause { get; set; }

    public required string Category { get; set; }
    public string? Subcategory { get; set; }

    /// <summary>Free-form labels from the source or classifier, a JSON array; curated tags are <see cref="EventTags"/>.</summary>
    public List<string>? Tags { get; set; }

    public double RelevanceScore { get; set; } = DefaultRelevanceScore;
    public double? SentimentScore { get; set; }
    public double? ConfidenceScore { get; set; }

    /// <summary>
    /// Who chose the category: the classifier's version (<see cref="Classification.ClassifiedBy"/>), "person" once a
    /// member set or confirmed it, or null when it came with the event (a caller, an import).
    /// </summary>
    public string? ClassifiedBy { get; set; }

    /// <summary>Why the classifier chose the category: the phrase or the nearest labelled examples.</summary>
    public string? ClassificationEvidence { get; set; }

    public DateTime EventDate { get; set; }
    public DateTime DiscoveredAt { get; set; }

    public string? ContentHash { get; set; }
    public Guid? DuplicateOfEventId { get; set; }

    public Guid? CreatedByUserId { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }

    public bool IsDeleted { get; set; }
    public DateTime? DeletedAt { get; set; }
    public Guid? DeletedByUserId { get; set; }

    public List<EventUserInteraction> UserInteractions { get; } = [];
    public List<EventTag> EventTags { get; } = [];
}
