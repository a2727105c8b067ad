using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Tidings.Legacy;

/// <summary>
/// A complete, faithful JSON backup of an old single-tenant database: every row of every table with
/// each value as SQLite stores it (integer, real, text, blob as base64, null), streamed row by row so a
/// large file never has to fit in memory. Written to a temporary file and renamed at the end, so a
/// failed or killed export leaves no half-written backup behind.
/// </summary>
public static class LegacyBackup
{
    public const string Format = "tidings-legacy-backup";
    public const int Version = 1;

    public sealed record TableCount(string Table, long Rows);

    public static async Task<IReadOnlyList<TableCount>> ExportAsync(string databasePath, string backupPath, TimeProvider clock, CancellationToken ct)
    {
        await using var connection = await OpenReadOnlyAsync(databasePath, ct);
        var tables = await TablesAsync(connection, ct);
        var temporary = backupPath + ".partial";
        var counts = new List<TableCount>();
        try
        {
            await using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            await using (var json = new Utf8JsonWriter(file, new JsonWriterOptions { Indented = false }))
            {
                json.WriteStartObject();
                json.WriteString("format", Format);
                json.WriteNumber("version", Version);
                json.WriteString("source", Path.GetFileName(databasePath));
                json.WriteString("exportedAt", clock.GetUtcNow().UtcDateTime);
                json.WriteStartArray("tables");
                foreach (var (name, sql) in tables)
                    counts.Add(new TableCount(name, await WriteTableAsync(connection, json, file, name, sql, ct)));
                json.WriteEndArray();
                json.WriteEndObject();
            }
            File.Move(temporary, backupPath, overwrite: true);
            return counts;
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private static async Task<long> WriteTableAsync(SqliteConnection connection, Utf8JsonWriter json, Stream file, string table, string sql, CancellationToken ct)
    {
        json.WriteStartObject();
        json.WriteString("name", table);
        json.WriteString("sql", sql);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT * FROM \"{table.Replace("\"", "\"\"")}\" ORDER BY rowid";
        await using var reader = await command.ExecuteReaderAsync(ct);
        json.WriteStartArray("columns");
        for (var i = 0; i < reader.FieldCount; i++)
            json.WriteStringValue(reader.GetName(i));
        json.WriteEndArray();
        json.WriteStartArray("rows");
        long rows = 0;
        while (await reader.ReadAsync(ct))
        {
            json.WriteStartArray();
            for (var i = 0; i < reader.FieldCount; i++)
                WriteValue(json, reader.GetValue(i));
            json.WriteEndArray();
            // Hand finished rows to the file now and then, so memory stays flat whatever the table's size.
            if (++rows % 1000 == 0)
            {
                await json.FlushAsync(ct);
                await file.FlushAsync(ct);
            }
        }
        json.WriteEndArray();
        json.WriteNumber("rowCount", rows);
        json.WriteEndObject();
        return rows;
    }

    /// <summary>Each value in the storage class SQLite holds it in: nothing is converted or parsed.</summary>
    private static void WriteValue(Utf8JsonWriter json, object value)
    {
        switch (value)
        {
            case DBNull: json.WriteNullValue(); break;
            case long integer: json.WriteNumberValue(integer); break;
            case double real when double.IsFinite(real):
                // "2.0", not "2": a whole real must not come back as an integer.
                var digits = real.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
                json.WriteRawValue(digits.Contains('.') || digits.Contains('E') ? digits : digits + ".0");
                break;
            case double real:
                json.WriteStartObject();
                json.WriteString("real", real.ToString(System.Globalization.CultureInfo.InvariantCulture));
                json.WriteEndObject();
                break;
            case string text: json.WriteStringValue(text); break;
            case byte[] blob:
                json.WriteStartObject();
                json.WriteBase64String("blob", blob);
                json.WriteEndObject();
                break;
            default: throw new InvalidDataException($"Unexpected SQLite value of type {value.GetType().Name}.");
        }
    }

