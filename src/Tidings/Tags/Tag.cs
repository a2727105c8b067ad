using Tidings.Data.Auditing;
using Tidings.Data.SoftDelete;
using Tidings.Data.Tenancy;

namespace Tidings.Tags;

/// <summary>A business's own label for clients and events.</summary>
public sealed class Tag : ITenantOwned, ISoftDeletable, ITimestamped, ICreatedBy
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid BusinessId { get; set; }
    public required string Name { get; set; }
    /// <summary>#RRGGBB.</summary>
    public string? Color { get; set; }

    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public Guid? CreatedByUserId { get; set; }

    public bool IsDeleted { get; set; }
    public DateTime? DeletedAt { get; set; }
    public Guid? DeletedByUserId { get; set; }
}
