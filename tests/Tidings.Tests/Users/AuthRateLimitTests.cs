using System.Net;
using System.Net.Http.Json;
using Tidings.Tests.Infrastructure;
using Tidings.Users;

namespace Tidings.Tests.Users;

/// <summary>Sign-up and personal tokens under ASP.NET Core's rate limiter, per client address (3 an hour here).</summary>
public abstract class AuthRateLimitTests<TDatabase>(ProxiedApi<TDatabase> server) where TDatabase : TestDatabase, new()
{
    [Fact]
    public async Task Sign_ups_beyond_the_limit_of_one_address_answer_429_and_create_nothing()
    {
        var address = ProxiedApi<TDatabase>.NewAddress();
        for (var i = 0; i < ProxiedApi<TDatabase>.SignupsPerAddress; i++)
            Assert.Equal(HttpStatusCode.Created, (await SignUpAsync(server.From(address), "Allowed " + i)).StatusCode);
        var name = "Refused " + Guid.NewGuid().ToString("N")[..8];
        var refused = await SignUpAsync(server.From(address), name);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero, "no Retry-After");
        await using var sql = new RawSql(server.Database);
        Assert.Equal(0L, Convert.ToInt64(await sql.ScalarAsync("SELECT count(*) FROM businesses WHERE name = @name", ("name", name))));
        Assert.Equal(HttpStatusCode.Created, (await SignUpAsync(server.From(ProxiedApi<TDatabase>.NewAddress()), name)).StatusCode);
    }

    [Fact]
    public async Task Token_creation_beyond_the_limit_of_one_address_answers_429()
    {
        var owner = await server.SignUpAsync();
        for (var i = 0; i < ProxiedApi<TDatabase>.TokensPerAddress; i++)
            Assert.Equal(HttpStatusCode.Created, (await owner.Http.PostAsJsonAsync("/api/me/tokens", new { name = "script " + i })).StatusCode);

        var refused = await owner.Http.PostAsJsonAsync("/api/me/tokens", new { name = "one too many" });
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero, "no Retry-After");
        Assert.DoesNotContain("one too many", await owner.Http.GetStringAsync("/api/me/tokens"));
    }

    private static Task<HttpResponseMessage> SignUpAsync(HttpClient client, string businessName) =>
        client.PostAsJsonAsync("/api/auth/signup", new { businessName, email = $"owner-{Guid.NewGuid():N}@example.test", password = ApiUser.Password, displayName = "Owner" });
}

public sealed class AuthRateLimitTests_Sqlite(SqliteProxiedApi server) : AuthRateLimitTests<SqliteDatabase>(server), IClassFixture<SqliteProxiedApi>;
public sealed class AuthRateLimitTests_Postgres(PostgresProxiedApi server) : AuthRateLimitTests<PostgresDatabase>(server), IClassFixture<PostgresProxiedApi>;
