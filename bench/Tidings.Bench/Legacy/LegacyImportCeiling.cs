using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;
using Tidings.Data;

namespace Tidings.Bench.Legacy;

/// <summary>
/// The raw-SQL ceiling beside the import's figure: the file's events read with a plain reader and written
/// as they are, with no parsing, mapping or checking, into a bare table (no keys, indexes or policies) by
/// each provider's fastest path: one prepared INSERT re-bound per row for SQLite, binary COPY for
/// PostgreSQL. No import can move the same rows faster on the same machine.
/// </summary>
public static class LegacyImportCeiling
{
    private static readonly (string Name, NpgsqlDbType Type)[] Columns =
    [
        ("id", NpgsqlDbType.Bigint), ("client_id", NpgsqlDbType.Bigint), ("title", NpgsqlDbType.Text),
        ("description", NpgsqlDbType.Text), ("url", NpgsqlDbType.Text), ("source", NpgsqlDbType.Text),
        ("category", NpgsqlDbType.Text), ("relevance_score", NpgsqlDbType.Double), ("sentiment_score", NpgsqlDbType.Double),
        ("event_date", NpgsqlDbType.Text), ("discovered_at", NpgsqlDbType.Text), ("is_read", NpgsqlDbType.Bigint),
        ("is_starred", NpgsqlDbType.Bigint),
    ];

    private static string ColumnList => string.Join(", ", Columns.Select(c => c.Name));

    /// <summary>Copies every event of the legacy file into a new table ceiling_events of the target; returns how many.</summary>
    public static async Task<Timed<long>> MeasureAsync(string legacyPath, BenchDatabase target, CancellationToken ct)
    {
        await using var source = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = legacyPath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ConnectionString);
        await source.OpenAsync(ct);
        await using var select = source.CreateCommand();
        select.CommandText = $"SELECT {ColumnList} FROM events ORDER BY id";
        var definition = $"CREATE TABLE ceiling_events ({string.Join(", ", Columns.Select(c => $"{c.Name} {(c.Type == NpgsqlDbType.Double ? "double precision" : c.Type.ToString().ToLowerInvariant())}"))})";
        return await Measurement.TimeAsync(async () =>
        {
            await using var reader = await select.ExecuteReaderAsync(ct);
            return target.Provider == DatabaseProvider.Sqlite
                ? Insert(reader, target.LoaderConnectionString, definition, ct)
                : await CopyAsync(reader, target.LoaderConnectionString, definition, ct);
        });
    }

    private static long Insert(DbDataReader reader, string connectionString, string definition, CancellationToken ct)
    {
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var transaction = connection.BeginTransaction();
        using (var create = new SqliteCommand(definition, connection, transaction))
            create.ExecuteNonQuery();
        using var insert = new SqliteCommand($"INSERT INTO ceiling_events ({ColumnList}) VALUES ({string.Join(", ", Columns.Select((_, i) => "$p" + i))})", connection, transaction);
        var parameters = Columns.Select((_, i) => insert.Parameters.Add(new SqliteParameter { ParameterName = "$p" + i })).ToArray();
        insert.Prepare();
        long rows = 0;
        while (reader.Read())
        {
            for (var i = 0; i < parameters.Length; i++)
                parameters[i].Value = reader.GetValue(i);
            insert.ExecuteNonQuery();
            if (++rows % 10_000 == 0)
                ct.ThrowIfCancellationRequested();
        }
        transaction.Commit();
        return rows;
    }

    private static async Task<long> CopyAsync(DbDataReader reader, string connectionString, string definition, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using (var create = new NpgsqlCommand(definition, connection, transaction))
            await create.ExecuteNonQueryAsync(ct);
        long rows = 0;
        await using (var copy = await connection.BeginBinaryImportAsync($"COPY ceiling_events ({ColumnList}) FROM STDIN (FORMAT BINARY)", ct))
        {
            while (reader.Read())
            {
                copy.StartRow();
                for (var i = 0; i < Columns.Length; i++)
                    Write(copy, reader.GetValue(i), Columns[i].Type);
                if (++rows % 10_000 == 0)
                    ct.ThrowIfCancellationRequested();
            }
            await copy.CompleteAsync(ct);
        }
        await transaction.CommitAsync(ct);
        return rows;
    }

    /// <summary>The old file's loose typing (an epoch integer in a DATETIME column) meets the bare table's types as plainly as possible.</summary>
    private static void Write(NpgsqlBinaryImporter copy, object value, NpgsqlDbType type)
    {
        if (value is DBNull)
            copy.WriteNull();
        else if (type == NpgsqlDbType.Text)
            copy.Write(Convert.ToString(value, CultureInfo.InvariantCulture)!, type);
        else if (type == NpgsqlDbType.Double)
            copy.Write(Convert.ToDouble(value, CultureInfo.InvariantCulture), type);
        else
            copy.Write(Convert.ToInt64(value, CultureInfo.InvariantCulture), type);
    }
}
