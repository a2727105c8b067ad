using Tidings.Web;

namespace Tidings.Clients;

/// <summary>
/// The fields a caller may set on a client, validated the same way whether they come from a POST body
/// or a PATCH document. Each setter records a field error or a change; nothing touches the client until
/// <see cref="ApplyTo"/>, so a request with any error writes nothing. The assignee is kept apart:
/// it needs a database check (422) and may notify someone.
/// </summary>
public sealed class ClientChanges(FieldErrors errors, int currentYear)
{
    public const int MaxKeywords = 100;
    public const int MaxKeywordLength = 200;
    public const int FirstFoundedYear = 1800;

    private readonly List<Action<Client>> _changes = [];

    public bool AssigneeGiven { get; private set; }
    public Guid? Assignee { get; private set; }
    /// <summary>Whether the request set the health score: clearing it may hand the client to the news signal (ClientHealth).</summary>
    public bool HealthScoreGiven { get; private set; }

    public void Name(string? value)
    {
        errors.Required("name", value, 200);
        _changes.Add(c => c.Name = value!.Trim());
    }

    public void Domain(string? value) => Text("domain", value, 200, (c, v) => c.Domain = v);
    public void Industry(string? value) => Text("industry", value, 100, (c, v) => c.Industry = v);
    public void CompanySize(string? value) => Text("companySize", value, 50, (c, v) => c.CompanySize = v);
    public void RevenueRange(string? value) => Text("revenueRange", value, 50, (c, v) => c.RevenueRange = v);
    public void HeadquartersLocation(string? value) => Text("headquartersLocation", value, 200, (c, v) => c.HeadquartersLocation = v);
    public void Tier(string? value) => Text("tier", value, 50, (c, v) => c.Tier = v);

    // Free text (text columns in the seed): kept as written, bounded only by the request size limit.
    public void Description(string? value) => _changes.Add(c => c.Description = value);
    public void Notes(string? value) => _changes.Add(c => c.Notes = value);

    public void FoundedYear(int? value)
    {
        errors.Range("foundedYear", value, FirstFoundedYear, currentYear + 1);
        _changes.Add(c => c.FoundedYear = value);
    }

    public void SearchKeywords(List<string?>? value)
    {
        if (value is { Count: > MaxKeywords })
            errors.Add("searchKeywords", $"At most {MaxKeywords} keywords.");
        if (value is not null && value.Any(string.IsNullOrWhiteSpace))
            errors.Add("searchKeywords", "Each keyword must be a non-empty string.");
        if (value is not null && value.Any(k => k is { Length: > MaxKeywordLength }))
            errors.Add("searchKeywords", $"Each keyword has at most {MaxKeywordLength} characters.");
        // An empty list and null mean the same (no keywords); the column holds null then.
        _changes.Add(c => c.SearchKeywords = value is { Count: > 0 } ? value.Select(k => k!.Trim()).ToList() : null);
    }

    public void MonitoringFrequency(string? value)
    {
        if (value is null)
            errors.Add("monitoringFrequency", "Required.");
        errors.OneOf("monitoringFrequency", value, MonitoringFrequencies.All);
        _changes.Add(c => c.MonitoringFrequency = value!);
    }

    public void IsActive(bool? value)
    {
        if (value is null)
            errors.Add("isActive", "Required.");
        _changes.Add(c => c.IsActive = value ?? true);
    }

    public void HealthScore(double? value)
    {
        errors.Range("healthScore", value, 0, 100);
        HealthScoreGiven = true;
        // A person's value is theirs (the news never overwrites it); clearing it means nobody scored the client.
        _changes.Add(c => (c.HealthScore, c.HealthScoreSource) = (value, value is null ? null : HealthScoreSources.Person));
    }

    public void AssignedToUserId(Guid? value)
    {
        AssigneeGiven = true;
        Assignee = value;
    }

    public void ApplyTo(Client client)
    {
        if (errors.Any)
            throw new InvalidOperationException("Changes with field errors are never applied.");
        foreach (var change in _changes)
            change(client);
    }

    /// <summary>Short labels: trimmed, and blank means none.</summary>
    private void Text(string field, string? value, int maxLength, Action<Client, string?> set)
    {
        var trimmed = string.IsNullOrWhiteSpace(value) ? null : value.Trim();
        errors.MaxLength(field, trimmed, maxLength);
        _changes.Add(c => set(c, trimmed));
    }
}
