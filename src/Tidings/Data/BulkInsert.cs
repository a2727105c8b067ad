using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Tidings.Data;

/// <summary>
/// Inserts many rows of a mapped entity without SaveChanges: PostgreSQL binary COPY (multi-row INSERTs on Citus),
/// SQLite one prepared INSERT re-bound per row. Columns, names and value conversions come from the EF model, so a row written
/// here reads back through EF exactly as if SaveChanges had written it. Through
/// <see cref="TidingsDbContext.SaveInsertsInBulkAsync"/> rows are stamped and audited one by one, as
/// SaveChanges would; through <see cref="WriteAsync{T}"/> nothing is: the caller holds
/// <see cref="TidingsDbContext.AllowDirectWrites"/>, an open transaction, and writes its own summary audit entry.
/// </summary>
public static class BulkInsert
{
    public static async Task WriteAsync<T>(TidingsDbContext db, IReadOnlyCollection<T> rows, CancellationToken ct) where T : class
    {
        if (db.DirectWritesReason is null)
            throw new Auditing.UnauditedWriteException();
        await WriteRowsAsync(db, [(typeof(T), rows)], ct);
    }

    /// <summary>
    /// The write itself, table after table in the caller's transaction, for <see cref="TidingsDbContext.SaveInsertsInBulkAsync"/>
    /// (which audits each row) and <see cref="WriteAsync{T}"/> (whose caller audits the batch).
    /// </summary>
    internal static async Task WriteRowsAsync(TidingsDbContext db, IReadOnlyList<(Type Type, IReadOnlyCollection<object> Rows)> tables, CancellationToken ct)
    {
        if (tables.All(t => t.Rows.Count == 0))
            return;
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("Bulk inserts run inside the caller's transaction, so a failed run leaves nothing behind.");
        var npgsql = transaction.Connection as NpgsqlConnection;
        // Citus moves the rows of an INSERT ... SELECT into the shards with COPY, which row-level security refuses there
        // as on one server, so the staged COPY cannot serve. Asked at every save, not once a process: a service running
        // when its database was distributed takes the right path at once.
        var onCitus = npgsql is not null && await Postgres.CitusPlacement.InstalledAsync(npgsql, transaction, ct);
        foreach (var (type, rows) in tables)
        {
            if (rows.Count == 0)
                continue;
            var (table, columns) = Describe(db.Model, type);
            if (npgsql is null)
                await InsertAsync(transaction, table, columns, rows, ct);
            else if (onCitus)
                await InsertManyAsync(npgsql, (NpgsqlTransaction)transaction, table, columns, rows, ct);
            else
                await CopyAsync(npgsql, (NpgsqlTransaction)transaction, table, columns, rows, staged: true, ct);
        }
    }

    /// <summary>A protocol message carries at most 65,535 parameters.</summary>
    private const int MaxParameters = 65_535, MaxRowsPerStatement = 1_000;

