using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Tidings.Data;
using Tidings.Data.Auditing;
using Tidings.Tests.Infrastructure;
using Tidings.Users;

namespace Tidings.Tests.Users;

public abstract class ExpiredTokenCleanupTests(TestDatabase database)
{
    [Fact]
    public async Task One_pass_deletes_every_business_expired_sessions_and_tokens_in_audited_batches_and_keeps_live_ones()
    {
        var a = await database.NewBusinessAsync();
        var b = await database.NewBusinessAsync();
        var aExpired = await TokensAsync(a, (ApiToken.SessionKind, -1), (ApiToken.PersonalKind, -0.001));
        var aLive = await TokensAsync(a, (ApiToken.SessionKind, 1), (ApiToken.PersonalKind, 30));
        var bExpired = await TokensAsync(b, (ApiToken.SessionKind, -3), (ApiToken.SessionKind, -2), (ApiToken.PersonalKind, -1));
        var bLive = await TokensAsync(b, (ApiToken.SessionKind, 0.01));
        await using var services = Services(batchSize: 2);
        var cleanup = services.GetRequiredService<ExpiredTokenCleanup>();

        Assert.Equal(5, await cleanup.RunOnceAsync(CancellationToken.None));

        Assert.Equal(aLive.Order(), await TokenIdsAsync(a));
        Assert.Equal(bLive.Order(), await TokenIdsAsync(b));
        // A's two fit in one batch, B's three take two: one PURGE entry per batch, in the business, listing its ids.
        var aPurges = await PurgesAsync(a);
        Assert.Equal([aExpired.Order().ToList()], aPurges.Select(p => IdsIn(p).Order().ToList()));
        var bPurges = await PurgesAsync(b);
        Assert.Equal([2, 1], bPurges.Select(p => IdsIn(p).Count));
        Assert.Equal(bExpired.Order(), bPurges.SelectMany(IdsIn).Order());
        Assert.All(aPurges.Concat(bPurges), p => Assert.Equal(("system:" + ExpiredTokenCleanup.ActorName, null), (p.ActorName, p.UserId)));

        // Nothing left to do: a second pass deletes and audits nothing in either business.
        Assert.Equal(0, await cleanup.RunOnceAsync(CancellationToken.None));
        Assert.Single(await PurgesAsync(a));
        Assert.Equal(2, (await PurgesAsync(b)).Count);
    }

    [Theory]
    [InlineData("Sessions:CleanupInterval", "hourly")]
    [InlineData("Sessions:CleanupInterval", "-00:05:00")]
    [InlineData("Sessions:CleanupBatchSize", "0")]
    [InlineData("Sessions:CleanupBatchSize", "lots")]
    public void A_bad_cleanup_setting_is_bad_configuration(string key, string value)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [key] = value }).Build();
        var error = Assert.Throws<InvalidConfigurationException>(() => ExpiredTokenCleanupSettings.From(configuration));
        Assert.Contains(key, error.Message);
    }

    private ServiceProvider Services(int batchSize)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = database.Provider == DatabaseProvider.Sqlite ? "sqlite" : "postgres",
            ["ConnectionStrings:Tidings"] = database.Settings.ConnectionString,
            ["Sessions:CleanupBatchSize"] = batchSize.ToString(),
        }).Build();
        return new ServiceCollection().AddLogging().AddTidingsData(configuration).AddExpiredTokenCleanup(configuration).BuildServiceProvider();
    }

    /// <summary>Tokens of the business's owner, each expiring <c>days</c> from now (negative: already expired).</summary>
    private static async Task<List<Guid>> TokensAsync(TestBusiness business, params (string Kind, double Days)[] tokens)
    {
        await using var db = business.Context();
        var rows = tokens.Select(t => new ApiToken
        {
            UserId = business.OwnerId, Kind = t.Kind, Name = t.Kind, TokenHash = ApiToken.Hash(ApiToken.NewSecret(business.Id)),
            ExpiresAt = StoredTime.Of(DateTime.UtcNow.AddDays(t.Days)),
        }).ToList();
        db.ApiTokens.AddRange(rows);
        await db.SaveChangesAsync();
        return rows.Select(r => r.Id).ToList();
    }

    private static async Task<List<Guid>> TokenIdsAsync(TestBusiness business)
    {
        await using var db = business.Context();
        return (await db.ApiTokens.Select(t => t.Id).ToListAsync()).Order().ToList();
    }

    private static async Task<List<AuditLog>> PurgesAsync(TestBusiness business)
    {
        await using var db = business.Context();
        return await db.AuditLogs.Where(l => l.TableName == "api_tokens" && l.Action == AuditActions.Purge)
            .OrderBy(l => l.CreatedAt).ThenBy(l => l.Id).ToListAsync();
    }

    private static List<Guid> IdsIn(AuditLog purge) =>
        JsonDocument.Parse(purge.OldValues!).RootElement.GetProperty("ids").EnumerateArray().Select(e => e.GetGuid()).ToList();
}

public sealed class ExpiredTokenCleanupTests_Sqlite(SqliteDatabase db) : ExpiredTokenCleanupTests(db), IClassFixture<SqliteDatabase>;
public sealed class ExpiredTokenCleanupTests_Postgres(PostgresDatabase db) : ExpiredTokenCleanupTests(db), IClassFixture<PostgresDatabase>;
