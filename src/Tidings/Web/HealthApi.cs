using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Tidings.Data;

namespace Tidings.Web;

/// <summary>Health:ReadyTimeoutSeconds: how long /health/ready waits for the database before it answers "not ready".</summary>
public sealed class HealthOptions
{
    public const string Section = "Health";

    public double ReadyTimeoutSeconds { get; set; } = 5;
}

/// <summary>
/// /health/live: the process answers HTTP (restart it when this fails). /health/ready: it can also reach its
/// database through ASP.NET Core's health checks, each bounded by Health:ReadyTimeoutSeconds (send it no
/// traffic while this fails). Neither needs a sign-in, and neither says more than that.
/// </summary>
public static class HealthApi
{
    public const string ReadyTag = "ready";

    public static IServiceCollection AddTidingsHealth(this IServiceCollection services)
    {
        services.AddOptions<HealthOptions>().BindConfiguration(HealthOptions.Section)
            .Validate(o => o.ReadyTimeoutSeconds is > 0 and <= 60, "Health:ReadyTimeoutSeconds must be above 0 and at most 60.")
            .ValidateOnStart();
        // Opens a new connection, as a node coming back would: a stopped or unreachable server fails it at once.
        services.AddHealthChecks().AddDbContextCheck<TidingsDbContext>("database", tags: [ReadyTag]);
        services.AddOptions<HealthCheckServiceOptions>().Configure<IOptions<HealthOptions>>((checks, health) =>
        {
            foreach (var check in checks.Registrations)
                check.Timeout = TimeSpan.FromSeconds(health.Value.ReadyTimeoutSeconds);
        });
        return services;
    }

    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        var health = app.MapGroup("/health").WithTags("Health").AllowAnonymous();
        health.MapGet("/live", () => TypedResults.Ok(new { status = "live" }));
        health.MapGet("/ready", async Task<IResult> (HealthCheckService checks, IOptions<HealthOptions> options, HttpResponse response, CancellationToken ct) =>
        {
            var timeout = TimeSpan.FromSeconds(options.Value.ReadyTimeoutSeconds);
            HealthReport report;
            try
            {
                // Each check is cancelled at the timeout, but Npgsql does not give up a half-open connection before its
                // own connect Timeout: the answer does not wait for that.
                report = await checks.CheckHealthAsync(c => c.Tags.Contains(ReadyTag), ct).WaitAsync(timeout, ct);
            }
            catch (TimeoutException)
            {
                return NotReady(response, $"no answer within the {options.Value.ReadyTimeoutSeconds} s timeout");
            }
            if (report.Status == HealthStatus.Healthy)
                return TypedResults.Ok(new { status = "ready" });
            return NotReady(response, string.Join("; ", report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy)
                .Select(e => $"{e.Key}: {Why(e.Value, options.Value)}")));
        });
        return app;
    }

    /// <summary>The check's own words, never an exception's message: that may name hosts and ports.</summary>
    private static string Why(HealthReportEntry entry, HealthOptions options) => entry.Exception switch
    {
        OperationCanceledException => $"no answer within the {options.ReadyTimeoutSeconds} s timeout",
        null => entry.Description ?? "unreachable",
        _ => "unreachable",
    };

    private static IResult NotReady(HttpResponse response, string detail)
    {
        response.Headers.RetryAfter = ProblemExceptionHandler.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Problem(title: "Not ready", detail: detail, statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}