    /// <summary>
    /// Multi-row INSERT ... VALUES, which Citus routes to the shard of its rows (one business's rows, one shard) and
    /// runs there as an INSERT, under the policies. The rows go in statements of up to a thousand, each bound with
    /// the columns' own type mappings.
    /// </summary>
    private static async Task InsertManyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string table, List<Column> columns,
        IReadOnlyCollection<object> rows, CancellationToken ct)
    {
        var perStatement = Math.Min(MaxRowsPerStatement, MaxParameters / columns.Count);
        var head = $"INSERT INTO {Quote(table)} ({string.Join(", ", columns.Select(c => Quote(c.Name)))}) VALUES ";
        foreach (var chunk in rows.Chunk(perStatement))
        {
            await using var command = new NpgsqlCommand { Connection = connection, Transaction = transaction };
            var values = new System.Text.StringBuilder(head);
            for (var r = 0; r < chunk.Length; r++)
            {
                values.Append(r == 0 ? "(" : ", (");
                for (var i = 0; i < columns.Count; i++)
                {
                    var name = "p" + (r * columns.Count + i);
                    values.Append(i == 0 ? "@" : ", @").Append(name);
                    // Made empty and then given the provider's value, as InsertAsync does: CreateParameter would convert it again.
                    var parameter = columns[i].Mapping.CreateParameter(command, name, null, columns[i].Property.IsNullable);
                    parameter.Value = columns[i].ProviderValue(chunk[r]) ?? DBNull.Value;
                    command.Parameters.Add(parameter);
                }
                values.Append(')');
            }
            command.CommandText = values.ToString();
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>
    /// Loads rows straight into their table, outside any context and its rules: no tenant check, no audit,
    /// and on PostgreSQL a plain COPY, which only a role that bypasses row-level security may run (a
    /// superuser). For filling a scratch database with generated data (bench/), never for business data.
    /// </summary>
    public static async Task LoadAsync<T>(IModel model, DbTransaction transaction, IReadOnlyCollection<T> rows, CancellationToken ct) where T : class
    {
        if (rows.Count == 0)
            return;
        var (table, columns) = Describe(model, typeof(T));
        if (transaction.Connection is NpgsqlConnection npgsql)
            await CopyAsync(npgsql, (NpgsqlTransaction)transaction, table, columns, rows, staged: false, ct);
        else
            await InsertAsync(transaction, table, columns, rows, ct);
    }

    private static (string Table, List<Column> Columns) Describe(IModel model, Type type)
    {
        var entity = model.FindEntityType(type) ?? throw new InvalidOperationException($"{type.Name} is not mapped.");
        var table = entity.GetTableName()!;
        var store = StoreObjectIdentifier.Table(table, entity.GetSchema());
        var columns = entity.GetProperties()
            .Select(p => new Column(p, p.GetColumnName(store)!, p.GetRelationalTypeMapping()))
            .ToList();
        return (table, columns);
    }

    private sealed record Column(IProperty Property, string Name, RelationalTypeMapping Mapping)
    {
        public object? ProviderValue(object row)
        {
            var value = Property.GetGetter().GetClrValue(row);
            return value is null ? null : Mapping.Converter?.ConvertToProvider(value) ?? value;
        }
    }

    private static string Quote(string name) => "\"" + name.Replace("\"", "\"\"") + "\"";

    private static async Task InsertAsync(DbTransaction transaction, string table, List<Column> columns, IEnumerable<object> rows, CancellationToken ct)
    {
        await using var command = transaction.Connection!.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"INSERT INTO {Quote(table)} ({string.Join(", ", columns.Select(c => Quote(c.Name)))}) " +
            $"VALUES ({string.Join(", ", columns.Select((_, i) => "@p" + i))})";
        // Parameters are made once by each column's own type mapping (as EF binds them) and re-bound per row.
        var parameters = columns.Select((c, i) => c.Mapping.CreateParameter(command, "@p" + i, null, c.Property.IsNullable)).ToArray();
        command.Parameters.AddRange(parameters);
        await command.PrepareAsync(ct);
        foreach (var row in rows)
        {
            for (var i = 0; i < columns.Count; i++)
                parameters[i].Value = columns[i].ProviderValue(row) ?? DBNull.Value;
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>
    /// PostgreSQL refuses COPY FROM into a table under row-level security, so unless the caller bypasses it,
    /// rows are copied into a temporary twin of the table and moved over with one INSERT ... SELECT, which
    /// the policies check.
    /// </summary>
    private static async Task CopyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string table, List<Column> columns,
        IEnumerable<object> rows, bool staged, CancellationToken ct)
    {
        var target = Quote(staged ? "bulk_" + table : table);
        var names = string.Join(", ", columns.Select(c => Quote(c.Name)));
        if (staged)
            await ExecuteAsync(connection, transaction, $"CREATE TEMP TABLE IF NOT EXISTS {target} (LIKE {Quote(table)} INCLUDING DEFAULTS) ON COMMIT DROP", ct);
        var types = columns.Select(c => NpgsqlTypeOf(c.Mapping.StoreType)).ToArray();
        await using (var importer = await connection.BeginBinaryImportAsync($"COPY {target} ({names}) FROM STDIN (FORMAT BINARY)", ct))
        {
            // The importer buffers; its synchronous writes only block when a buffer goes out, and cost far less per value.
            foreach (var row in rows)
            {
                importer.StartRow();
                for (var i = 0; i < columns.Count; i++)
                {
                    if (columns[i].ProviderValue(row) is { } value)
                        importer.Write(value, types[i]);
                    else
                        importer.WriteNull();
                }
            }
            await importer.CompleteAsync(ct);
        }
        if (staged)
            await ExecuteAsync(connection, transaction, $"INSERT INTO {Quote(table)} ({names}) SELECT {names} FROM {target}; TRUNCATE {target}", ct);
    }

    private static NpgsqlDbType NpgsqlTypeOf(string storeType)
    {
        var name = storeType.Split('(')[0].Trim();
        return name switch
        {
            "uuid" => NpgsqlDbType.Uuid,
            "text" => NpgsqlDbType.Text,
            "character varying" => NpgsqlDbType.Varchar,
            "jsonb" => NpgsqlDbType.Jsonb,
            "boolean" => NpgsqlDbType.Boolean,
            "integer" => NpgsqlDbType.Integer,
            "bigint" => NpgsqlDbType.Bigint,
            "double precision" => NpgsqlDbType.Double,
            "timestamp with time zone" => NpgsqlDbType.TimestampTz,
            _ => throw new NotSupportedException($"Bulk insert does not know the PostgreSQL type '{storeType}'."),
        };
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(ct);
    }
}
