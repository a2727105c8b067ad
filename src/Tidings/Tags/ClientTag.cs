using Tidings.Clients;
using Tidings.Data.Auditing;
using Tidings.Data.Tenancy;

namespace Tidings.Tags;

public sealed class ClientTag : ITenantOwned, ICreatedAt, ICreatedBy
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid BusinessId { get; set; }
    public Guid ClientId { get; set; }
    public Client? Client { get; set; }
    public Guid TagId { get; set; }
    public Tag? Tag { get; set; }

    public DateTime CreatedAt { get; set; }
    public Guid? CreatedByUserId { get; set; }
}
