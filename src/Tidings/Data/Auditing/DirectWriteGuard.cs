using System.Data.Common;
using Microsoft.EntityFrameworkCore;

namespace Tidings.Data.Auditing;

/// <summary>
/// Business data is written through SaveChanges, where it is stamped, soft-deleted and audited. A
/// statement that writes outside it (ExecuteUpdate/ExecuteDelete, raw SQL) on a context acting for a
/// business is refused, unless the caller opened <see cref="TidingsDbContext.AllowDirectWrites"/> and
/// so took the audit of that bulk work on itself. Contexts acting for nobody (migrations) are not
/// concerned: they cannot touch tenant rows anyway.
/// </summary>
public sealed class DirectWriteGuard : StatementHook
{
    public static readonly DirectWriteGuard Instance = new();

    private static readonly string[] Writes = ["INSERT", "UPDATE", "DELETE", "MERGE", "TRUNCATE"];

    protected override void BeforeExecuting(DbCommand command, DbContext? context)
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
}

/// <summary>A write that would skip the audit trail and the soft-delete rule.</summary>
public sealed class UnauditedWriteException() : InvalidOperationException(
    "Business data is written through SaveChangesAsync, which audits it. Bulk SQL writes need AllowDirectWrites(reason) and an audit entry of their own.");
