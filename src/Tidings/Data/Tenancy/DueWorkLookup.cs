using Microsoft.EntityFrameworkCore;

namespace Tidings.Data.Tenancy;

/// <summary>
/// The monitor's one read across businesses: which businesses have sources due, and since when, from the scheduling
/// columns of sources only. Everything after it (claiming, fetching, writing events) happens per business, under that
/// business's tenant (docs/scaling.md, "Work claimed across businesses"). Like the sign-in lookup it writes no audit
/// row: it runs every few seconds in every monitor process and reads no business data. On PostgreSQL the platform
/// scope may only SELECT sources (policy platform_due_work); it cannot write them.
/// </summary>
public static class DueWorkLookup
{
    private const string ScopeName = "monitor: due work";

    public sealed record DueBusiness(Guid BusinessId, DateTime DueSince);

    /// <summary>
    /// The businesses with a live, running source that nobody holds and that is due at <paramref name="now"/>, or, with
    /// <paramref name="everyFetchedBefore"/>, that has not been fetched since then (a round over every source); most
    /// overdue first.
    /// </summary>
    public static async Task<List<DueBusiness>> DueBusinessesAsync(TidingsDbContext db, DateTime now, DateTime? everyFetchedBefore, int limit,
        CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is not null)
            throw new InvalidOperationException("Look up due work before starting a transaction.");
        using (db.Tenant.EnterPlatformScope(ScopeName))
            return everyFetchedBefore is { } before
                ? await db.Database.SqlQuery<DueBusiness>($"""
                    SELECT business_id, MIN(next_due_at) AS due_since
                    FROM sources
                    WHERE NOT is_deleted AND stopped_at IS NULL AND (last_fetched_at IS NULL OR last_fetched_at < {before})
                      AND (claimed_until IS NULL OR claimed_until < {now})
                    GROUP BY business_id
                    ORDER BY MIN(next_due_at)
                    LIMIT {limit}
                    """).ToListAsync(ct)
                : await db.Database.SqlQuery<DueBusiness>($"""
                    SELECT business_id, MIN(next_due_at) AS due_since
                    FROM sources
                    WHERE NOT is_deleted AND stopped_at IS NULL AND next_due_at <= {now}
                      AND (claimed_until IS NULL OR claimed_until < {now})
                    GROUP BY business_id
                    ORDER BY MIN(next_due_at)
                    LIMIT {limit}
                    """).ToListAsync(ct);
    }
}
