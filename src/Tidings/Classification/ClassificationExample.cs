using Tidings.Data.Auditing;
using Tidings.Data.SoftDelete;
using Tidings.Data.Tenancy;
using Tidings.Events;

namespace Tidings.Classification;

/// <summary>
/// A labelled headline a member gave their business by correcting or confirming an event's category: the
/// business's classifications learn from it, no other business's. The text is kept as it was labelled, so a later
/// edit of the event does not silently change what was taught; purging the event takes its example with it.
/// </summary>
public sealed class ClassificationExample : ITenantOwned, ISoftDeletable, ITimestamped, ICreatedBy
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid BusinessId { get; set; }
    public Guid EventId { get; set; }
    public Event? Event { get; set; }

    /// <summary>The category's key (events.category), a live category of the business when labelled.</summary>
    public required string Category { get; set; }
    public string? Subcategory { get; set; }
    public required string Title { get; set; }
    public string? Description { get; set; }
    /// <summary>The client's name when labelled, masked out of the text so the example teaches the kind of news, not the company.</summary>
    public string? ClientName { get; set; }

    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public Guid? CreatedByUserId { get; set; }

    public bool IsDeleted { get; set; }
    public DateTime? DeletedAt { get; set; }
    public Guid? DeletedByUserId { get; set; }
}
