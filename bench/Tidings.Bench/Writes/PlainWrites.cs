using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Npgsql;
using Tidings.Bench.Dataset;
using Tidings.Data;
using Tidings.Data.Auditing;
using Tidings.Data.Tenancy;
using Tidings.Events;

namespace Tidings.Bench.Writes;

/// <summary>
/// The events rows the API would store, written without the service, for the ceilings: a prepared INSERT
/// as the app role with the business set (one row per transaction, or many), binary COPY as the loader,
/// and on PostgreSQL the product's own bulk path (COPY into a temporary twin, then INSERT ... SELECT under
/// row-level security). Only the events rows: no lookups, audit rows or notifications.
/// </summary>
public static class PlainWrites
{
    /// <summary>One prepared INSERT per transaction, as one request per event would commit; the first rows warm up untimed.</summary>
    public static async Task<Latency> InsertPerRowAsync(BenchDatabase database, IModel model, Guid business, IReadOnlyList<Event> rows, int warmup, CancellationToken ct)
    {
        var columns = ModelColumn.Of<Event>(model);
        await using var connection = await RawStatements.OpenAsync(database, ct);
        await using var insert = await RawStatements.PrepareAsync(connection, TenantOf(database, business),
            [(RawStatements.InsertSql(ModelColumn.TableOf<Event>(model), columns), columns)], ct);
        async Task WriteAsync(Event row, CancellationToken token)
        {
            await using var transaction = await connection.BeginTransactionAsync(token);
            insert.Bind(0, columns, row);
            await ExpectRowsAsync(insert.ExecuteAsync(transaction, token), 1);
            await transaction.CommitAsync(token);
        }
        for (var i = 0; i < warmup; i++)
            await WriteAsync(rows[i], ct);
        return await ConcurrentRun.MeasureAsync(rows.Count - warmup, 1, (_, i, token) => WriteAsync(rows[warmup + i], token), ct);
    }

    /// <summary>The same prepared INSERT, <paramref name="batchSize"/> rows to a transaction: the business set once, one commit. Latency is per transaction.</summary>
    public static async Task<Latency> InsertBatchesAsync(BenchDatabase database, IModel model, Guid business, IReadOnlyList<Event> rows, int batchSize, CancellationToken ct)
    {
        var columns = ModelColumn.Of<Event>(model);
        await using var connection = await RawStatements.OpenAsync(database, ct);
        await using var tenant = await RawStatements.PrepareAsync(connection, TenantOf(database, business), [], ct);
        await using var insert = await RawStatements.PrepareAsync(connection, null,
            [(RawStatements.InsertSql(ModelColumn.TableOf<Event>(model), columns), columns)], ct);
        return await InBatchesAsync(rows, batchSize, async (batch, token) =>
        {
            await using var transaction = await connection.BeginTransactionAsync(token);
            await tenant.ExecuteAsync(transaction, token);
            foreach (var row in batch)
            {
                insert.Bind(0, columns, row);
                await ExpectRowsAsync(insert.ExecuteAsync(transaction, token), 1);
            }
            await transaction.CommitAsync(token);
        }, ct);
    }

    /// <summary>Binary COPY as the loader: PostgreSQL refuses COPY FROM into a table under row-level security to any role the policies bind.</summary>
    public static async Task<Latency> CopyAsync(BenchDatabase database, IModel model, IReadOnlyList<Event> rows, int batchSize, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(database.LoaderConnectionString);
        await connection.OpenAsync(ct);
        return await InBatchesAsync(rows, batchSize, async (batch, token) =>
        {
            await using var transaction = await connection.BeginTransactionAsync(token);
            await BulkInsert.LoadAsync(model, transaction, batch, token);
            await transaction.CommitAsync(token);
        }, ct);
    }

    /// <summary>
    /// Tidings' own bulk path (BulkInsert.WriteAsync, as the legacy import uses it) through a context of the
    /// business as the app role: COPY into a temporary twin of the table, then one INSERT ... SELECT the policies check.
    /// </summary>
    public static async Task<Latency> StagedCopyAsync(BenchDatabase database, GeneratedBusiness business, IReadOnlyList<Event> rows, int batchSize, CancellationToken ct)
    {
        var tenant = new CurrentTenant();
        tenant.Set(business.Id);
        var actor = new CurrentActor();
        actor.SetSystem("bench-write");
        await using var db = DatabaseSetup.CreateContext(database.Settings, database.Settings.ConnectionString, tenant, actor);
        using var direct = db.AllowDirectWrites("bench: the staged COPY ceiling writes events rows without audit");
        return await InBatchesAsync(rows, batchSize, async (batch, token) =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(token);
            await BulkInsert.WriteAsync(db, batch, token);
            await transaction.CommitAsync(token);
        }, ct);
    }

    private static async Task<Latency> InBatchesAsync(IReadOnlyList<Event> rows, int batchSize, Func<List<Event>, CancellationToken, Task> write, CancellationToken ct)
    {
        var batches = rows.Chunk(batchSize).Select(b => b.ToList()).ToList();
        // The first batch warms up untimed (statements, pages of the indexes); its rows still count as written.
        await write(batches[0], ct);
        return await ConcurrentRun.MeasureAsync(batches.Count - 1, 1, (_, i, token) => write(batches[i + 1], token), ct);
    }

    private static Guid? TenantOf(BenchDatabase database, Guid business) =>
        database.Provider == DatabaseProvider.Postgres ? business : null;

    private static async Task ExpectRowsAsync(Task<int> written, int expected)
    {
        if (await written != expected)
            throw new BenchFailedException($"a plain INSERT wrote {await written} rows, not {expected}.");
    }
}
