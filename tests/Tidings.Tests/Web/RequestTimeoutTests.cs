using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Tidings.Data;
using Tidings.Tests.Infrastructure;
using Tidings.Users;

namespace Tidings.Tests.Web;

/// <summary>A request that cannot finish does not hold its caller (and a connection) indefinitely: it is cut short with a problem document.</summary>
public abstract class RequestTimeoutTests<TDatabase>(TimeoutApi<TDatabase> server) where TDatabase : TestDatabase, new()
{
    [Fact]
    public async Task A_write_stuck_behind_a_lock_is_cut_short_with_a_problem_and_saves_nothing()
    {
        // Set up through the data layer: a signing-up request could itself outlast a timeout this short on a busy machine.
        var business = await server.Database.NewBusinessAsync();
        var secret = ApiToken.NewSecret(business.Id);
        await using (var setup = business.Context())
        {
            setup.ApiTokens.Add(new ApiToken
            {
                UserId = business.OwnerId, Kind = ApiToken.PersonalKind, Name = "timeouts", TokenHash = ApiToken.Hash(secret),
                ExpiresAt = StoredTime.Of(DateTime.UtcNow.AddDays(1)), LastUsedAt = StoredTime.Of(DateTime.UtcNow),
            });
            await setup.SaveChangesAsync();
        }
        var owner = server.Authorized(secret);
        (await owner.GetAsync("/api/clients")).EnsureSuccessStatusCode();

        var hold = await server.Database.HoldClientsAsync();
        var post = owner.PostAsJsonAsync("/api/clients", new { name = "Stuck" });
        // Without a timeout the write waits for the lock: the hold then ends after a while, so that failure is reported, not hung.
        var cutShort = await Task.WhenAny(post, Task.Delay(TimeSpan.FromSeconds(45))) == post;
        await hold.DisposeAsync();
        var response = await post;

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(cutShort && server.StuckWriteAnswers.Contains(response.StatusCode), $"{(int)response.StatusCode} {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.False(string.IsNullOrEmpty(JsonDocument.Parse(body).RootElement.GetProperty("title").GetString()));
        await using var db = business.Context();
        Assert.Equal(0, await db.Clients.CountAsync());
    }
}

public sealed class RequestTimeoutTests_Sqlite(SqliteTimeoutApi server) : RequestTimeoutTests<SqliteDatabase>(server), IClassFixture<SqliteTimeoutApi>;
public sealed class RequestTimeoutTests_Postgres(PostgresTimeoutApi server) : RequestTimeoutTests<PostgresDatabase>(server), IClassFixture<PostgresTimeoutApi>;

/// <summary>A service with a short request timeout.</summary>
public abstract class TimeoutApi<TDatabase> : TidingsServer<TDatabase> where TDatabase : TestDatabase, new()
{
    public abstract IReadOnlySet<HttpStatusCode> StuckWriteAnswers { get; }

    protected override void Configure(WebApplicationBuilder builder) =>
        builder.Configuration["Requests:TimeoutSeconds"] = "10";
}

/// <summary>
/// SQLite's wait for a busy file cannot be cancelled: once the write waits, the timeout passes and the wait ends
/// at the connection's Default Timeout with the busy database's 503; a timeout that fires before the write
/// reaches the file is a 504.
/// </summary>
public sealed class SqliteTimeoutApi : TimeoutApi<SqliteDatabase>
{
    public override IReadOnlySet<HttpStatusCode> StuckWriteAnswers { get; } = new HashSet<HttpStatusCode> { HttpStatusCode.ServiceUnavailable, HttpStatusCode.GatewayTimeout };

    protected override void Configure(WebApplicationBuilder builder)
    {
        base.Configure(builder);
        builder.Configuration["ConnectionStrings:Tidings"] = new SqliteConnectionStringBuilder(Database.Settings.ConnectionString) { DefaultTimeout = 15 }.ConnectionString;
    }
}

/// <summary>PostgreSQL cancels the waiting statement when the request's time is up: 504.</summary>
public sealed class PostgresTimeoutApi : TimeoutApi<PostgresDatabase>
{
    public override IReadOnlySet<HttpStatusCode> StuckWriteAnswers { get; } = new HashSet<HttpStatusCode> { HttpStatusCode.GatewayTimeout };
}
