using Microsoft.EntityFrameworkCore;
using Tidings.Clients;
using Tidings.Data.Auditing;
using Tidings.Data.SoftDelete;
using Tidings.Tests.Infrastructure;

namespace Tidings.Tests.Data;

/// <summary>Writes that would skip the audit trail are refused unless a caller takes that audit on explicitly.</summary>
public abstract class DirectWriteGuardTests(TestDatabase database)
{
    [Fact]
    public async Task Set_based_deletes_and_updates_are_refused_and_change_nothing()
    {
        var a = await TenantGraph.CreateAsync(database);
        await using var db = a.Business.Context();
        await Assert.ThrowsAsync<UnauditedWriteException>(() => db.Clients.ExecuteDeleteAsync());
        await Assert.ThrowsAsync<UnauditedWriteException>(() => db.Clients.ExecuteUpdateAsync(s => s.SetProperty(c => c.Name, "renamed")));
        await Assert.ThrowsAsync<UnauditedWriteException>(() => db.Database.ExecuteSqlRawAsync("DELETE FROM tags"));
        await Assert.ThrowsAsync<UnauditedWriteException>(() => db.Database.ExecuteSqlRawAsync("-- sneaky\n  update clients set notes = 'x'"));

        await using var check = a.Business.Context();
        Assert.Equal(a.Row<Client>().Name, (await check.Clients.SingleAsync()).Name);
        Assert.Equal(1, await check.Tags.CountAsync());
    }

    [Fact]
    public async Task An_explicit_direct_write_still_stays_inside_the_business()
    {
        var a = await TenantGraph.CreateAsync(database);
        var b = await TenantGraph.CreateAsync(database);
        await using var db = a.Business.Context();
        using (db.AllowDirectWrites("bulk rename in a test"))
        {
            var changed = await db.Clients.IgnoreQueryFilters([SoftDeleteRules.Filter]).ExecuteUpdateAsync(s => s.SetProperty(c => c.Notes, "bulk"));
            Assert.Equal(1, changed);
        }
        await Assert.ThrowsAsync<UnauditedWriteException>(() => db.Clients.ExecuteUpdateAsync(s => s.SetProperty(c => c.Notes, "again")));

        await using var checkB = b.Business.Context();
        Assert.Null((await checkB.Clients.SingleAsync()).Notes);
        await using var checkA = a.Business.Context();
        Assert.Equal("bulk", (await checkA.Clients.SingleAsync()).Notes);
    }
}

public sealed class DirectWriteGuardTests_Sqlite(SqliteDatabase db) : DirectWriteGuardTests(db), IClassFixture<SqliteDatabase>;
public sealed class DirectWriteGuardTests_Postgres(PostgresDatabase db) : DirectWriteGuardTests(db), IClassFixture<PostgresDatabase>;
