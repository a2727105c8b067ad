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
    string? Tier, double? HealthScore, string? HealthScoreSource, string? Notes, Guid? AssignedToUserId,
    IReadOnlyList<TagDto> Tags,
    Guid? CreatedByUserId, DateTime CreatedAt, DateTime UpdatedAt, DateTime? LastCheckedAt,
    bool IsDeleted, DateTime? DeletedAt)
{
    public static ClientDto From(Client c, IReadOnlyList<TagDto> tags) => new(
        c.Id, c.Name, c.Domain, c.Industry, c.Description,
        c.CompanySize, c.RevenueRange, c.HeadquartersLocation, c.FoundedYear,
        c.SearchKeywords ?? [], c.MonitoringFrequency, c.IsActive,
        c.Tier, c.HealthScore, c.HealthScoreSource, c.Notes, c.AssignedToUserId,
        tags,
        c.CreatedByUserId, c.CreatedAt, c.UpdatedAt, c.LastCheckedAt,
        c.IsDeleted, c.DeletedAt);
}

/// <summary>
/// GET /api/clients/{id}/health: the stored score and who set it, the news signal computed now, and the events that moved
/// it, biggest effect first (at most <see cref="ClientHealth.MaxBreakdownEvents"/> of <c>MovingEvents</c>).
/// </summary>
public sealed record ClientHealthDto(
    Guid ClientId, double? HealthScore, string? HealthScoreSource, double NewsSignal, int WindowDays, double HalfLifeDays,
    DateTime ComputedAt, int MovingEvents, int NeutralEvents, IReadOnlyList<HealthEventDto> Events)
{
    public static ClientHealthDto From(Guid clientId, double? healthScore, string? healthScoreSource, NewsSignal signal, DateTime now) => new(
        clientId, healthScore, healthScoreSource, signal.Score, ClientHealth.WindowDays, ClientHealth.HalfLifeDays,
        now, signal.Moved.Count, signal.NeutralEvents,
        signal.Moved.Take(ClientHealth.MaxBreakdownEvents).Select(HealthEventDto.From).ToList());
}

/// <summary>
/// One event of a breakdown. <c>Contribution</c> is its term of the sum (signal x weight x relevance x confidence x decay);
/// <c>Effect</c> is the points the signal would lose without it (negative for a risk), so effects do not add up to
/// newsSignal - 50 once the scale saturates.
/// </summary>
public sealed record HealthEventDto(
    Guid Id, string Title, string Category, string? Subcategory, string Signal, DateTime EventDate, double AgeDays,
    double Relevance, double Confidence, double Weight, double Decay, double Contribution, double Effect)
{
    public static HealthEventDto From(HealthContribution c) => new(
        c.Event.Id, c.Event.Title, c.Event.Category, c.Event.Subcategory, c.Signal, c.Event.EventDate, Math.Round(c.AgeDays, 1),
        c.Event.Relevance, c.Event.Confidence ?? 1, c.Weight, Math.Round(c.Decay, 4), Math.Round(c.Value, 4), Math.Round(c.Effect, 2));
}

/// <summary>GET /api/clients' search (name and domain) and filters; null leaves a filter out.</summary>
public sealed record ClientListQuery(string? Q, bool? Active, Guid? AssignedTo, string? Tier, Guid? Tag);

/// <summary>Keyset of the client list: name, then id.</summary>
public sealed record ClientCursor(string Name, Guid Id);
