using Microsoft.EntityFrameworkCore;
using Npgsql;
using Tidings.Tests.Infrastructure;

namespace Tidings.Tests.Data;

/// <summary>
/// The Citus lane itself (issue 12): the test command's cluster is a real one, a coordinator with two workers that
/// hold the shards, and Tidings' migrations run on its coordinator. What Tidings must do there (its tables placed
/// by business, the tenant session reaching the workers) is tested on this same database as it is built.
/// </summary>
public sealed class CitusLaneTests(CitusDatabase database) : IClassFixture<CitusDatabase>
{
    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task Tidings_is_migrated_on_the_coordinator_of_a_cluster_with_two_active_workers()
    {
        await using var connection = (NpgsqlConnection)database.OpenBypassConnection();
        Assert.StartsWith("13.2", await ScalarAsync<string>(connection, "SELECT extversion FROM pg_extension WHERE extname = 'citus'"));
        Assert.Equal(2L, await ScalarAsync<long>(connection, "SELECT count(*) FROM citus_get_active_worker_nodes()"));
        Assert.Equal(2, database.Workers.Count);

        await using var db = database.Context();
        var applied = (await db.Database.GetAppliedMigrationsAsync()).ToList();
        Assert.Equal(db.Database.GetMigrations(), applied);
        Assert.NotEmpty(applied);
    }

    [Fact]
    public async Task A_table_distributed_by_business_id_keeps_its_rows_on_both_workers()
    {
        await using var connection = (NpgsqlConnection)database.OpenBypassConnection();
        await using (var create = new NpgsqlCommand("""
            CREATE TABLE lane_probe (business_id uuid NOT NULL, n int NOT NULL);
            SELECT create_distributed_table('lane_probe', 'business_id');
            INSERT INTO lane_probe SELECT gen_random_uuid(), g FROM generate_series(1, 64) AS g;
            """, connection))
            await create.ExecuteNonQueryAsync();

        Assert.Equal(64L, await ScalarAsync<long>(connection, "SELECT count(*) FROM lane_probe"));
        // Counted in each shard where it lives, not through the coordinator's view of the table.
        var perWorker = new Dictionary<int, long>();
        await using (var shards = new NpgsqlCommand("""
            SELECT s.nodeport, r.result::bigint
            FROM run_command_on_shards('lane_probe', 'SELECT count(*) FROM %s') AS r
            JOIN citus_shards AS s ON s.shardid = r.shardid
            """, connection))
        await using (var reader = await shards.ExecuteReaderAsync())
            while (await reader.ReadAsync())
                perWorker[reader.GetInt32(0)] = perWorker.GetValueOrDefault(reader.GetInt32(0)) + reader.GetInt64(1);

        Assert.Equal(database.Workers.Select(w => w.Port).Order(), perWorker.Keys.Order());
        Assert.All(perWorker.Values, rows => Assert.True(rows > 0));
        Assert.Equal(64L, perWorker.Values.Sum());
    }

    [Fact]
    public async Task A_change_the_application_makes_to_a_reference_table_reaches_every_copy_of_it()
    {
        var graph = await TenantGraph.CreateAsync(database);
        var renamed = "Renamed " + Guid.NewGuid().ToString("N")[..8];
        await using (var db = graph.Business.Context())
        {
            (await db.Users.SingleAsync(u => u.Id == graph.Business.OwnerId)).DisplayName = renamed;
            await db.SaveChangesAsync();
        }

        // Each node's copy read where it lives, as the superuser: the coordinator's and each worker's shard of users.
        await using var connection = (NpgsqlConnection)database.OpenBypassConnection();
        await using var copies = new NpgsqlCommand("""
            SELECT nodeport, result FROM run_command_on_placements('users', format('SELECT display_name FROM %s WHERE id = %L', '%s', @user::text))
            """, connection);
        copies.Parameters.AddWithValue("user", graph.Business.OwnerId);
        var seen = new Dictionary<int, string>();
        await using (var reader = await copies.ExecuteReaderAsync())
            while (await reader.ReadAsync())
                seen[reader.GetInt32(0)] = reader.GetString(1);

        Assert.Superset(database.Workers.Select(w => w.Port).ToHashSet(), seen.Keys.ToHashSet());
        Assert.All(seen.Values, name => Assert.Equal(renamed, name));
    }

    [Fact]
    public async Task Work_claimed_per_business_is_locked_on_its_shard_and_two_claimers_get_different_rows()
    {
        // docs/scaling.md, "Work claimed across businesses": the form the monitor and the outbox follow.
        var business = await database.NewBusinessAsync();
        await using (var db = business.Context())
        {
            db.Tags.AddRange(Enumerable.Range(0, 4).Select(i => new Tidings.Tags.Tag { Name = $"Due {i}" }));
            await db.SaveChangesAsync();
        }
        await using var first = await ClaimerAsync(business.Id);
        await using var second = await ClaimerAsync(business.Id);
        const string Claim = "SELECT id FROM tags WHERE business_id = @business ORDER BY id LIMIT 2 FOR UPDATE SKIP LOCKED";
        var claimedFirst = await IdsAsync(first, Claim, business.Id);
        var claimedSecond = await IdsAsync(second, Claim, business.Id);
        Assert.Equal(2, claimedFirst.Count);
        Assert.Equal(2, claimedSecond.Count);
        Assert.Empty(claimedFirst.Intersect(claimedSecond));

        // The same claim over every business is a multi-shard FOR UPDATE, which Citus refuses: hence per business.
        await using var third = await ClaimerAsync(business.Id);
        var refused = await Assert.ThrowsAsync<PostgresException>(() => IdsAsync(third, "SELECT id FROM tags ORDER BY id LIMIT 2 FOR UPDATE SKIP LOCKED", business.Id));
        Assert.Contains("FOR UPDATE", refused.MessageText, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>A transaction as the application role on a connection of its own, the business set as the tenant session sets it.</summary>
    private sealed class Claimer(NpgsqlConnection connection, NpgsqlTransaction transaction) : IAsyncDisposable
    {
        public NpgsqlTransaction Transaction => transaction;

        public async ValueTask DisposeAsync()
        {
            await transaction.DisposeAsync();
            await connection.DisposeAsync();
        }
    }

    private async Task<Claimer> ClaimerAsync(Guid business)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(database.Settings.ConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        var transaction = await connection.BeginTransactionAsync();
        await using var tenant = new NpgsqlCommand($"CALL {Tidings.Data.Postgres.DatabaseGuards.TenantProcedure}(@business, 'off', 'force_custom_plan')", connection, transaction);
        tenant.Parameters.AddWithValue("business", business.ToString());
        await tenant.ExecuteNonQueryAsync();
        return new Claimer(connection, transaction);
    }

    private static async Task<List<Guid>> IdsAsync(Claimer claimer, string sql, Guid business)
    {
        await using var command = new NpgsqlCommand(sql, claimer.Transaction.Connection, claimer.Transaction);
        command.Parameters.AddWithValue("business", business);
        var ids = new List<Guid>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            ids.Add(reader.GetGuid(0));
        return ids;
    }
}
