using Tidings.Data.Auditing;
using Tidings.Data.Tenancy;
using Tidings.Events;

namespace Tidings.Interactions;

/// <summary>One person's own state for one event: read, starred, notes.</summary>
public sealed class EventUserInteraction : ITenantOwned, ITimestamped
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid BusinessId { get; set; }
    public Guid EventId { get; set; }
    public Event? Event { get; set; }
    public Guid UserId { get; set; }

    public bool IsRead { get; set; }
    public DateTime? ReadAt { get; set; }
    public bool IsStarred { get; set; }
    public DateTime? StarredAt { get; set; }
    /// <summary>The person's own: the audit trail records that they changed, not what they say.</summary>
    [Private]
    public string? UserNotes { get; set; }

    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}
