using Tidings.Data.Auditing;
using Tidings.Data.Tenancy;
using Tidings.Events;

namespace Tidings.Tags;

public sealed class EventTag : ITenantOwned, ICreatedAt, ICreatedBy
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid BusinessId { get; set; }
    public Guid EventId { get; set; }
    public Event? Event { get; set; }
    public Guid TagId { get; set; }
    public Tag? Tag { get; set; }

    public DateTime CreatedAt { get; set; }
    public Guid? CreatedByUserId { get; set; }
}
