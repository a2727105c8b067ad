using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Tidings.Data.Auditing;

namespace Tidings.Bench.Audit;

/// <summary>
/// Bench only, on both sides of the comparison so the two paths differ in nothing else: notes when EF
/// starts writing (the end of TidingsDbContext's own rules: tenancy, stamping, the audit description),
/// and when <paramref name="dropAuditRows"/>, detaches the audit rows those rules added, so "auditing
/// off" is the product's save path minus exactly the audit_logs INSERTs.
/// </summary>
public sealed class AuditRowsInterceptor(bool dropAuditRows) : SaveChangesInterceptor
{
    /// <summary>Stopwatch timestamp of the last save reaching EF's own SaveChanges; a bench context saves one at a time.</summary>
    public long WritingStartedAt { get; private set; }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        WritingStartedAt = Stopwatch.GetTimestamp();
        if (dropAuditRows)
        {
            // Automatic change detection is off at this point (the audit describes exactly what is written), so listing entries changes nothing.
            foreach (var entry in eventData.Context!.ChangeTracker.Entries<AuditLog>().Where(e => e.State == EntityState.Added).ToList())
                entry.State = EntityState.Detached;
        }
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result) =>
        throw new NotSupportedException("TidingsDbContext saves asynchronously only.");
}
