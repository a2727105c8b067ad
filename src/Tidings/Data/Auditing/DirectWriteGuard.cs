using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Tidings.Data.Auditing;

/// <summary>
/// Business data is written through SaveChanges, where it is stamped, soft-deleted and audited. A
/// statement that writes outside it (ExecuteUpdate/ExecuteDelete, raw SQL) on a context acting for a
/// business is refused, unless the caller opened <see cref="TidingsDbContext.AllowDirectWrites"/> and
/// so took the audit of that bulk work on itself. Contexts acting for nobody (migrations) are not
/// concerned: they cannot touch tenant rows anyway.
/// </summary>
public sealed class DirectWriteGuard : IDbCommandInterceptor
{
    public static readonly DirectWriteGuard Instance = new();

    private static readonly string[] Writes = ["INSERT", "UPDATE", "DELETE", "MERGE", "TRUNCATE"];

    private static void Check(DbCommand command, DbContext? context)
    {
        if (context is not TidingsDbContext { IsSaving: false, DirectWritesReason: null } db
            || !(db.Tenant.HasBusiness || db.Tenant.PlatformScope is not null)
            || !IsWrite(command.CommandText))
            return;
        throw new UnauditedWriteException();
    }

    internal static bool IsWrite(string sql)
    {
        var text = sql.AsSpan().TrimStart();
        while (text.StartsWith("--"))
        {
            var end = text.IndexOf('\n');
            text = end < 0 ? [] : text[(end + 1)..].TrimStart();
        }
        foreach (var verb in Writes)
            if (text.StartsWith(verb, StringComparison.OrdinalIgnoreCase))
                return true;
        return false;
    }

    public InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        Check(command, eventData.Context);
        return result;
    }

    public ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Check(command, eventData.Context);
        return ValueTask.FromResult(result);
    }

    public InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        Check(command, eventData.Context);
        return result;
    }

    public ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        Check(command, eventData.Context);
        return ValueTask.FromResult(result);
    }
}

/// <summary>A write that would skip the audit trail and the soft-delete rule.</summary>
public sealed class UnauditedWriteException() : InvalidOperationException(
    "Business data is written through SaveChangesAsync, which audits it. Bulk SQL writes need AllowDirectWrites(reason) and an audit entry of their own.");
