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
            case double real when double.IsFinite(real): json.WriteNumberValue(real); break;
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

    public static async Task<SqliteConnection> OpenReadOnlyAsync(string path, CancellationToken ct)
    {
        if (!File.Exists(path))
            throw new VerbFailedException($"{path}: no such file.");
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
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
