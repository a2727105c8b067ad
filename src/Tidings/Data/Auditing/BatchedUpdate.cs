using System.Linq.Expressions;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Query;
using Tidings.Data.SoftDelete;
using Tidings.Data.Tenancy;

namespace Tidings.Data.Auditing;

/// <summary>
/// One change applied to many rows of a table in bounded batches, set-based: each batch is its own
/// transaction with one UPDATE of at most <c>batchSize</c> rows (chosen by id) and one audit row listing
/// those ids and the new values. A request that changes ten thousand rows so neither loads them nor holds
/// one transaction over all of them, and the audit trail still names every row it changed.
/// </summary>
public static class BatchedUpdate
{
    /// <param name="scope">The rows the caller may change, already narrowed to the caller's (the tenant filter applies too).</param>
    /// <param name="pending">Whether a row still needs the change; the change must make it false (read-all: not read yet).</param>
    /// <param name="set">The change, as ExecuteUpdate's setters.</param>
    /// <param name="newValues">The same change by column name, for the audit row.</param>
    /// <param name="label">What the change is ("read-all"): the audit rows are "{label} batch {n}".</param>
    /// <returns>How many rows this call changed.</returns>
    public static async Task<int> RunAsync<T>(TidingsDbContext db, IQueryable<T> scope, Expression<Func<T, bool>> pending,
        Action<UpdateSettersBuilder<T>> set, IReadOnlyDictionary<string, object?> newValues, string label, int batchSize, DateTime now,
        CancellationToken ct)
        where T : class, ITenantOwned
    {
        var table = db.Model.FindEntityType(typeof(T))!.GetTableName()!;
        var businessId = db.Tenant.RequireBusinessId();
        using var direct = db.AllowDirectWrites($"{label}: set-based update of {table}, one audit row per batch listing its ids");
        var total = 0;
        var batch = 0;
        var after = Guid.Empty;
        while (true)
        {
            // Each batch is one unit of the execution strategy: a transient fault runs the batch again, not half of it.
            var (changed, last) = await db.InTransactionAsync(async token =>
            {
                // Keyset by id: each batch starts past the last one, whatever a concurrent request did meanwhile.
                var ids = await scope.Where(pending).Select(r => EF.Property<Guid>(r, "Id")).Where(id => id.CompareTo(after) > 0)
                    .OrderBy(id => id).Take(batchSize).ToListAsync(token);
                if (ids.Count == 0)
                    return (0, (Guid?)null);
                // The UPDATE names the rows by id on the table itself (tenant filter still on), not through the scope's joins:
                // so PostgreSQL re-checks `pending` on each row it locks, and a row another request changed first is skipped.
                var updated = await db.Set<T>().IgnoreQueryFilters([SoftDeleteRules.Filter])
                    .Where(r => ids.Contains(EF.Property<Guid>(r, "Id"))).Where(pending).ExecuteUpdateAsync(set, token);
                if (updated != ids.Count)
                    // Another request changed some of them between the two statements: the audit row would name rows this
                    // one did not change. Undo the batch and choose again; those rows no longer match.
                    throw new BatchRaceException();
                db.AuditLogs.Add(Entry(db.Actor, businessId, table, $"{label} batch {batch + 1}", newValues, ids, now));
                await db.SaveChangesAsync(token);
                return (updated, ids[^1]);
            }, ct).ContinueRacesAsync();
            if (last is null)
            {
                if (changed < 0)
                    continue;
                return total;
            }
            batch++;
            total += changed;
            after = last.Value;
        }
    }

    private sealed class BatchRaceException() : Exception("A concurrent change took rows of this batch.");

    /// <summary>A batch that lost a race was rolled back: answered as (-1, null) so the loop chooses again.</summary>
    private static async Task<(int Changed, Guid? Last)> ContinueRacesAsync(this Task<(int, Guid?)> batch)
    {
        try
        {
            return await batch;
        }
        catch (BatchRaceException)
        {
            return (-1, null);
        }
    }

    private static AuditLog Entry(CurrentActor actor, Guid businessId, string table, string recordId,
        IReadOnlyDictionary<string, object?> newValues, List<Guid> ids, DateTime now) => AuditTrail.Attribute(new AuditLog
    {
        ActorName = actor.Name,
        TableName = table,
        RecordId = recordId,
        Action = AuditActions.Update,
        NewValues = JsonSerializer.Serialize(new Dictionary<string, object?>(newValues) { ["rows"] = ids.Count, ["ids"] = ids }),
        ChangedFields = JsonSerializer.Serialize(newValues.Keys),
    }, businessId, actor, now);
}
