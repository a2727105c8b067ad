using System.Data.Common;
using System.Net;
using System.Net.Http.Json;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Tidings.Data;
using Tidings.Tests.Infrastructure;
using Tidings.Web;

namespace Tidings.Tests.Web;

/// <summary>What the service logs about requests that go wrong, at which level, and what it answers them.</summary>
public abstract class LoggingTests<TDatabase>(LoggedApi<TDatabase> server) where TDatabase : TestDatabase, new()
{
    private const string Handler = "Tidings.Web.ProblemExceptionHandler";

    [Fact]
    public async Task A_tenancy_violation_is_logged_as_a_warning_with_the_request_and_answers_404()
    {
        // A token naming no business (the empty id) is refused by the tenancy rules, not by a lookup: a probe.
        var forged = server.Anonymous();
        forged.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", $"tdg_{Guid.Empty:N}_{new string('0', 64)}");

        var response = await forged.GetAsync("/api/clients");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var entry = await server.Logs.WaitForAsync(e => e.Category == Handler && e.Message.StartsWith("Tenancy violation", StringComparison.Ordinal), "about the tenancy violation");
        Assert.Equal(LogLevel.Warning, entry.Level);
        Assert.Equal("GET", entry["Method"]);
        Assert.Equal("/api/clients", entry["Path"]?.ToString());
        Assert.Contains("empty id", entry["Reason"]?.ToString());
    }

    [Fact]
    public async Task An_unexpected_error_answers_500_with_the_trace_id_that_its_error_log_carries()
    {
        var owner = await server.SignUpAsync();
        await using var raw = new RawSql(server.Database);
        // A table missing under the service: a fault no input can cause.
        await raw.ExecuteAsync("ALTER TABLE tags RENAME TO tags_gone");
        HttpResponseMessage response;
        try
        {
            response = await owner.Http.GetAsync("/api/tags");
        }
        finally
        {
            await raw.ExecuteAsync("ALTER TABLE tags_gone RENAME TO tags");
        }

        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.DoesNotContain("tags_gone", body);
        var traceId = JsonDocument.Parse(body).RootElement.GetProperty("traceId").GetString();
        Assert.False(string.IsNullOrEmpty(traceId));
        var entry = await server.Logs.WaitForAsync(e => e.Category == Handler && e.Level == LogLevel.Error && Equals(e["TraceId"], traceId), $"at Error with trace id {traceId}");
        Assert.Equal("/api/tags", entry["Path"]?.ToString());
        Assert.NotNull(entry.Exception);
    }

    [Fact]
    public async Task A_client_that_disconnects_while_sending_its_body_is_not_an_error_nor_a_500()
    {
        var owner = await server.SignUpAsync();
        var client = await owner.Http.PostAsJsonAsync("/api/clients", new { name = "Half a change" });
        var clientId = JsonDocument.Parse(await client.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();
        var probe = Guid.NewGuid().ToString("N");
        var logged = server.Logs.Entries.Count;

        using (var tcp = new TcpClient())
        {
            await tcp.ConnectAsync(server.BaseAddress.Host, server.BaseAddress.Port);
            // Announces a body and sends a tenth of it.
            var request = $"PATCH /api/clients/{clientId}?probe={probe} HTTP/1.1\r\nHost: {server.BaseAddress.Authority}\r\n" +
                $"Authorization: Bearer {owner.Http.DefaultRequestHeaders.Authorization!.Parameter}\r\n" +
                "Content-Type: application/merge-patch+json\r\nContent-Length: 100\r\n\r\n{\"notes\":\"";
            await tcp.GetStream().WriteAsync(Encoding.ASCII.GetBytes(request));
            await server.Logs.WaitForAsync(e => e.Message.StartsWith("Request starting", StringComparison.Ordinal) && e.Message.Contains(probe), "that the request started");
            tcp.Client.LingerState = new LingerOption(true, 0);
        }
        await server.Logs.WaitForAsync(e => e.Message.StartsWith("Request finished", StringComparison.Ordinal) && e.Message.Contains(probe), "that the request finished");

        var during = server.Logs.Entries.Skip(logged).ToList();
        var finished = during.Single(e => e.Message.StartsWith("Request finished", StringComparison.Ordinal) && e.Message.Contains(probe));
        Assert.NotEqual(500, finished["StatusCode"]);
        Assert.DoesNotContain(during, e => e.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task A_client_that_disconnects_while_its_request_waits_on_the_database_is_not_an_error_nor_a_500()
    {
        var owner = await server.SignUpAsync();
        (await owner.Http.GetAsync("/api/clients")).EnsureSuccessStatusCode();
        var probe = Guid.NewGuid().ToString("N");
        var logged = server.Logs.Entries.Count;

        await using (await server.Database.HoldClientsAsync())
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(server.BaseAddress.Host, server.BaseAddress.Port);
            const string body = """{"name":"Never written"}""";
            var request = $"POST /api/clients?probe={probe} HTTP/1.1\r\nHost: {server.BaseAddress.Authority}\r\n" +
                $"Authorization: Bearer {owner.Http.DefaultRequestHeaders.Authorization!.Parameter}\r\n" +
                $"Content-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n{body}";
            await tcp.GetStream().WriteAsync(Encoding.ASCII.GetBytes(request));
            await server.Logs.WaitForAsync(e => e.Message.StartsWith("Request starting", StringComparison.Ordinal) && e.Message.Contains(probe), "that the request started");
            // SQLite shows no waiters; there the file stays held past the disconnect, whatever the request is doing by then.
            if (server.Database.Provider == DatabaseProvider.Postgres)
                await server.Database.WaitForLockWaiterAsync();
            // Gone without a goodbye: a reset, as a closed browser tab or a killed script leaves it.
            tcp.Client.LingerState = new LingerOption(true, 0);
            tcp.Close();
            await server.Logs.WaitForAsync(e => e.Message.StartsWith("Request finished", StringComparison.Ordinal) && e.Message.Contains(probe), "that the request finished");
        }

        var during = server.Logs.Entries.Skip(logged).ToList();
        var finished = during.Single(e => e.Message.StartsWith("Request finished", StringComparison.Ordinal) && e.Message.Contains(probe));
        Assert.NotEqual(500, finished["StatusCode"]);
        Assert.DoesNotContain(during, e => e.Level >= LogLevel.Error);
    }
}

public sealed class LoggingTests_Sqlite(SqliteLoggedApi server) : LoggingTests<SqliteDatabase>(server), IClassFixture<SqliteLoggedApi>;
public sealed class LoggingTests_Postgres(PostgresLoggedApi server) : LoggingTests<PostgresDatabase>(server), IClassFixture<PostgresLoggedApi>;

/// <summary>A service whose every log entry the tests can read.</summary>
public abstract class LoggedApi<TDatabase> : TidingsServer<TDatabase> where TDatabase : TestDatabase, new()
{
    public CapturedLogs Logs { get; } = new();

    protected override void Configure(WebApplicationBuilder builder) => Logs.AttachTo(builder);
}

public sealed class SqliteLoggedApi : LoggedApi<SqliteDatabase>
{
    // A held file keeps a request waiting a few seconds, not the suite's minute.
    protected override void Configure(WebApplicationBuilder builder)
    {
        base.Configure(builder);
        builder.Configuration["ConnectionStrings:Tidings"] = new SqliteConnectionStringBuilder(Database.Settings.ConnectionString) { DefaultTimeout = 3 }.ConnectionString;
    }
}

public sealed class PostgresLoggedApi : LoggedApi<PostgresDatabase>;
