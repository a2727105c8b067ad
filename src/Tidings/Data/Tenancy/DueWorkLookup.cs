using Microsoft.EntityFrameworkCore;

namespace Tidings.Data.Tenancy;

/// <summary>
/// The one read across businesses of the monitor and of the dispatcher: which businesses have sources due, and since when, from the scheduling
/// columns of sources only. Everything after it (claiming, fetching, writing events) happens per business, under that
/// business's tenant (docs/scaling.md, "Work claimed across businesses"). Like the sign-in lookup it writes no audit
/// row: it runs every few seconds in every monitor process and reads no business data. On PostgreSQL the platform
/// scope may only SELECT sources (policy platform_due_work); it cannot write them.
/// </summary>
public static class DueWorkLookup
{
    private const string ScopeName = "monitor: due work";
    private const string DispatchScopeName = "dispatcher: due work";

    public sealed record DueBusiness(Guid BusinessId, DateTime DueSince);

    /// <summary>
    /// What "due and free" means, the same text in this lookup and in the claim that follows it (SourceClaims), so a
    /// claim takes exactly what the lookup found: a live, running source that nobody holds, due by its time, or, in a
    /// round over every source, not fetched since that round began. Parameters: {0} now, {1} the round's start.
    /// </summary>
    public static string Claimable(bool everySource) =>
        "NOT is_deleted AND stopped_at IS NULL AND (claimed_until IS NULL OR claimed_until < {0}) AND "
        + (everySource ? "(last_fetched_at IS NULL OR last_fetched_at < {1})" : "next_due_at <= {0}");

    /// <summary>
    /// The businesses with a claimable source at <paramref name="now"/> (with <paramref name="everyFetchedBefore"/>: not
    /// fetched since then, due or not), most overdue first.
    /// </summary>
    public static async Task<List<DueBusiness>> DueBusinessesAsync(TidingsDbContext db, DateTime now, DateTime? everyFetchedBefore, int limit,
        CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is not null)
            throw new InvalidOperationException("Look up due work before starting a transaction.");
        // Constant text; the values go as parameters.
        var sql = "SELECT business_id, MIN(next_due_at) AS due_since FROM sources WHERE " + Claimable(everyFetchedBefore is not null)
            + " GROUP BY business_id ORDER BY MIN(next_due_at) LIMIT {2}";
        using (db.Tenant.EnterPlatformScope(ScopeName))
            return await db.Database.SqlQueryRaw<DueBusiness>(sql, now, everyFetchedBefore ?? now, limit).ToListAsync(ct);
    }

    /// <summary>
    /// What the dispatcher may claim: a pending outbox message that nobody holds, due by its time. Parameter {0}: now.
    /// The same text in the lookup and in the claim (OutboxClaims).
    /// </summary>
    public const string ClaimableMessage = "state = 'pending' AND next_attempt_at <= {0} AND (claimed_until IS NULL OR claimed_until < {0})";

    /// <summary>A business with dispatching due: since when, and whether any of it is a digest to queue.</summary>
    public sealed record DispatchDue(Guid BusinessId, DateTime DueSince, int DigestsDue);

    /// <summary>The businesses with an outbox message or a digest due at <paramref name="now"/>, most overdue first.</summary>
    public static async Task<List<DispatchDue>> DispatchDueBusinessesAsync(TidingsDbContext db, DateTime now, int limit, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is not null)
            throw new InvalidOperationException("Look up due work before starting a transaction.");
        // Constant text; the values go as parameters.
        var sql = "SELECT business_id, MIN(due) AS due_since, MAX(digest) AS digests_due FROM ("
            + "SELECT business_id, next_attempt_at AS due, 0 AS digest FROM outbox_messages WHERE " + ClaimableMessage
            + " UNION ALL SELECT business_id, next_digest_at AS due, 1 AS digest FROM notification_preferences WHERE next_digest_at <= {0}"
            + ") AS d GROUP BY business_id ORDER BY MIN(due) LIMIT {1}";
        using (db.Tenant.EnterPlatformScope(DispatchScopeName))
            return await db.Database.SqlQueryRaw<DispatchDue>(sql, now, limit).ToListAsync(ct);
    }
}
