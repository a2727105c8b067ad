namespace Tidings.Data.Tenancy;

/// <summary>A row that belongs to exactly one business. The data layer filters, stamps and guards it.</summary>
public interface ITenantOwned
{
    Guid BusinessId { get; set; }
}
