using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using Tidings.Data;

namespace Tidings.Web;

/// <summary>
/// Metrics:Enabled (default false), Metrics:Urls (where the scrape endpoint listens, default
/// http://127.0.0.1:9464; ';' between several) and Metrics:Path (default /metrics).
/// </summary>
public sealed class MetricsOptions
{
    public const string Section = "Metrics";

    public bool Enabled { get; set; }
    public string Urls { get; set; } = "http://127.0.0.1:9464";
    public string Path { get; set; } = "/metrics";

    internal IEnumerable<string> Addresses => Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    internal HashSet<int> Ports() => Addresses.Select(PortOf).OfType<int>().ToHashSet();

    internal static int? PortOf(string url)
    {
        try
        {
            return BindingAddress.Parse(url) is { Scheme: "http" or "https", Port: > 0 } address ? address.Port : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}

/// <summary>
/// OpenTelemetry metrics (ASP.NET Core, the HTTP client, the .NET runtime, Npgsql's pool and commands, EF Core,
/// and Tidings' own meter) in Prometheus' text format. Off unless Metrics:Enabled; then served only on the
/// Metrics:Urls addresses, a port of its own that nothing else answers on and that the service's port never
/// serves, so a firewall can keep it private (docs/operations.md).
/// </summary>
public static class MetricsEndpoint
{
    /// <summary>The meter of Tidings' own instruments (sign-in failures, throttling...).</summary>
    public const string TidingsMeter = "Tidings";

    public static void AddTidingsMetrics(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<MetricsOptions>().BindConfiguration(MetricsOptions.Section)
            .Validate(o => !o.Enabled || (o.Addresses.Any() && o.Addresses.All(a => MetricsOptions.PortOf(a) is not null)),
                "Metrics:Urls must be one or more http addresses with a fixed port, such as http://127.0.0.1:9464.")
            .Validate(o => o.Path.StartsWith('/') && o.Path.Length > 1, "Metrics:Path must start with '/', such as /metrics.")
            .ValidateOnStart();
        var metrics = TidingsWeb.Bind<MetricsOptions>(builder.Configuration, MetricsOptions.Section);
        if (!metrics.Enabled)
            return;

        var urls = builder.WebHost.GetSetting(WebHostDefaults.ServerUrlsKey) ?? TidingsWeb.DefaultUrls;
        if (urls.Split(';').Select(MetricsOptions.PortOf).Any(p => p is not null && metrics.Ports().Contains(p.Value)))
            throw new InvalidConfigurationException("Metrics:Urls must use a port of its own, not one the service listens on.");
        builder.WebHost.UseUrls($"{urls};{metrics.Urls}");
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("tidings"))
            .WithMetrics(m => m
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter("Npgsql", "Microsoft.EntityFrameworkCore", TidingsMeter)
                .AddPrometheusExporter());
    }

    /// <summary>First in the pipeline: a scrape costs no sign-in, and the metrics port answers nothing else.</summary>
    public static void UseTidingsMetrics(this WebApplication app)
    {
        var metrics = app.Services.GetRequiredService<IOptions<MetricsOptions>>().Value;
        if (!metrics.Enabled)
            return;
        var ports = metrics.Ports();
        // The port the connection arrived on, not the Host header, which any client can set.
        bool OnMetricsPort(HttpContext http) => ports.Contains(http.Connection.LocalPort);
        app.UseOpenTelemetryPrometheusScrapingEndpoint(meterProvider: null,
            predicate: http => OnMetricsPort(http) && http.Request.Path == metrics.Path,
            path: null, configureBranchedPipeline: null, optionsName: null);
        app.Use((http, next) => OnMetricsPort(http) ? Results.NotFound().ExecuteAsync(http) : next(http));
    }
}
