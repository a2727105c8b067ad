using Tidings.Data;

namespace Tidings.Tests.Infrastructure;

/// <summary>Another session of the database keeping the service's writes waiting, as a long migration or a stuck job would.</summary>
public static class DatabaseHolds
{
    /// <summary>
    /// Until disposed, a write to clients waits: on PostgreSQL behind an exclusive lock on the table, on SQLite
    /// behind the file's write lock (reads go on there).
    /// </summary>
    public static async Task<IAsyncDisposable> HoldClientsAsync(this TestDatabase database)
    {
        var holder = database.OpenBypassConnection();
        await using var command = holder.CreateCommand();
        command.CommandText = database.Provider == DatabaseProvider.Postgres
            ? "BEGIN; LOCK TABLE clients IN ACCESS EXCLUSIVE MODE"
            : "BEGIN IMMEDIATE";
        await command.ExecuteNonQueryAsync();
        // Closing the connection ends its transaction.
        return holder;
    }

    /// <summary>PostgreSQL: returns once some session of this database waits for a lock.</summary>
    public static async Task WaitForLockWaiterAsync(this TestDatabase database)
    {
        await using var watcher = database.OpenBypassConnection();
        // A guard against a request that never came, not a timing assertion.
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        while (true)
        {
            await using var command = watcher.CreateCommand();
            command.CommandText = "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()";
            if ((long)(await command.ExecuteScalarAsync(guard.Token))! > 0)
                return;
            await Task.Delay(50, guard.Token);
        }
    }
}
