using Microsoft.EntityFrameworkCore;
using Tidings.Data;
using Tidings.Data.SoftDelete;

namespace Tidings.Monitoring;

/// <summary>
/// Claims a business's due sources for one process, as docs/scaling.md says cross-business work is claimed: inside the
/// business's unit of work, the business named in the statement (one shard on Citus), with a lease rather than a lock
/// held across the fetches. FOR UPDATE SKIP LOCKED lets processes claiming at the same moment take different sources;
/// the lease (claimed_until) keeps a source from the others until its results are written, or, if its process died,
/// until the lease lapses and another takes it again. SQLite has one writer at a time, so its claim needs no lock clause.
/// </summary>
public static class SourceClaims
{
    public static async Task<List<ClaimedSource>> ClaimAsync(TidingsDbContext db, string process, DateTime now, DateTime until, int limit,
        DateTime? everyFetchedBefore, CancellationToken ct)
    {
        var businessId = db.Tenant.RequireBusinessId();
        var locking = db.Database.IsNpgsql() ? "FOR UPDATE SKIP LOCKED" : "";
        // Constant text; the values go as parameters.
        var sql = "UPDATE sources SET claimed_by = {2}, claimed_until = {3} WHERE business_id = {4} AND id IN ("
            + "SELECT id FROM sources WHERE business_id = {4} AND " + Data.Tenancy.DueWorkLookup.Claimable(everyFetchedBefore is not null)
            + " ORDER BY next_due_at LIMIT {5} " + locking + ") RETURNING id AS \"Value\"";
        List<Guid> ids;
        using (db.AllowDirectWrites("monitor: claiming due sources (scheduling columns, not audited per row)"))
            ids = await db.Database.SqlQueryRaw<Guid>(sql, now, everyFetchedBefore ?? now, process, until, businessId, limit).ToListAsync(ct);
        return await ReadAsync(db, ids, ct);
    }

    /// <summary>Claims one live source, due or not, stopped or not (a person's check); null while another holds it.</summary>
    public static async Task<ClaimedSource?> ClaimOneAsync(TidingsDbContext db, Guid id, string process, DateTime now, DateTime until, CancellationToken ct)
    {
        var businessId = db.Tenant.RequireBusinessId();
        List<Guid> ids;
        using (db.AllowDirectWrites("monitor: claiming a source for a check (scheduling columns, not audited per row)"))
            ids = await db.Database.SqlQuery<Guid>($"""
                UPDATE sources SET claimed_by = {process}, claimed_until = {until}
                WHERE business_id = {businessId} AND id = {id} AND NOT is_deleted AND (claimed_until IS NULL OR claimed_until < {now})
                RETURNING id AS "Value"
                """).ToListAsync(ct);
        return (await ReadAsync(db, ids, ct)).SingleOrDefault();
    }

    private static async Task<List<ClaimedSource>> ReadAsync(TidingsDbContext db, List<Guid> ids, CancellationToken ct)
    {
        if (ids.Count == 0)
            return [];
        return await (
                from s in db.Sources
                join c in db.Clients.IgnoreQueryFilters([SoftDeleteRules.Filter]) on s.ClientId equals c.Id
                where ids.Contains(s.Id)
                select new ClaimedSource(s.Id, s.ClientId, s.Kind, s.Url, s.FeedUrl, s.Title, s.Keep, s.ETag, s.LastModified, s.ConsecutiveFailures,
                    c.Name, c.Domain, c.SearchKeywords, c.MonitoringFrequency, c.IsActive && !c.IsDeleted, c.AssignedToUserId))
            .AsNoTracking().ToListAsync(ct);
    }
}
