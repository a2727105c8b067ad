using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Tidings.Data;
using Tidings.Monitoring.Matching;

namespace Tidings.Events;

/// <summary>
/// Serialises the decisions that shape stories (Stories), for the rest of the current transaction, so that two
/// requests never both decide from the same state: two posts of one new story would both find no original,
/// two patches would each link one event to the other. Posting takes each client's lock shared and each
/// story's, (client, content hash), exclusive: posts of different stories run side by side, posts of one story
/// one after the other, each seeing the last one's event. A story also gathers near-duplicates (another outlet's
/// title, another URL: another hash) dated within NearDuplicates.Window of each other, so posting also takes, exclusive,
/// its client's two periods of that length around the event's date (<see cref="Periods"/>): two posts about one client
/// and a few days apart go in turn, and the later sees the earlier's title. Deleting, restoring, patching and purging
/// an event take its client's lock exclusive, since they re-point whole stories.
/// PostgreSQL: transaction-scoped advisory locks, released at commit or rollback, so a pooled connection
/// carries none away (DatabaseSetup.ForPooledUse); taken in key order so two transactions cannot deadlock.
/// SQLite: the transaction is IMMEDIATE already (Transactions), one writer at a time: nothing to add.
/// </summary>
public static class StoryLocks
{
    public static async Task ForPostingAsync(TidingsDbContext db, IEnumerable<(Guid ClientId, string Hash)> stories,
        IEnumerable<(Guid ClientId, DateTime EventDate)> dated, CancellationToken ct)
    {
        if (!LocksNeeded(db))
            return;
        var list = stories.ToList();
        var business = db.Tenant.RequireBusinessId();
        await LockAsync(db,
            list.Select(s => ClientKey(business, s.ClientId)),
            list.Select(s => Key($"story {business:N} {s.ClientId:N} {s.Hash}"))
                .Concat(dated.SelectMany(d => Periods(d.EventDate).Select(p => Key($"near {business:N} {d.ClientId:N} {p}")))), ct);
    }

    /// <summary>
    /// The period of the window's length the date falls in, and the next: of two dates at most a window apart, the
    /// periods differ by one at most, so their pairs share one, and their posts one lock.
    /// </summary>
    public static long[] Periods(DateTime eventDate)
    {
        var period = eventDate.Ticks / NearDuplicates.Window.Ticks;
        return [period, period + 1];
    }

    public static async Task ForChangingAsync(TidingsDbContext db, IEnumerable<Guid> clientIds, CancellationToken ct)
    {
        if (!LocksNeeded(db))
            return;
        var business = db.Tenant.RequireBusinessId();
        await LockAsync(db, [], clientIds.Select(c => ClientKey(business, c)), ct);
    }

    /// <summary>True when there are locks to take: on PostgreSQL, inside a transaction (outside one is a bug, on either provider).</summary>
    private static bool LocksNeeded(TidingsDbContext db) => db.Database.CurrentTransaction is null
        ? throw new InvalidOperationException("Story locks last for a transaction: take them inside one (InTransactionAsync).")
        : db.Database.IsNpgsql();

    private static async Task LockAsync(TidingsDbContext db, IEnumerable<long> shared, IEnumerable<long> exclusive, CancellationToken ct)
    {
        // The subquery's order is the order in which the outer SELECT takes the locks.
        await db.Database.ExecuteSqlRawAsync("""
            SELECT pg_advisory_xact_lock_shared(k) FROM (SELECT DISTINCT k FROM unnest({0}) AS k ORDER BY k) s;
            SELECT pg_advisory_xact_lock(k) FROM (SELECT DISTINCT k FROM unnest({1}) AS k ORDER BY k) x;
            """, [shared.ToArray(), exclusive.ToArray()], ct);
    }

    private static long ClientKey(Guid business, Guid clientId) => Key($"client {business:N} {clientId:N}");

    /// <summary>64 bits of a hash: two different keys that collide only serialise a little more than needed.</summary>
    private static long Key(string text) => BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes(text)), 0);
}
