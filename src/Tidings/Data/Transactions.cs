using Microsoft.EntityFrameworkCore;

namespace Tidings.Data;

/// <summary>
/// Work that reads, decides and writes as one transaction. It runs through the provider's execution
/// strategy, so when a strategy that retries after a transient fault runs it again, the whole unit runs
/// again, from an empty change tracker, rather than the half after the fault. On SQLite the transaction
/// begins IMMEDIATE (Microsoft.Data.Sqlite's default), holding the one write lock from its first read, so a
/// check and the write that depends on it cannot interleave with another writer's.
/// </summary>
public static class Transactions
{
    /// <summary>Runs <paramref name="work"/> in a transaction and commits it; inside a transaction already, just runs it.</summary>
    public static Task<T> InTransactionAsync<T>(this TidingsDbContext db, Func<CancellationToken, Task<T>> work, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is not null)
            return work(ct);
        return db.Database.CreateExecutionStrategy().ExecuteAsync(async token =>
        {
            db.ChangeTracker.Clear();
            // A save that fails fails the whole unit: a savepoint around each save would only cost two round trips.
            db.Database.AutoSavepointsEnabled = false;
            await using var transaction = await db.Database.BeginTransactionAsync(token);
            var result = await work(token);
            await transaction.CommitAsync(token);
            return result;
        }, ct);
    }
}
