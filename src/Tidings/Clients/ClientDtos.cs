using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Tidings.Data.Auditing;
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

/// <summary>One audit entry of a client; the stored JSON columns are answered as JSON, not as strings.</summary>
public sealed record ClientHistoryEntryDto(
    Guid Id, string Action, JsonNode? ChangedFields, JsonNode? OldValues, JsonNode? NewValues,
    Guid? UserId, string ActorName, string? IpAddress, string? UserAgent, DateTime CreatedAt)
{
    public static ClientHistoryEntryDto From(AuditLog log) => new(
        log.Id, log.Action, Json(log.ChangedFields), Json(log.OldValues), Json(log.NewValues),
        log.UserId, log.ActorName, log.IpAddress, log.UserAgent, log.CreatedAt);

    private static JsonNode? Json(string? text)
    {
        if (text is null)
            return null;
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return JsonValue.Create(text); // an entry a bulk job wrote as plain text still reads, as a string
        }
    }
}

/// <summary>Keyset of the client list: name, then id.</summary>
public sealed record ClientCursor(string Name, Guid Id);

/// <summary>Keyset of a history: newest first.</summary>
public sealed record HistoryCursor(DateTime CreatedAt, Guid Id);
