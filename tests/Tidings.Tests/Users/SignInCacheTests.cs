using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Tidings.Data;
using Tidings.Tests.Infrastructure;
using Tidings.Users;

namespace Tidings.Tests.Users;

/// <summary>
/// The kept sign-ins (SignInCache): a change made through this process is seen at once, one made by another
/// process (here raw SQL around the data layer, as another Tidings process's save looks to this one) when the
/// kept entry lapses, and at once with the cache off.
/// </summary>
public abstract class SignInCacheTests<TDatabase>(CachedSignInApi<TDatabase> server) where TDatabase : TestDatabase, new()
{
    [Fact]
    public async Task A_token_deleted_by_another_process_works_until_its_kept_sign_in_lapses_then_is_refused()
    {
        var owner = await server.SignUpAsync();
        Assert.Equal(HttpStatusCode.OK, (await owner.Http.GetAsync("/api/clients")).StatusCode);

        await using (var sql = new RawSql(server.Database))
            Assert.Equal(1, await sql.ExecuteAsync("DELETE FROM api_tokens WHERE user_id = @user", ("user", owner.Id)));

        // Kept: no lookup, so the deleted token still signs in (the documented delay between processes).
        Assert.Equal(HttpStatusCode.OK, (await owner.Http.GetAsync("/api/clients")).StatusCode);
        server.Clock.Advance(CachedSignInApi<TDatabase>.Lifetime + TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.Unauthorized, (await owner.Http.GetAsync("/api/clients")).StatusCode);
    }

    [Fact]
    public async Task Ending_a_session_through_this_process_refuses_it_at_once_although_it_was_kept()
    {
        var owner = await server.SignUpAsync();
        var other = await server.LogInAsync(owner.Email, UserRoles.Owner);
        Assert.Equal(HttpStatusCode.OK, (await other.Http.GetAsync("/api/clients")).StatusCode);

        var ended = await owner.Http.PostAsync("/api/me/sessions/revoke-all", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        Assert.True(ended.IsSuccessStatusCode, $"{(int)ended.StatusCode}");
        Assert.Equal(HttpStatusCode.Unauthorized, (await other.Http.GetAsync("/api/clients")).StatusCode);
    }

    [Fact]
    public async Task A_person_deactivated_around_the_api_in_this_process_is_refused_at_once()
    {
        var owner = await server.SignUpAsync();
        var member = await server.AddUserAsync(owner, UserRoles.Member);
        Assert.Equal(HttpStatusCode.OK, (await member.Http.GetAsync("/api/clients")).StatusCode);

        await using (var db = server.Database.Context(owner.BusinessId, TestActors.User(owner.Id, owner.BusinessId)))
        {
            var user = await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.SingleAsync(db.Users, u => u.Id == member.Id);
            user.IsActive = false;
            await db.SaveChangesAsync();
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await member.Http.GetAsync("/api/clients")).StatusCode);
    }

    [Theory]
    [InlineData("soon")]
    [InlineData("-00:00:01")]
    [InlineData("00:05:01")]
    public void A_bad_lifetime_is_bad_configuration(string value)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new(SignInCache.Setting, value)]).Build();
        var refused = Assert.Throws<InvalidConfigurationException>(() => SignInCache.LifetimeFrom(configuration));
        Assert.Contains(SignInCache.Setting, refused.Message);
    }
}

public abstract class UncachedSignInTests<TDatabase>(UncachedSignInApi<TDatabase> server) where TDatabase : TestDatabase, new()
{
    [Fact]
    public async Task With_the_cache_off_a_token_deleted_by_another_process_is_refused_at_once()
    {
        var owner = await server.SignUpAsync();
        Assert.Equal(HttpStatusCode.OK, (await owner.Http.GetAsync("/api/clients")).StatusCode);
        await using (var sql = new RawSql(server.Database))
            await sql.ExecuteAsync("DELETE FROM api_tokens WHERE user_id = @user", ("user", owner.Id));
        Assert.Equal(HttpStatusCode.Unauthorized, (await owner.Http.GetAsync("/api/clients")).StatusCode);
    }
}

