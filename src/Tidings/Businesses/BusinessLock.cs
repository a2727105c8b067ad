using Microsoft.EntityFrameworkCore;
using Tidings.Data;

namespace Tidings.Businesses;

/// <summary>
/// Serialises the changes that check a rule over the whole business and then write (the business keeps an
/// active owner): each runs in a transaction that first takes this lock, so of two concurrent changes the
/// second checks what the first one wrote instead of what both read before either wrote.
/// PostgreSQL: the business row, FOR NO KEY UPDATE, which two such changes cannot both hold but which does not
/// hold up the foreign-key checks (KEY SHARE) of rows written in the business meanwhile.
/// SQLite: Microsoft.Data.Sqlite begins a transaction IMMEDIATE unless asked to defer it, so BEGIN already takes
/// the database's write lock and there is nothing more to take.
/// </summary>
public static class BusinessLock
{
    /// <summary>
    /// Runs <paramref name="unit"/> in a transaction that holds the lock, and commits what it saved. The unit goes
    /// through the execution strategy, so a transient fault retries it whole, from a clean change tracker.
    /// </summary>
    public static Task<T> RunAsync<T>(TidingsDbContext db, Func<CancellationToken, Task<T>> unit, CancellationToken ct) =>
        db.InTransactionAsync(async attempt =>
        {
            if (db.Database.IsNpgsql())
            {
                var businessId = db.Tenant.RequireBusinessId();
                await db.Database.ExecuteSqlAsync($"SELECT 1 FROM businesses WHERE id = {businessId} FOR NO KEY UPDATE", attempt);
            }
            return await unit(attempt);
        }, ct);
}
