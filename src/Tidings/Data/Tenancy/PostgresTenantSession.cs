using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Guards = Tidings.Data.Postgres.DatabaseGuards;

namespace Tidings.Data.Tenancy;

/// <summary>
/// Hands the current business to PostgreSQL's row-level security as transaction-local settings
/// (set_config(..., true)), so a pooled connection never carries one business's setting into another's
/// work. A transaction gets them once, when it starts; a statement outside a transaction gets them in
/// front of it, in the same implicit transaction. With no business and no platform scope nothing is
/// set, and the policies show no rows at all.
/// </summary>
public sealed class PostgresTenantSession : StatementHook, IDbTransactionInterceptor
{
    public static readonly PostgresTenantSession Instance = new();

    private static (Guid? Business, bool Platform)? SettingsOf(DbContext? context) =>
        context is TidingsDbContext { Tenant: var t } && (t.HasBusiness || t.PlatformScope is not null)
            ? (t.BusinessId, t.PlatformScope is not null)
            : null;

    // A DO block returns no result set and no row count, so EF reads the statement after it unchanged.
    protected override void BeforeExecuting(DbCommand command, DbContext? context)
    {
        if (command.Transaction is not null || SettingsOf(context) is not { } s)
            return;
        command.CommandText =
            $"DO $tenant$BEGIN PERFORM set_config('{Guards.BusinessSetting}', '{s.Business}', true); " +
            $"PERFORM set_config('{Guards.PlatformSetting}', '{(s.Platform ? "on" : "off")}', true); END$tenant$;\n" +
            command.CommandText;
    }

    private static DbCommand SettingsCommand(DbTransaction transaction, (Guid? Business, bool Platform) s)
    {
        var command = transaction.Connection!.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"SELECT set_config('{Guards.BusinessSetting}', @business, true), set_config('{Guards.PlatformSetting}', @platform, true)";
        AddParameter(command, "business", s.Business?.ToString() ?? "");
        AddParameter(command, "platform", s.Platform ? "on" : "off");
        return command;
    }

    private static void AddParameter(DbCommand command, string name, string value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    public DbTransaction TransactionStarted(DbConnection connection, TransactionEndEventData eventData, DbTransaction result)
    {
        if (SettingsOf(eventData.Context) is { } s)
        {
            using var command = SettingsCommand(result, s);
            command.ExecuteNonQuery();
        }
        return result;
    }

    public async ValueTask<DbTransaction> TransactionStartedAsync(DbConnection connection, TransactionEndEventData eventData, DbTransaction result, CancellationToken cancellationToken = default)
    {
        if (SettingsOf(eventData.Context) is { } s)
        {
            await using var command = SettingsCommand(result, s);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        return result;
    }
}
