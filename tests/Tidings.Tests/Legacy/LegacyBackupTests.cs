using System.Text.Json;
using Microsoft.Data.Sqlite;
using Tidings.Legacy;
using Tidings.Tests.Cli;

namespace Tidings.Tests.Legacy;

public sealed class LegacyBackupTests : IDisposable
{
    private readonly LegacyFileBuilder _old = new();
    private readonly string _workDir = Directory.CreateTempSubdirectory("tidings-legacy-").FullName;

    [Fact]
    public async Task The_backup_holds_every_row_of_every_table_with_each_value_as_stored()
    {
        var ada = _old.User("ada@old.example", "Ada Lovelace", "$2b$12$abcdefghijklmnopqrstuv", 1, "2023-01-02 03:04:05.678901");
        _old.User("bob@old.example", null, null, "yes", "2023-01-02T03:04:05Z");
        var acme = _old.Client("Acme", searchKeywords: "[\"acme\",\"rockets\"]", accountOwner: "Ada Lovelace", healthScore: 87.5);
        _old.Client("Odd Co", searchKeywords: "acme; rockets", accountOwner: "TBD", healthScore: "n/a", createdAt: 1700000000, lastCheckedAt: new byte[] { 1, 2, 255 });
        _old.Event(acme, "Acme raises money", "funding", "2024-03-05 14:02:11", url: "https://news.example/a", isRead: 1, isStarred: 0);
        _old.Event(999, "Orphan story", "Funding Round", "05/03/2024", relevance: 1.7);
        var path = _old.Finish();
        var expected = ReadAll(path);

        var backupPath = Path.Combine(_workDir, "backup.json");
        var counts = await LegacyBackup.ExportAsync(path, backupPath, TimeProvider.System, CancellationToken.None);

        Assert.Equal(expected.Select(t => (t.Key, (long)t.Value.Count)), counts.Select(c => (c.Table, c.Rows)));
        using var backup = JsonDocument.Parse(await File.ReadAllTextAsync(backupPath));
        Assert.Equal(LegacyBackup.Format, backup.RootElement.GetProperty("format").GetString());
        foreach (var table in backup.RootElement.GetProperty("tables").EnumerateArray())
        {
            var rows = table.GetProperty("rows").EnumerateArray().Select(r => r.EnumerateArray().Select(Value).ToList()).ToList();
            Assert.Equal(expected[table.GetProperty("name").GetString()!], rows);
            Assert.Equal(rows.Count, table.GetProperty("rowCount").GetInt64());
        }
        Assert.Equal(ada, expected["users"][0][0]);
        Assert.False(File.Exists(backupPath + ".partial"));
    }

    [Fact]
    public async Task A_missing_or_damaged_file_fails_in_one_line_and_writes_no_backup()
    {
        var damaged = Path.Combine(_workDir, "damaged.db");
        await File.WriteAllTextAsync(damaged, "this is not a database");
        foreach (var input in new[] { Path.Combine(_workDir, "missing.db"), damaged })
        {
            var result = await TidingsProcess.RunAsync(_workDir, [], "legacy", "export", input, "-o", "backup.json");
            result.AssertFailedInOneLine(TidingsCli.Failed, Path.GetFileName(input));
            Assert.False(File.Exists(Path.Combine(_workDir, "backup.json")));
            Assert.False(File.Exists(Path.Combine(_workDir, "backup.json.partial")));
        }
    }

    [Fact]
    public async Task The_export_verb_reports_each_table_and_leaves_the_old_file_untouched()
    {
        _old.Client("Acme");
        var path = _old.Finish();
        var before = await File.ReadAllBytesAsync(path);
        var result = await TidingsProcess.RunAsync(_workDir, [], "legacy", "export", path, "-o", "backup.json");
        Assert.Equal(TidingsCli.Ok, result.ExitCode);
        Assert.Contains("clients: 1 row(s)", result.Out);
        Assert.Contains("events: 0 row(s)", result.Out);
        Assert.True(File.Exists(Path.Combine(_workDir, "backup.json")));
        Assert.Equal(before, await File.ReadAllBytesAsync(path));
    }

    /// <summary>The JSON value back in the shape SQLite handed it out, for comparing with a direct read.</summary>
    private static object? Value(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number when value.TryGetInt64(out var integer) && !value.GetRawText().Contains('.') && !value.GetRawText().Contains('E') => integer,
        JsonValueKind.Number => value.GetDouble(),
        JsonValueKind.Object when value.TryGetProperty("blob", out var blob) => Convert.ToHexString(blob.GetBytesFromBase64()),
        _ => value.GetRawText(),
    };

    private static Dictionary<string, List<List<object?>>> ReadAll(string path)
    {
        using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        connection.Open();
        var tables = new List<string>();
        using (var list = connection.CreateCommand())
        {
            list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name";
            using var reader = list.ExecuteReader();
            while (reader.Read())
                tables.Add(reader.GetString(0));
        }
        var all = new Dictionary<string, List<List<object?>>>();
        foreach (var table in tables)
        {
            using var select = connection.CreateCommand();
            select.CommandText = $"SELECT * FROM \"{table}\" ORDER BY rowid";
            using var reader = select.ExecuteReader();
            var rows = new List<List<object?>>();
            while (reader.Read())
                rows.Add(Enumerable.Range(0, reader.FieldCount).Select(i => reader.GetValue(i) switch
                {
                    DBNull => null,
                    byte[] bytes => Convert.ToHexString(bytes),
                    var v => v,
                }).ToList());
            all[table] = rows;
        }
        return all;
    }

    public void Dispose()
    {
        _old.Dispose();
        Directory.Delete(_workDir, recursive: true);
    }
}
