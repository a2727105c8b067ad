using Microsoft.EntityFrameworkCore;
using Tidings.Data;
using Tidings.Data.Auditing;
using Tidings.Data.SoftDelete;
using Tidings.Data.Tenancy;
using Tidings.Tags;
using Tidings.Tests.Infrastructure;

namespace Tidings.Tests.Data;

/// <summary>
/// SaveInsertsInBulkAsync writes new rows by COPY (PostgreSQL), multi-row INSERTs (Citus) or one re-bound INSERT
/// (SQLite) under the same rules as SaveChangesAsync: what it writes reads back the same, is stamped and audited row
/// by row, stays in its business, and fails whole.
/// </summary>
public abstract class BulkSaveTests(TestDatabase database)
{
    [Fact]
    public async Task Every_tenant_owned_row_written_in_bulk_reads_back_as_written_with_its_own_create_audit_row()
    {
        var graph = await TenantGraph.CreateAsync(database, inBulk: true);
        await using var db = graph.Business.Context();
        Assert.Equal(db.Model.GetEntityTypes().Count(t => typeof(ITenantOwned).IsAssignableFrom(t.ClrType)), graph.Rows.Count);
        foreach (var (type, row) in graph.Rows)
        {
            var stored = await db.FindAsync(type, graph.Business.Id, EntitySets.IdOf(row));
            Assert.NotNull(stored);
            Assert.Equal(EntitySets.Values(row), EntitySets.Values(stored));
            var table = db.Model.FindEntityType(type)!.GetTableName();
            var recordId = EntitySets.IdOf(row).ToString();
            if (row is INotAudited)
            {
                // A record of delivery: the change that caused it is audited, not the record.
                Assert.False(await db.AuditLogs.AnyAsync(a => a.TableName == table && a.RecordId == recordId));
                continue;
            }
            var log = await db.AuditLogs.SingleAsync(a => a.TableName == table && a.RecordId == recordId);
            Assert.Equal((AuditActions.Create, graph.Business.Id, graph.Business.OwnerId), (log.Action, log.BusinessId, log.UserId));
            Assert.Contains("\"business_id\"", log.NewValues);
        }
        // Stamped like any insert: the server's time and the acting user, whatever the caller left.
        var ev = graph.Row<Tidings.Events.Event>();
        Assert.Equal((graph.Business.OwnerId, ev.CreatedAt, ev.CreatedAt), (ev.CreatedByUserId, ev.UpdatedAt, ev.DiscoveredAt));
        Assert.NotEqual(default, ev.CreatedAt);
    }

    [Fact]
    public async Task A_business_cannot_bulk_insert_a_row_into_another_business()
    {
        var a = await TenantGraph.CreateAsync(database);
        var b = await TenantGraph.CreateAsync(database);
        var before = await b.SnapshotAsync();
        var mine = await a.SnapshotAsync();
        await using var db = a.Business.Context();
        foreach (var type in b.Rows.Keys)
        {
            db.Add(EntitySets.Copy(b.Rows[type], newId: true));
            await Assert.ThrowsAsync<TenancyViolationException>(() => db.SaveInsertsInBulkAsync());
            db.ChangeTracker.Clear();
        }
        Assert.Equal(before, await b.SnapshotAsync());
        Assert.Equal(mine, await a.SnapshotAsync());
    }

    [Fact]
    public async Task Updates_and_deletes_are_refused_and_nothing_is_written()
    {
        var graph = await TenantGraph.CreateAsync(database);
        var before = await graph.SnapshotAsync();
        await using (var db = graph.Business.Context())
        {
            var tag = await db.Tags.SingleAsync();
            tag.Name = "Renamed in bulk";
            db.Tags.Add(new Tag { Name = "New alongside" });
            await Assert.ThrowsAsync<InvalidOperationException>(() => db.SaveInsertsInBulkAsync());
            db.ChangeTracker.Clear();
            db.Tags.Remove(await db.Tags.SingleAsync());
            await Assert.ThrowsAsync<InvalidOperationException>(() => db.SaveInsertsInBulkAsync());
        }
        Assert.Equal(before, await graph.SnapshotAsync());
        await using var check = graph.Business.Context();
        Assert.Equal(1, await check.Tags.IgnoreQueryFilters([SoftDeleteRules.Filter]).CountAsync());
    }

    [Fact]
    public async Task A_bulk_write_the_database_refuses_leaves_neither_its_rows_nor_their_audit_rows()
    {
        var business = await database.NewBusinessAsync();
        await using (var db = business.Context())
        {
            db.Tags.Add(new Tag { Name = "Taken" });
            await db.SaveChangesAsync();
        }
        var audit = await AuditCountAsync(business);
        await using (var db = business.Context())
        {
            // Fine tags first, the clashing one last: the rows before it must go too.
            db.Tags.AddRange(Enumerable.Range(0, 30).Select(i => new Tag { Name = $"Fine {i}" }).Append(new Tag { Name = "Taken" }));
            // Reported as SaveChanges reports it, so the API answers 409 for both.
            var refused = await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveInsertsInBulkAsync());
            Assert.IsAssignableFrom<System.Data.Common.DbException>(refused.InnerException);
        }
        await using var check = business.Context();
        Assert.Equal(["Taken"], await check.Tags.IgnoreQueryFilters([SoftDeleteRules.Filter]).Select(t => t.Name).ToListAsync());
        Assert.Equal(audit, await AuditCountAsync(business));
    }

    [Fact]
    public async Task Thousands_of_rows_go_in_whole_or_not_at_all_however_many_statements_carry_them()
    {
        // More rows than one statement carries on Citus (multi-row INSERTs of at most a thousand), audit rows included.
        var business = await database.NewBusinessAsync();
        await using (var db = business.Context())
        {
            db.Tags.AddRange(Enumerable.Range(0, 2_400).Select(i => new Tag { Name = $"Tag {i:D4}" }));
            await db.SaveInsertsInBulkAsync();
        }
        await using (var check = business.Context())
        {
            Assert.Equal(Enumerable.Range(0, 2_400).Select(i => $"Tag {i:D4}"), await check.Tags.OrderBy(t => t.Name).Select(t => t.Name).ToListAsync());
            Assert.Equal(2_400, await check.AuditLogs.CountAsync(a => a.TableName == "tags" && a.Action == AuditActions.Create));
        }
        var audit = await AuditCountAsync(business);

        // The clash in the last statement's rows: the thousands written by the statements before it go too.
        await using (var db = business.Context())
        {
            db.Tags.AddRange(Enumerable.Range(0, 2_400).Select(i => new Tag { Name = $"More {i:D4}" }).Append(new Tag { Name = "Tag 0000" }));
            await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveInsertsInBulkAsync());
        }
        await using var after = business.Context();
        Assert.Equal(2_400, await after.Tags.IgnoreQueryFilters([SoftDeleteRules.Filter]).CountAsync());
        Assert.Equal(audit, await AuditCountAsync(business));
    }

    private static async Task<int> AuditCountAsync(TestBusiness business)
    {
        await using var db = business.Context();
        return await db.AuditLogs.CountAsync();
    }
}

public sealed class BulkSaveTests_Sqlite(SqliteDatabase db) : BulkSaveTests(db), IClassFixture<SqliteDatabase>;
public sealed class BulkSaveTests_Postgres(PostgresDatabase db) : BulkSaveTests(db), IClassFixture<PostgresDatabase>;
public sealed class BulkSaveTests_Citus(CitusDatabase db) : BulkSaveTests(db), IClassFixture<CitusDatabase>;
