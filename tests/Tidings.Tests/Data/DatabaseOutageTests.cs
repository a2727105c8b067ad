using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Tidings.Events;
using Tidings.Tests.Events;
using Tidings.Tests.Infrastructure;
using Tidings.Web;

namespace Tidings.Tests.Data;

/// <summary>
/// A database that is briefly or really unavailable: a restart costs no request anything, and while it is down
/// the service says so (503 with Retry-After, a problem document), writes nothing, and recovers by itself.
/// On PostgreSQL the server is a private cluster that the tests stop and start; on SQLite the file is held by
/// another writer for longer than the service waits for it.
/// </summary>
public abstract class DatabaseOutageTests<TDatabase>(OutageApi<TDatabase> server) where TDatabase : TestDatabase, new()
{
    protected OutageApi<TDatabase> Server => server;

    [Fact]
    public async Task While_the_database_is_unavailable_writes_answer_503_with_retry_after_and_save_nothing_then_recover()
    {
        var owner = await server.SignUpAsync();
        // The session's first use is recorded now, not during the outage.
        (await owner.Http.GetAsync("/api/clients")).EnsureSuccessStatusCode();
        var logged = server.Logs.Entries.Count;

        await server.TakeDatabaseDownAsync();
        try
        {
            await AssertUnavailableAsync(await owner.Http.PostAsJsonAsync("/api/clients", new { name = "Written during the outage" }));
            Assert.Equal(HttpStatusCode.OK, (await server.Anonymous().GetAsync("/health/live")).StatusCode);
            var ready = await server.Anonymous().GetAsync("/health/ready");
            var read = await owner.Http.GetAsync("/api/clients");
            if (server.ReadsSurviveOutage)
            {
                Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
                Assert.Equal(HttpStatusCode.OK, read.StatusCode);
            }
            else
            {
                await AssertUnavailableAsync(ready);
                await AssertUnavailableAsync(read);
            }
        }
        finally
        {
            await server.BringDatabaseBackAsync();
        }

        Assert.Equal(HttpStatusCode.OK, (await server.Anonymous().GetAsync("/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await owner.Http.PostAsJsonAsync("/api/clients", new { name = "Written after" })).StatusCode);
        await using var db = server.Database.Context(owner.BusinessId);
        Assert.Equal(["Written after"], await db.Clients.Select(c => c.Name).ToListAsync());
        // An outage is the database's, not a bug: a warning for each refused request, no error.
        var during = server.Logs.Entries.Skip(logged).ToList();
        Assert.Contains(during, e => e.Level == LogLevel.Warning && e.Message.StartsWith("Database unavailable on POST /api/clients", StringComparison.Ordinal));
        Assert.DoesNotContain(during, e => e.Level >= LogLevel.Error);
    }

    protected static async Task AssertUnavailableAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)response.StatusCode} {body}");
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("   at ", body);
    }
}

public sealed class DatabaseOutageTests_Sqlite(SqliteOutageApi server) : DatabaseOutageTests<SqliteDatabase>(server), IClassFixture<SqliteOutageApi>;

public sealed class DatabaseOutageTests_Postgres(PostgresOutageApi server) : DatabaseOutageTests<PrivatePostgresDatabase>(server), IClassFixture<PostgresOutageApi>
{
    /// <summary>Requests at once before and after the restart: as many pooled connections as the server closed.</summary>
    private const int AtOnce = 8;