    /// <summary>
    /// Writes a backup back into a SQLite file (tables as they were created, values in their storage
    /// classes), so an import reads a backup exactly as it reads the file it came from.
    /// </summary>
    public static async Task RestoreAsync(string backupPath, string databasePath, CancellationToken ct)
    {
        JsonDocument backup;
        try
        {
            await using var file = File.OpenRead(backupPath);
            backup = await JsonDocument.ParseAsync(file, cancellationToken: ct);
        }
        catch (JsonException e)
        {
            throw new VerbFailedException($"{backupPath}: not a JSON backup ({e.Message}).");
        }
        using (backup)
        {
            var root = backup.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("format", out var format) || format.ValueKind != JsonValueKind.String
                || format.GetString() != Format || !root.TryGetProperty("tables", out var tables) || tables.ValueKind != JsonValueKind.Array)
                throw new VerbFailedException($"{backupPath}: not a backup written by `tidings legacy export`.");
            // Foreign keys off, as in the old app: a backup holds events whose client was deleted.
            await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = false, ForeignKeys = false }.ToString());
            await connection.OpenAsync(ct);
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(ct);
            try
            {
                foreach (var table in tables.EnumerateArray())
                    await RestoreTableAsync(connection, transaction, table, ct);
            }
            catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException or SqliteException)
            {
                throw new VerbFailedException($"{backupPath}: damaged backup ({e.Message.ReplaceLineEndings(" ")}).");
            }
            await transaction.CommitAsync(ct);
        }
    }

    private static async Task RestoreTableAsync(SqliteConnection connection, SqliteTransaction transaction, JsonElement table, CancellationToken ct)
    {
        var name = table.GetProperty("name").GetString()!;
        if (name.StartsWith("sqlite_", StringComparison.Ordinal))
            return; // SQLite's own bookkeeping, re-created by the tables that need it
        await using (var create = connection.CreateCommand())
        {
            create.Transaction = transaction;
            create.CommandText = table.GetProperty("sql").GetString()!;
            await create.ExecuteNonQueryAsync(ct);
        }
        var columns = table.GetProperty("columns").EnumerateArray().Select(c => c.GetString()!).ToList();
        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = $"INSERT INTO \"{name.Replace("\"", "\"\"")}\" ({string.Join(", ", columns.Select(c => "\"" + c.Replace("\"", "\"\"") + "\""))}) " +
            $"VALUES ({string.Join(", ", columns.Select((_, i) => "$p" + i))})";
        var parameters = columns.Select((_, i) => insert.Parameters.Add("$p" + i, SqliteType.Text)).ToList();
        foreach (var row in table.GetProperty("rows").EnumerateArray())
        {
            var i = 0;
            foreach (var value in row.EnumerateArray())
            {
                var (type, stored) = ReadValue(value);
                parameters[i].SqliteType = type;
                parameters[i++].Value = stored;
            }
            await insert.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>The inverse of <see cref="WriteValue"/>: each value back in its storage class.</summary>
    private static (SqliteType, object) ReadValue(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null => (SqliteType.Text, DBNull.Value),
        JsonValueKind.String => (SqliteType.Text, value.GetString()!),
        JsonValueKind.Number when value.TryGetInt64(out var integer) && !value.GetRawText().Contains('.') && !value.GetRawText().Contains('e', StringComparison.OrdinalIgnoreCase)
            => (SqliteType.Integer, integer),
        JsonValueKind.Number => (SqliteType.Real, value.GetDouble()),
        JsonValueKind.Object when value.TryGetProperty("blob", out var blob) => (SqliteType.Blob, blob.GetBytesFromBase64()),
        JsonValueKind.Object when value.TryGetProperty("real", out var real) =>
            (SqliteType.Real, double.Parse(real.GetString()!, System.Globalization.CultureInfo.InvariantCulture)),
        _ => throw new FormatException($"unexpected value {value.GetRawText()}"),
    };

    public static Task<SqliteConnection> OpenReadOnlyAsync(string path, CancellationToken ct) => OpenAsync(path, SqliteOpenMode.ReadOnly, ct);

    /// <summary>
    /// An old app's file, which must exist and be SQLite. Foreign keys stay off, as the old app had them: its
    /// orphan events must survive reads, renames and rebuilds untouched.
    /// </summary>
    public static async Task<SqliteConnection> OpenAsync(string path, SqliteOpenMode mode, CancellationToken ct)
    {
        if (!File.Exists(path))
            throw new VerbFailedException($"{path}: no such file.");
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = mode, Pooling = false, ForeignKeys = false }.ToString());
        try
        {
            await connection.OpenAsync(ct);
            await using var probe = connection.CreateCommand();
            probe.CommandText = "SELECT count(*) FROM sqlite_master";
            await probe.ExecuteScalarAsync(ct);
            return connection;
        }
        catch (SqliteException e)
        {
            await connection.DisposeAsync();
            throw new VerbFailedException($"{path}: not a readable SQLite database ({e.Message.ReplaceLineEndings(" ")}).");
        }
    }

    private static async Task<List<(string Name, string Sql)>> TablesAsync(SqliteConnection connection, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name";
        await using var reader = await command.ExecuteReaderAsync(ct);
        var tables = new List<(string, string)>();
        while (await reader.ReadAsync(ct))
            tables.Add((reader.GetString(0), reader.IsDBNull(1) ? "" : reader.GetString(1)));
        return tables;
    }
}
