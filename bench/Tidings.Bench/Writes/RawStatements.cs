using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using Tidings.Data;
using Guards = Tidings.Data.Postgres.DatabaseGuards;

namespace Tidings.Bench.Writes;

/// <summary>A column of a mapped entity with the provider's own type mapping, so a raw statement stores a value exactly as EF does.</summary>
public sealed record ModelColumn(IProperty Property, string Name, RelationalTypeMapping Mapping)
{
    /// <summary>The named properties of <typeparamref name="T"/> in that order, or all of them when none are named.</summary>
    public static IReadOnlyList<ModelColumn> Of<T>(IModel model, params string[] properties)
    {
        var entity = model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not mapped.");
        var store = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var chosen = properties.Length == 0 ? entity.GetProperties() : properties.Select(p => entity.FindProperty(p)!);
        return chosen.Select(p => new ModelColumn(p, p.GetColumnName(store)!, p.GetRelationalTypeMapping())).ToList();
    }

    public static string TableOf<T>(IModel model) => model.FindEntityType(typeof(T))!.GetTableName()!;

    public object ProviderValue(object? value) =>
        value is null ? DBNull.Value : Mapping.Converter?.ConvertToProvider(value) ?? value;

    public object ValueIn(object row) => ProviderValue(Property.GetGetter().GetClrValue(row));
}

/// <summary>
/// The statements of one transaction by plain ADO.NET, for the raw-SQL ceilings: prepared once and
/// re-bound per run. On PostgreSQL they go as one batch (one round trip), led by the tenant setting
/// PostgresTenantSession makes when a business is given, so the app role passes row-level security.
/// </summary>
public sealed class RawStatements : IAsyncDisposable
{
    private readonly NpgsqlBatch? _batch;
    private readonly List<DbCommand> _commands = [];
    private readonly List<DbParameter[]> _parameters = [];
    private readonly bool _leadsWithTenant;

    private RawStatements(DbConnection connection, Guid? business, IReadOnlyList<(string Sql, IReadOnlyList<ModelColumn> Columns)> statements)
    {
        if (connection is NpgsqlConnection npgsql)
        {
            _batch = new NpgsqlBatch(npgsql);
            if (business is { } id)
            {
                _leadsWithTenant = true;
                _batch.BatchCommands.Add(new NpgsqlBatchCommand($"SELECT set_config('{Guards.BusinessSetting}', @business, true)")
                {
                    Parameters = { new NpgsqlParameter("business", id.ToString()) },
                });
            }
        }
        // Parameters are made by a throw-away command: the type mappings want one, a batch command is not.
        using var factory = connection.CreateCommand();
        foreach (var (sql, columns) in statements)
        {
            var parameters = columns.Select((c, i) => c.Mapping.CreateParameter(factory, "p" + i, null, c.Property.IsNullable)).ToArray();
            _parameters.Add(parameters);
            if (_batch is not null)
            {
                var command = new NpgsqlBatchCommand(sql);
                command.Parameters.AddRange(parameters);
                _batch.BatchCommands.Add(command);
            }
            else
            {
                var command = connection.CreateCommand();
                command.CommandText = sql;
                command.Parameters.AddRange(parameters);
                _commands.Add(command);
            }
        }
    }

    public static async Task<RawStatements> PrepareAsync(DbConnection connection, Guid? business,
        IReadOnlyList<(string Sql, IReadOnlyList<ModelColumn> Columns)> statements, CancellationToken ct)
    {
        var prepared = new RawStatements(connection, business, statements);
        if (prepared._batch is not null)
            await prepared._batch.PrepareAsync(ct);
        foreach (var command in prepared._commands)
            await command.PrepareAsync(ct);
        return prepared;
    }

    /// <summary>Opens a connection as Tidings' own runtime role (on PostgreSQL the app role, under row-level security).</summary>
    public static async Task<DbConnection> OpenAsync(BenchDatabase database, CancellationToken ct)
    {
        DbConnection connection = database.Provider == DatabaseProvider.Sqlite
            ? new SqliteConnection(database.Settings.ConnectionString)
            : new NpgsqlConnection(database.Settings.ConnectionString);
        await connection.OpenAsync(ct);
        if (connection is SqliteConnection)
        {
            // EF turns foreign keys on for every connection it opens; the ceiling checks them too.
            await using var pragma = connection.CreateCommand();
            pragma.CommandText = "PRAGMA foreign_keys = ON";
            await pragma.ExecuteNonQueryAsync(ct);
        }
        return connection;
    }

    public void Bind(int statement, IReadOnlyList<ModelColumn> columns, object row)
    {
        var parameters = _parameters[statement];
        for (var i = 0; i < parameters.Length; i++)
            parameters[i].Value = columns[i].ValueIn(row);
    }

    public void Bind(int statement, int parameter, ModelColumn column, object? value) =>
        _parameters[statement][parameter].Value = column.ProviderValue(value);

    /// <summary>Runs the statements in <paramref name="transaction"/>; answers the rows they changed.</summary>
    public async Task<int> ExecuteAsync(DbTransaction transaction, CancellationToken ct)
    {
        if (_batch is not null)
        {
            _batch.Transaction = (NpgsqlTransaction)transaction;
            await _batch.ExecuteNonQueryAsync(ct);
            var changed = 0;
            for (var i = _leadsWithTenant ? 1 : 0; i < _batch.BatchCommands.Count; i++)
                changed += _batch.BatchCommands[i].RecordsAffected;
            return changed;
        }
        var rows = 0;
        foreach (var command in _commands)
        {
            command.Transaction = transaction;
            rows += await command.ExecuteNonQueryAsync(ct);
        }
        return rows;
    }

    public async ValueTask DisposeAsync()
    {
        if (_batch is not null)
            await _batch.DisposeAsync();
        foreach (var command in _commands)
            await command.DisposeAsync();
    }

    public static string Quote(string name) => "\"" + name.Replace("\"", "\"\"") + "\"";

    public static string InsertSql(string table, IReadOnlyList<ModelColumn> columns) =>
        $"INSERT INTO {Quote(table)} ({string.Join(", ", columns.Select(c => Quote(c.Name)))}) VALUES ({string.Join(", ", columns.Select((_, i) => "@p" + i))})";
}
