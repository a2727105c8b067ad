using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Guards = Tidings.Data.Postgres.DatabaseGuards;

namespace Tidings.Data.Tenancy;

/// <summary>
/// Hands the current business to PostgreSQL's row-level security as transaction-local settings, so a pooled connection
/// never carries one business's setting into another's work: DatabaseGuards.TenantProcedure, called once when a
/// transaction starts. A statement outside a transaction is sent inside one of its own, in the same round trip:
/// <c>BEGIN; CALL …; statement; COMMIT</c>. Citus repeats a SET LOCAL on its workers only inside an explicit
/// transaction; the implicit transaction of a CALL sent in front of the statement, as before, reached the coordinator
/// alone, and the shards' policies saw no business. With no business and no platform scope nothing is set, and the
/// policies show no rows at all. The same settings choose how the statement is planned (<see cref="GenericPlan"/>).
/// </summary>
public sealed class PostgresTenantSession : StatementHook, IDbCommandInterceptor, IDbTransactionInterceptor
{
    public static readonly PostgresTenantSession Instance = new();

    private static (Guid? Business, bool Platform)? SettingsOf(DbContext? context) =>
        context is TidingsDbContext { Tenant: var t } && (t.HasBusiness || t.PlatformScope is not null)
            ? (t.BusinessId, t.PlatformScope is not null)
            : null;

    private const string BusinessParameter = "tidings_tenant_business", PlatformParameter = "tidings_tenant_platform",
        PlansParameter = "tidings_tenant_plans";

    private const string Begin = "BEGIN;\n", Commit = "\nCOMMIT";

    // BEGIN, the CALL and COMMIT return no result set and no row count, so EF reads the statement's results unchanged.
    protected override void BeforeExecuting(DbCommand command, DbContext? context)
    {
        if (command.Transaction is not null || SettingsOf(context) is not { } s)
            return;
        var plans = GenericPlan.PlanCacheModeOf(command.CommandText);
        // A statement that already ends with a semicolon gets no second one: Npgsql refuses an empty statement. The
        // newline ends a trailing line comment.
        var statement = command.CommandText.TrimEnd().EndsWith(';') ? command.CommandText : command.CommandText + "\n;";
        // Npgsql takes either named or positional parameters in one command, never both.
        if (command.Parameters.Cast<DbParameter>().Any(p => string.IsNullOrEmpty(p.ParameterName)))
        {
            command.CommandText = $"{Begin}CALL {Guards.TenantProcedure}('{s.Business}', '{(s.Platform ? "on" : "off")}', '{plans}');\n{statement}{Commit}";
            return;
        }
        command.CommandText = $"{Begin}CALL {Guards.TenantProcedure}(@{BusinessParameter}, @{PlatformParameter}, @{PlansParameter});\n{statement}{Commit}";
        AddParameter(command, BusinessParameter, s.Business?.ToString() ?? "");
        AddParameter(command, PlatformParameter, s.Platform ? "on" : "off");
        AddParameter(command, PlansParameter, plans);
    }

    /// <summary>A statement as EF wrote it, without the transaction and settings put around it (for tools that show or replay statements).</summary>
    public static string StatementOf(string commandText)
    {
        if (!commandText.StartsWith($"{Begin}CALL {Guards.TenantProcedure}(", StringComparison.Ordinal) || !commandText.EndsWith(Commit, StringComparison.Ordinal))
            return commandText;
        var statement = commandText[(commandText.IndexOf('\n', Begin.Length) + 1)..^Commit.Length];
        return statement.EndsWith("\n;", StringComparison.Ordinal) ? statement[..^2] : statement;
    }

    /// <summary>Whether a parameter is one of the settings' rather than the statement's own.</summary>
    public static bool IsSettingsParameter(string parameterName) => parameterName is BusinessParameter or PlatformParameter or PlansParameter;

    private static DbCommand SettingsCommand(DbTransaction transaction, (Guid? Business, bool Platform) s)
    {
        var command = transaction.Connection!.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"CALL {Guards.TenantProcedure}(@business, @platform, '{GenericPlan.Refused}')";
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

    /// <summary>
    /// A statement of its own transaction that fails leaves that transaction open and failed, COMMIT never run: ended
    /// here, so a connection the caller keeps open (EventFeed.LoadAsync) takes its next statement. A connection that
    /// goes back to the pool is rolled back by Npgsql in any case.
    /// </summary>
    public void CommandFailed(DbCommand command, CommandErrorEventData eventData)
    {
        if (OwnTransactionOf(command) is { } connection)
            try { Rollback(connection).ExecuteNonQuery(); } catch (DbException) { }
    }

    public async Task CommandFailedAsync(DbCommand command, CommandErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        if (OwnTransactionOf(command) is { } connection)
            try { await using var rollback = Rollback(connection); await rollback.ExecuteNonQueryAsync(CancellationToken.None); } catch (DbException) { }
    }

    private static DbConnection? OwnTransactionOf(DbCommand command) =>
        command.Transaction is null && command.Connection is { State: System.Data.ConnectionState.Open } connection
            && command.CommandText.StartsWith(Begin, StringComparison.Ordinal) ? connection : null;

    private static DbCommand Rollback(DbConnection connection)
    {
        var command = connection.CreateCommand();
        command.CommandText = "ROLLBACK";
        return command;
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
