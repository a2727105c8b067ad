using Microsoft.EntityFrameworkCore;
using Npgsql;
using Tidings.Clients;
using Tidings.Events;
using Tidings.Tests.Infrastructure;

namespace Tidings.Tests.Data;

/// <summary>
/// Growing the cluster as docs/scaling.md tells an operator to: a worker that holds no shards (here one emptied with
/// citus_drain_node, as a newly added one is) gets its share with citus_rebalance_start, while the businesses keep
/// reading and writing their own rows, as the application role, before, between and after.
/// </summary>
public sealed class CitusRebalanceTests(CitusDatabase database) : IClassFixture<CitusDatabase>
{
    private async Task<Dictionary<int, long>> ShardsPerWorkerAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand("""
            SELECT nodeport, count(*) FROM citus_shards WHERE citus_table_type = 'distributed' GROUP BY nodeport
            """, connection);
        var shards = database.Workers.ToDictionary(w => w.Port, _ => 0L);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            shards[reader.GetInt32(0)] = reader.GetInt64(1);
        return shards;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 300 };
        await command.ExecuteNonQueryAsync();
    }

    private static async Task AssertSeesOnlyItsOwnAsync(TenantGraph graph, int clients)
    {
        await using var db = graph.Business.Context();
        Assert.Equal(clients, await db.Clients.CountAsync());
        Assert.Equal(graph.Row<Event>().Id, (await db.Events.SingleAsync()).Id);
        Assert.All(await db.Database.SqlQueryRaw<Guid>("SELECT business_id AS \"Value\" FROM clients").ToListAsync(), id => Assert.Equal(graph.Business.Id, id));
    }

    [Fact]
    public async Task A_worker_without_shards_gets_its_share_by_rebalancing_and_every_business_keeps_its_rows()
    {
        var a = await TenantGraph.CreateAsync(database);
        var b = await TenantGraph.CreateAsync(database);
        var before = (await a.SnapshotAsync()).Concat(await b.SnapshotAsync()).ToList();
        var (host, port) = database.Workers[^1];
        await using var admin = (NpgsqlConnection)database.OpenBypassConnection();

        // COPY-based moves (block_writes): logical replication, the default, needs wal_level = logical.
        await ExecuteAsync(admin, $"SELECT citus_drain_node('{host}', {port}, shard_transfer_mode => 'block_writes')");
        var drained = await ShardsPerWorkerAsync(admin);
        Assert.Equal(0L, drained[port]);
        await AssertSeesOnlyItsOwnAsync(a, 1);
        await AssertSeesOnlyItsOwnAsync(b, 1);

        // The worker is back, empty, as a newly added one would be (citus_add_node): the rebalancer gives it shards.
        await ExecuteAsync(admin, $"SELECT citus_set_node_property('{host}', {port}, 'shouldhaveshards', true)");
        await ExecuteAsync(admin, "SELECT citus_rebalance_start(shard_transfer_mode => 'block_writes')");
        await ExecuteAsync(admin, "SELECT citus_rebalance_wait()");
        var rebalanced = await ShardsPerWorkerAsync(admin);
        Assert.All(rebalanced.Values, shards => Assert.True(shards > 0, $"a worker holds no shards: {string.Join(", ", rebalanced)}"));
        Assert.Equal(drained.Values.Sum(), rebalanced.Values.Sum());
        Assert.Equal(before, (await a.SnapshotAsync()).Concat(await b.SnapshotAsync()).ToList());

        await using (var db = a.Business.Context())
        {
            db.Clients.Add(new Client { Name = "After the rebalance" });
            await db.SaveChangesAsync();
        }
        await AssertSeesOnlyItsOwnAsync(a, 2);
        await AssertSeesOnlyItsOwnAsync(b, 1);
    }
}
