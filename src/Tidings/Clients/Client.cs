using Tidings.Data.Auditing;
using Tidings.Data.SoftDelete;
using Tidings.Data.Tenancy;
using Tidings.Events;
using Tidings.Tags;
using Tidings.Users;

namespace Tidings.Clients;

/// <summary>A company the business serves and watches.</summary>
public sealed class Client : ITenantOwned, ISoftDeletable, ITimestamped, ICreatedBy
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid BusinessId { get; set; }

    public required string Name { get; set; }
    public string? Domain { get; set; }
    public string? Industry { get; set; }
    public string? Description { get; set; }

    public string? CompanySize { get; set; }
    public string? RevenueRange { get; set; }
    public string? HeadquartersLocation { get; set; }
    public int? FoundedYear { get; set; }

    /// <summary>Stored as a JSON array of strings.</summary>
    public List<string>? SearchKeywords { get; set; }
    public string MonitoringFrequency { get; set; } = MonitoringFrequencies.Daily;
    public bool IsActive { get; set; } = true;

    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? LastCheckedAt { get; set; }

    public Guid? AssignedToUserId { get; set; }
    public User? AssignedToUser { get; set; }
    public string? Tier { get; set; }
    public double? HealthScore { get; set; }
    /// <summary>Who set <see cref="HealthScore"/>: <see cref="HealthScoreSources"/>; the news signal never overwrites a person's value.</summary>
    public string? HealthScoreSource { get; set; }
    public string? Notes { get; set; }

    public Guid? CreatedByUserId { get; set; }

    public bool IsDeleted { get; set; }
    public DateTime? DeletedAt { get; set; }
    public Guid? DeletedByUserId { get; set; }

    public List<Event> Events { get; } = [];
    public List<ClientTag> ClientTags { get; } = [];
}

public static class HealthScoreSources
{
    public const string Person = "person";
    public const string News = "news";
}

public static class MonitoringFrequencies
{
    public const string Hourly = "hourly";
    public const string Daily = "daily";
    public const string Weekly = "weekly";

    public static readonly IReadOnlyList<string> All = [Hourly, Daily, Weekly];
}
