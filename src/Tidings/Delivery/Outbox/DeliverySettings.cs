using Tidings.Data;

namespace Tidings.Delivery.Outbox;

/// <summary>
/// The Delivery section: whether `tidings serve` runs the dispatcher (Enabled, default true), how often an idle
/// dispatcher looks for due messages when no change of its own process woke it (PollInterval, default 00:00:01), how
/// many messages one claim takes (ClaimBatch, default 50: what a process that dies mid-claim sends again), how long a claim lasts before another process may take the
/// messages (ClaimLease, default 00:02:00), how many deliveries run at once (Concurrency, default 32), how long
/// delivered and failed messages and the delivery log are kept (Retention, default 14.00:00:00), and the app's public
/// address for links in Slack messages (Email:BaseUrl, shared with e-mail).
/// </summary>
public sealed record DeliverySettings(bool Enabled, TimeSpan PollInterval, int ClaimBatch, TimeSpan ClaimLease, int Concurrency, TimeSpan Retention,
    string BaseUrl)
{
    public const string Section = "Delivery";

    /// <summary>
    /// The waits after each failed attempt, as the Standard Webhooks specification suggests: a message is tried eight
    /// times over about 27 hours (with a tenth of jitter either way), then given up and its endpoint disabled.
    /// </summary>
    public static readonly IReadOnlyList<TimeSpan> RetryDelays =
    [
        TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2),
        TimeSpan.FromHours(5), TimeSpan.FromHours(10), TimeSpan.FromHours(10),
    ];

    public static DeliverySettings From(IConfiguration configuration)
    {
        var section = configuration.GetSection(Section);
        var baseUrl = configuration["Email:BaseUrl"] is { Length: > 0 } url ? url.TrimEnd('/') : "http://127.0.0.1:5080";
        return new DeliverySettings(
            SettingValues.Switch(section, "Enabled", true),
            SettingValues.Span(section, "PollInterval", TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(50), TimeSpan.FromHours(1)),
            SettingValues.Number(section, "ClaimBatch", 50, 1, 5000),
            SettingValues.Span(section, "ClaimLease", TimeSpan.FromMinutes(2), TimeSpan.FromSeconds(1), TimeSpan.FromHours(1)),
            SettingValues.Number(section, "Concurrency", 32, 1, 512),
            SettingValues.Span(section, "Retention", TimeSpan.FromDays(14), TimeSpan.FromMinutes(1), TimeSpan.FromDays(3650)),
            baseUrl);
    }
}
