using Microsoft.EntityFrameworkCore;
using Tidings.Data;
using Tidings.Data.Tenancy;

namespace Tidings.Delivery.Outbox;

/// <summary>
/// Claims a business's due messages for one dispatcher process, as the monitor claims sources (docs/scaling.md, "Work
/// claimed across businesses"): in the business's unit of work, the business named in the statement (one shard on
/// Citus), FOR UPDATE SKIP LOCKED so processes claiming at once take different messages, and a lease rather than a
/// lock held across the deliveries: a process that dies mid-delivery leaves its messages to another once the lease
/// lapses, and they are sent again under the same id.
/// </summary>
public static class OutboxClaims
{
    public static async Task<List<OutboxMessage>> ClaimAsync(TidingsDbContext db, string process, DateTime now, DateTime until, int limit, CancellationToken ct)
    {
        var businessId = db.Tenant.RequireBusinessId();
        var locking = db.Database.IsNpgsql() ? "FOR UPDATE SKIP LOCKED" : "";
        // Constant text; the values go as parameters.
        var sql = "UPDATE outbox_messages SET claimed_by = {1}, claimed_until = {2} WHERE business_id = {3} AND id IN ("
            + "SELECT id FROM outbox_messages WHERE business_id = {3} AND " + DueWorkLookup.ClaimableMessage
            + " ORDER BY next_attempt_at LIMIT {4} " + locking + ") RETURNING id AS \"Value\"";
        List<Guid> ids;
        using (db.AllowDirectWrites("dispatcher: claiming due messages (scheduling columns of delivery records)"))
            ids = await db.Database.SqlQueryRaw<Guid>(sql, now, process, until, businessId, limit).ToListAsync(ct);
        if (ids.Count == 0)
            return [];
        return await db.OutboxMessages.AsNoTracking().Where(m => ids.Contains(m.Id)).OrderBy(m => m.NextAttemptAt).ThenBy(m => m.Id).ToListAsync(ct);
    }
}