    [Fact]
    public async Task The_first_requests_on_every_pooled_connection_after_a_restart_succeed()
    {
        var owner = await Server.SignUpAsync();
        var clientId = await Server.Database.AddClientAsync(owner);
        var ev = await owner.PostEventAsync(EventsTestData.Body(clientId, "Before the restart"));
        await Task.WhenAll(Enumerable.Range(0, AtOnce).Select(async _ => (await owner.Http.GetAsync("/api/events?limit=5")).EnsureSuccessStatusCode()));
        var logged = Server.Logs.Entries.Count;

        await Server.Database.StopAsync();
        await Server.Database.StartAsync();

        // Reads, a single write, an interaction and a batch written in bulk, each on a connection the restart closed.
        var answers = await Task.WhenAll(Enumerable.Range(0, AtOnce).Select(i => (i % 4) switch
        {
            0 => owner.Http.GetAsync("/api/events?limit=5"),
            1 => owner.Http.PostAsJsonAsync("/api/events", EventsTestData.Body(clientId, $"After the restart {i}")),
            2 => owner.Http.PutAsJsonAsync($"/api/events/{ev.Id}/interaction", new { isStarred = i % 8 == 2 }),
            _ => owner.Http.PostAsJsonAsync("/api/events/batch",
                new { events = Enumerable.Range(0, 25).Select(n => EventsTestData.Body(clientId, $"Batch {i}, story {n}")).ToList() }),
        }));

        foreach (var answer in answers)
            Assert.True(answer.IsSuccessStatusCode, $"{answer.RequestMessage!.Method} {answer.RequestMessage.RequestUri}: {(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync()}");
        // Every retried write ran under the business's row-level security settings, or it could not have been written.
        await using var db = Server.Database.Context(owner.BusinessId);
        Assert.Equal(1 + 2 + 2 * 25, await db.Events.CountAsync());
        // The restart cost no error. A request that meets a connection the restart closed is retried (a Warning); since
        // sign-ins are kept (SignInCache) fewer connections are pooled before it, and whether one is met is timing.
        var during = Server.Logs.Entries.Skip(logged).ToList();
        Assert.All(during.Where(e => e.Message.Contains("retried")), e => Assert.Equal(LogLevel.Warning, e.Level));
        Assert.DoesNotContain(during, e => e.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task Ready_answers_503_when_the_database_does_not_answer_within_its_timeout()
    {
        // Accepts connections and never says a word, as a server behind a dead network path would.
        using var silent = new TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        var accepted = new System.Collections.Concurrent.ConcurrentBag<Socket>();
        _ = Task.Run(async () =>
        {
            try
            {
                while (true)
                    accepted.Add(await silent.AcceptSocketAsync());
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // Stopped with the test.
            }
        });
        var port = ((System.Net.IPEndPoint)silent.LocalEndpoint).Port;
        await using var app = TidingsWeb.Build([], builder =>
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            builder.Configuration["Database:Provider"] = "postgres";
            // Npgsql alone would wait a minute to connect; the health check gives up after a second.
            builder.Configuration["ConnectionStrings:Tidings"] = $"Host=127.0.0.1;Port={port};Username=nobody;Password=x;Database=none;Timeout=60";
            builder.Configuration["Health:ReadyTimeoutSeconds"] = "1";
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        using var http = new HttpClient { BaseAddress = new Uri(address) };

        var ready = await http.GetAsync("/health/ready");

        await AssertUnavailableAsync(ready);
        var problem = JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement;
        Assert.Contains("timeout", problem.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/live")).StatusCode);
        foreach (var socket in accepted)
            socket.Dispose();
    }
}

/// <summary>A service whose database the test can make unavailable and bring back.</summary>
public abstract class OutageApi<TDatabase> : TidingsServer<TDatabase> where TDatabase : TestDatabase, new()
{
    public CapturedLogs Logs { get; } = new();

    protected override void Configure(WebApplicationBuilder builder) => Logs.AttachTo(builder);

    public abstract Task TakeDatabaseDownAsync();
    public abstract Task BringDatabaseBackAsync();

    /// <summary>True when reading (and so readiness) goes on during the outage, as SQLite's does while another writer holds the file.</summary>
    public abstract bool ReadsSurviveOutage { get; }
}

public sealed class SqliteOutageApi : OutageApi<SqliteDatabase>
{
    private IAsyncDisposable? _writer;

    public override bool ReadsSurviveOutage => true;

    // The service waits a second for a busy file, not the suite's minute.
    protected override void Configure(WebApplicationBuilder builder)
    {
        base.Configure(builder);
        builder.Configuration["ConnectionStrings:Tidings"] = new SqliteConnectionStringBuilder(Database.Settings.ConnectionString) { DefaultTimeout = 1 }.ConnectionString;
    }

    public override async Task TakeDatabaseDownAsync() => _writer = await Database.HoldClientsAsync();

    public override async Task BringDatabaseBackAsync()
    {
        await _writer!.DisposeAsync();
        _writer = null;
    }
}

public sealed class PostgresOutageApi : OutageApi<PrivatePostgresDatabase>
{
    public override bool ReadsSurviveOutage => false;

    // Retries a stopped server gives up on come quickly in tests.
    protected override void Configure(WebApplicationBuilder builder)
    {
        base.Configure(builder);
        builder.Configuration["Database:MaxRetryDelaySeconds"] = "0.2";
    }

    public override Task TakeDatabaseDownAsync() => Database.StopAsync();
    public override Task BringDatabaseBackAsync() => Database.StartAsync();
}
