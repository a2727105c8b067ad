using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Guards = Tidings.Data.Postgres.DatabaseGuards;

namespace Tidings.Data.Tenancy;

/// <summary>
/// Hands the current business to PostgreSQL's row-level security as transaction-local settings
/// (set_config(..., true)), so a pooled connection never carries one business's setting into another's
/// work. A transaction gets them once, when it starts; a statement outside a transaction gets them in
/// front of it, in the same implicit transaction (a CALL of DatabaseGuards.TenantProcedure). With no business and
/// no platform scope nothing is set, and the policies show no rows at all. The same settings choose how the
/// statement is planned (<see cref="GenericPlan"/>).
/// </summary>
public sealed class PostgresTenantSession : StatementHook, IDbTransactionInterceptor
{
    public static readonly PostgresTenantSession Instance = new();

    private static (Guid? Business, bool Platform)? SettingsOf(DbContext? context) =>
        context is TidingsDbContext { Tenant: var t } && (t.HasBusiness || t.PlatformScope is not null)
            ? (t.BusinessId, t.PlatformScope is not null)
            : null;

    private const string BusinessParameter = "tidings_tenant_business", PlatformParameter = "tidings_tenant_platform",
        PlansParameter = "tidings_tenant_plans";

    // A CALL returns no result set and no row count, so EF reads the statement after it unchanged; both go in one
    // round trip and run in one implicit transaction, which the settings end with.
    protected override void BeforeExecuting(DbCommand command, DbContext? context)
    {
        if (command.Transaction is not null || SettingsOf(context) is not { } s)
            return;
        var plans = GenericPlan.PlanCacheModeOf(command.CommandText);
        // Npgsql takes either named or positional parameters in one command, never both.
        if (command.Parameters.Cast<DbParameter>().Any(p => string.IsNullOrEmpty(p.ParameterName)))
        {
            command.CommandText = $"CALL {Guards.TenantProcedure}('{s.Business}', '{(s.Platform ? "on" : "off")}', '{plans}');\n" + command.CommandText;
            return;
        }
        command.CommandText = $"CALL {Guards.TenantProcedure}(@{BusinessParameter}, @{PlatformParameter}, @{PlansParameter});\n" + command.CommandText;
        AddParameter(command, BusinessParameter, s.Business?.ToString() ?? "");
        AddParameter(command, PlatformParameter, s.Platform ? "on" : "off");
        AddParameter(command, PlansParameter, plans);
    }

    /// <summary>A statement as EF wrote it, without the settings put in front of it (for tools that show or replay statements).</summary>
    public static string StatementOf(string commandText) =>
        commandText.StartsWith($"CALL {Guards.TenantProcedure}(", StringComparison.Ordinal) ? commandText[(commandText.IndexOf('\n') + 1)..] : commandText;

    /// <summary>Whether a parameter is one of the settings' rather than the statement's own.</summary>
    public static bool IsSettingsParameter(string parameterName) => parameterName is BusinessParameter or PlatformParameter or PlansParameter;

    private static DbCommand SettingsCommand(DbTransaction transaction, (Guid? Business, bool Platform) s)
    {
        var command = transaction.Connection!.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"SELECT set_config('{Guards.BusinessSetting}', @business, true), set_config('{Guards.PlatformSetting}', @platform, true), " +
            $"set_config('plan_cache_mode', '{GenericPlan.Refused}', true)";
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
