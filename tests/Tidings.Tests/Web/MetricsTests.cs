using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Tidings.Data;
using Tidings.Tests.Infrastructure;
using Tidings.Web;

namespace Tidings.Tests.Web;

/// <summary>The Prometheus scrape endpoint: absent unless turned on, and then only on a port of its own.</summary>
public abstract class MetricsTests<TDatabase>(MetricsApi<TDatabase> metered, TidingsServer<TDatabase> plain) where TDatabase : TestDatabase, new()
{
    [Fact]
    public async Task Metrics_are_not_served_by_default()
    {
        // Signed in: an anonymous caller is refused (401) on any path the service does not serve as anonymous.
        var owner = await plain.SignUpAsync();
        var response = await owner.Http.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.DoesNotContain("# TYPE", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task When_on_the_metrics_port_serves_http_runtime_database_and_tidings_metrics_and_nothing_else()
    {
        var owner = await metered.SignUpAsync();
        (await owner.Http.GetAsync("/api/clients")).EnsureSuccessStatusCode();
        // Tidings' own instruments live on its meter; any instrument on that meter is scraped.
        using var meter = new Meter(MetricsEndpoint.TidingsMeter);
        meter.CreateCounter<long>("tidings.test.probes").Add(1);
        using var scraper = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{metered.MetricsPort}") };

        var scrape = await scraper.GetAsync("/metrics");

        var text = await scrape.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, scrape.StatusCode);
        Assert.Equal("text/plain", scrape.Content.Headers.ContentType?.MediaType);
        var expected = new List<string> { "http_server_request_duration_seconds_bucket", "dotnet_gc_collections_total", "tidings_test_probes_total" };
        if (metered.Database.Provider == DatabaseProvider.Postgres)
            expected.Add("db_client_");
        Assert.All(expected, name => Assert.True(text.Contains(name, StringComparison.Ordinal), $"no {name} in:\n{text}"));

        Assert.NotEqual(metered.MetricsPort, metered.BaseAddress.Port);
        Assert.Equal(HttpStatusCode.NotFound, (await owner.Http.GetAsync("/metrics")).StatusCode);
        using var onMetricsPort = new HttpRequestMessage(HttpMethod.Get, "/api/clients") { Headers = { Authorization = owner.Http.DefaultRequestHeaders.Authorization } };
        Assert.Equal(HttpStatusCode.NotFound, (await scraper.SendAsync(onMetricsPort)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await scraper.GetAsync("/health/live")).StatusCode);
    }
}

public sealed class MetricsTests_Sqlite(SqliteMetricsApi metered, SqliteApi plain)
    : MetricsTests<SqliteDatabase>(metered, plain), IClassFixture<SqliteMetricsApi>, IClassFixture<SqliteApi>;
public sealed class MetricsTests_Postgres(PostgresMetricsApi metered, PostgresApi plain)
    : MetricsTests<PostgresDatabase>(metered, plain), IClassFixture<PostgresMetricsApi>, IClassFixture<PostgresApi>;

/// <summary>A service with metrics on, scraped on a free port of its own.</summary>
public abstract class MetricsApi<TDatabase> : TidingsServer<TDatabase> where TDatabase : TestDatabase, new()
{
    public int MetricsPort { get; } = FreePort();

    protected override void Configure(WebApplicationBuilder builder)
    {
        builder.Configuration["Metrics:Enabled"] = "true";
        builder.Configuration["Metrics:Urls"] = $"http://127.0.0.1:{MetricsPort}";
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

public sealed class SqliteMetricsApi : MetricsApi<SqliteDatabase>;
public sealed class PostgresMetricsApi : MetricsApi<PostgresDatabase>;