/// <summary>A clock the test moves by hand.</summary>
public sealed class MovableClock : TimeProvider
{
    private DateTimeOffset _now = DateTimeOffset.UtcNow;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}

public abstract class CachedSignInApi<TDatabase> : TidingsServer<TDatabase> where TDatabase : TestDatabase, new()
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);

    public MovableClock Clock { get; } = new();

    protected override void Configure(WebApplicationBuilder builder)
    {
        builder.Configuration[SignInCache.Setting] = Lifetime.ToString();
        builder.Services.AddSingleton<TimeProvider>(Clock);
    }
}

public sealed class CachedSignInSqliteApi : CachedSignInApi<SqliteDatabase>;
public sealed class CachedSignInPostgresApi : CachedSignInApi<PostgresDatabase>;

public abstract class UncachedSignInApi<TDatabase> : TidingsServer<TDatabase> where TDatabase : TestDatabase, new()
{
    protected override void Configure(WebApplicationBuilder builder) => builder.Configuration[SignInCache.Setting] = "00:00:00";
}

public sealed class UncachedSignInSqliteApi : UncachedSignInApi<SqliteDatabase>;
public sealed class UncachedSignInPostgresApi : UncachedSignInApi<PostgresDatabase>;
public sealed class UncachedSignInTests_Sqlite(UncachedSignInSqliteApi server) : UncachedSignInTests<SqliteDatabase>(server), IClassFixture<UncachedSignInSqliteApi>;
public sealed class UncachedSignInTests_Postgres(UncachedSignInPostgresApi server) : UncachedSignInTests<PostgresDatabase>(server), IClassFixture<UncachedSignInPostgresApi>;

public sealed class SignInCacheTests_Sqlite(CachedSignInSqliteApi server) : SignInCacheTests<SqliteDatabase>(server), IClassFixture<CachedSignInSqliteApi>;
public sealed class SignInCacheTests_Postgres(CachedSignInPostgresApi server) : SignInCacheTests<PostgresDatabase>(server), IClassFixture<CachedSignInPostgresApi>;

public sealed class SignInCacheRaceTests
{
    [Fact]
    public void A_lookup_that_raced_a_forgetting_keeps_nothing()
    {
        using var cache = new SignInCache(TimeSpan.FromSeconds(30), TimeProvider.System);
        var signedIn = new SignedIn(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), "Someone", UserRoles.Member, DateTime.UtcNow.AddDays(1));

        // Read before the change committed, kept after it was forgotten: the stale answer must not stay.
        var before = cache.Generation;
        cache.Forget([signedIn.UserId], []);
        cache.Keep("stale", signedIn, before);
        Assert.Null(cache.Find("stale"));

        cache.Keep("fresh", signedIn, cache.Generation);
        Assert.Equal(signedIn, cache.Find("fresh"));
        cache.Forget([], [signedIn.BusinessId]);
        Assert.Null(cache.Find("fresh"));
    }

    [Fact]
    public void A_lookup_that_raced_only_the_forgetting_of_someone_else_is_kept()
    {
        using var cache = new SignInCache(TimeSpan.FromSeconds(30), TimeProvider.System);
        var signedIn = new SignedIn(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), "Someone", UserRoles.Member, DateTime.UtcNow.AddDays(1));

        var before = cache.Generation;
        cache.Forget([Guid.NewGuid()], [Guid.NewGuid()]);
        cache.Keep("kept", signedIn, before);
        Assert.Equal(signedIn, cache.Find("kept"));

        // So many forgettings since the lookup that the record no longer reaches back to it: keep nothing, to be safe.
        var longAgo = cache.Generation;
        for (var i = 0; i < 2000; i++)
            cache.Forget([Guid.NewGuid()], []);
        cache.Keep("unsure", signedIn, longAgo);
        Assert.Null(cache.Find("unsure"));
    }
}
