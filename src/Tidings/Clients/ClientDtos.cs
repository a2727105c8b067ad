using System.Text.Json.Serialization;
using Tidings.Tags;

namespace Tidings.Clients;

public sealed record CreateClientRequest(
    string? Name, string? Domain, string? Industry, string? Description,
    string? CompanySize, string? RevenueRange, string? HeadquartersLocation, int? FoundedYear,
    List<string?>? SearchKeywords, string? MonitoringFrequency, bool? IsActive,
    string? Tier, double? HealthScore, string? Notes, Guid? AssignedToUserId);

/// <summary>The property must be present, so <c>{}</c> is refused rather than read as "unassign".</summary>
public sealed record AssigneeRequest([property: JsonRequired] Guid? UserId);

public sealed record ClientDto(
    Guid Id, string Name, string? Domain, string? Industry, string? Description,
    string? CompanySize, string? RevenueRange, string? HeadquartersLocation, int? FoundedYear,
    IReadOnlyList<string> SearchKeywords, string MonitoringFrequency, bool IsActive,
    string? Tier, double? HealthScore, string? Notes, Guid? AssignedToUserId,
    IReadOnlyList<TagDto> Tags,
    Guid? CreatedByUserId, DateTime CreatedAt, DateTime UpdatedAt, DateTime? LastCheckedAt,
    bool IsDeleted, DateTime? DeletedAt)
{
    public static ClientDto From(Client c, IReadOnlyList<TagDto> tags) => new(
        c.Id, c.Name, c.Domain, c.Industry, c.Description,
        c.CompanySize, c.RevenueRange, c.HeadquartersLocation, c.FoundedYear,
        c.SearchKeywords ?? [], c.MonitoringFrequency, c.IsActive,
        c.Tier, c.HealthScore, c.Notes, c.AssignedToUserId,
        tags,
        c.CreatedByUserId, c.CreatedAt, c.UpdatedAt, c.LastCheckedAt,
        c.IsDeleted, c.DeletedAt);
}

/// <summary>Keyset of the client list: name, then id.</summary>
public sealed record ClientCursor(string Name, Guid Id);
