using Tidings.Data;

namespace Tidings.Monitoring;

/// <summary>
/// The Monitoring section: whether `tidings serve` runs the monitor (Enabled, default true), the deployment's news
/// search (NewsSearchUrl, an http(s) URL template with {query}; none means no news_search sources), after how many
/// consecutive failures a source stops (StopAfterFailures, default 10), how often an idle monitor looks for due work
/// (PollInterval, default 00:00:30), how many sources one claim takes (ClaimBatch, default 50), how long a claim
/// lasts before another process may take the source (ClaimLease, default 00:05:00), and how many fetches run at once
/// (Concurrency, default 16). Fetching has its own settings in the same section (Fetching.FetchSettings).
/// </summary>
public sealed record MonitoringSettings(bool Enabled, string? NewsSearchUrl, int StopAfterFailures, TimeSpan PollInterval,
    int ClaimBatch, TimeSpan ClaimLease, int Concurrency)
{
    public const string Section = "Monitoring";

    public static MonitoringSettings From(IConfiguration configuration)
    {
        var section = configuration.GetSection(Section);
        var enabled = SettingValues.Switch(section, "Enabled", true);
        var search = section["NewsSearchUrl"] is { Length: > 0 } template ? template.Trim() : null;
        if (search is not null && (!search.Contains("{query}", StringComparison.Ordinal)
                                   || !Uri.TryCreate(search.Replace("{query}", "q", StringComparison.Ordinal), UriKind.Absolute, out var uri)
                                   || uri.Scheme is not ("http" or "https")))
            throw new InvalidConfigurationException($"{Section}:NewsSearchUrl '{search}' is not an http(s) URL template containing {{query}}.");
        return new MonitoringSettings(enabled, search,
            SettingValues.Number(section, "StopAfterFailures", 10, 1, 1000),
            SettingValues.Span(section, "PollInterval", TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1)),
            SettingValues.Number(section, "ClaimBatch", 50, 1, 1000),
            SettingValues.Span(section, "ClaimLease", TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(1), TimeSpan.FromHours(1)),
            SettingValues.Number(section, "Concurrency", 16, 1, 256));
    }
}
