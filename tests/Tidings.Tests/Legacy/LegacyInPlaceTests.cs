using System.Diagnostics;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Tidings.Data;
using Tidings.Data.Auditing;
using Tidings.Data.Tenancy;
using Tidings.Tests.Cli;
using Tidings.Users;

namespace Tidings.Tests.Legacy;

/// <summary>
/// The phased move on the old SQLite file itself (migrate-in-place, verify, finalize, rollback), driven
/// through the real executable as an operator runs it, and checked by reading the file directly.
/// </summary>
public sealed class LegacyInPlaceTests : IDisposable
{
    private const int MessyUsers = 4, MessyClients = 5, MessyEvents = 6;
    private const string AdaPassword = "Welcome2023!";

    // Cost 4 keeps the test fast; the prefix is passlib's, as in a real old file.
    private static readonly string AdaHash = BCrypt.Net.BCrypt.HashPassword(AdaPassword, BCrypt.Net.BCrypt.GenerateSalt(4, 'b'));
    private static readonly string OtherHash = BCrypt.Net.BCrypt.HashPassword("correct horse battery", BCrypt.Net.BCrypt.GenerateSalt(4, 'b'));

    private readonly LegacyFileBuilder _old = new();
    private readonly string _workDir = Directory.CreateTempSubdirectory("tidings-in-place-").FullName;

    private string OldFile => Path.Combine(_workDir, "old.db");
    private string ReportFile => Path.Combine(_workDir, "old.migrate-report.json");

    public void Dispose()
    {
        _old.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_workDir, recursive: true);
    }

    [Fact]
    public async Task Migrating_a_messy_file_in_place_keeps_the_old_tables_and_fills_the_new_ones()
    {
        var path = MessyFile();

        var result = await RunAsync("legacy", "migrate-in-place", path);

        AssertOk(result);
        Assert.Contains("Verified", result.Out);
        using (var report = JsonDocument.Parse(await File.ReadAllTextAsync(ReportFile)))
        {
            var root = report.RootElement;
            Assert.False(root.GetProperty("nothingToDo").GetBoolean());
            Assert.Equal("ada@old.example", root.GetProperty("ownerEmail").GetString());
            var verification = root.GetProperty("verification");
            Assert.True(verification.GetProperty("passed").GetBoolean());
            foreach (var (table, count) in new[] { ("users", MessyUsers), ("clients", MessyClients), ("events", MessyEvents) })
            {
                var check = verification.GetProperty("tables").GetProperty(table);
                Assert.Equal(count, check.GetProperty("oldCount").GetInt64());
                Assert.Equal(count, check.GetProperty("newCount").GetInt64());
                Assert.True(check.GetProperty("matches").GetBoolean(), $"{table} checksums differ");
            }
            Assert.Equal(3, verification.GetProperty("readOld").GetInt64());
            Assert.Equal(3, verification.GetProperty("readNew").GetInt64());
            Assert.Equal(3, verification.GetProperty("starredOld").GetInt64());
            Assert.Equal(3, verification.GetProperty("starredNew").GetInt64());
            Assert.True(root.GetProperty("anomalies").TryGetProperty("orphan_event", out _));
            Assert.True(root.GetProperty("anomalies").TryGetProperty("duplicate_event", out _));
        }

        var tables = await TablesAsync(path);
        Assert.Superset(new HashSet<string> { "users_old", "clients_old", "events_old", "users", "clients", "events", "businesses", "legacy_id_map", "legacy_values", "__EFMigrationsHistory" }, tables);
        Assert.Equal(MessyUsers, await CountAsync(path, "SELECT count(*) FROM users_old"));
        Assert.Equal(MessyClients, await CountAsync(path, "SELECT count(*) FROM clients_old"));
        Assert.Equal(MessyEvents, await CountAsync(path, "SELECT count(*) FROM events_old"));

        await using var db = await OpenTidingsAsync(path);
        // The four old users, and the account owner who never had an account, kept as an inactive person.
        Assert.Equal(MessyUsers + 1, await db.Users.CountAsync());
        // The five old clients, and one standing in for the deleted client #999.
        Assert.Equal(MessyClients + 1, await db.Clients.CountAsync());
        Assert.Equal(MessyEvents, await db.Events.CountAsync());

        var ada = await db.Users.SingleAsync(u => u.Email == "ada@old.example");
        Assert.Equal(AdaHash, ada.PasswordHash);
        Assert.True(Passwords.Verify(ada, AdaPassword, out _), "the old password no longer works");
        Assert.Equal(UserRoles.Owner, ada.Role);
        Assert.False((await db.Users.SingleAsync(u => u.Email == "bob@old.example")).IsActive);
        Assert.Equal("nameless@old.example", (await db.Users.SingleAsync(u => u.Email == "nameless@old.example")).DisplayName);
        var stranger = await db.Users.SingleAsync(u => u.DisplayName == "Someone Without Account");
        Assert.False(stranger.IsActive);
        Assert.Null(stranger.PasswordHash);

        var jose = await db.Users.SingleAsync(u => u.Email == "jose@old.example");
        Assert.Equal(jose.Id, (await db.Clients.SingleAsync(c => c.Name == "Accent Co")).AssignedToUserId);
        Assert.Null((await db.Clients.SingleAsync(c => c.Name == "Placeholder Co")).AssignedToUserId);
        Assert.Equal(stranger.Id, (await db.Clients.SingleAsync(c => c.Name == "Stranger Co")).AssignedToUserId);

        var orphan = await db.Events.SingleAsync(e => e.Title == "Orphan story");
        Assert.Equal("Missing client #999", (await db.Clients.SingleAsync(c => c.Id == orphan.ClientId)).Name);
        Assert.Equal("funding", orphan.Category);
        Assert.Equal("misc stuff", (await db.Events.SingleAsync(e => e.Title == "Something odd")).Category);
        var twice = await db.Events.Where(e => e.Title == "Acme raises money").OrderBy(e => e.DuplicateOfEventId).ToListAsync();
        Assert.Equal(2, twice.Count);
        Assert.Null(twice[0].DuplicateOfEventId);
        Assert.Equal(twice[0].Id, twice[1].DuplicateOfEventId);
    }

    [Fact]
    public async Task Verify_after_migrating_reports_matching_checksums()
    {
        var path = MessyFile();
        AssertOk(await RunAsync("legacy", "migrate-in-place", path));

        var verify = await RunAsync("legacy", "verify", path);

        AssertOk(verify);
        Assert.Contains("checksum matches", verify.Out);
        Assert.DoesNotContain("DIFFERS", verify.Out);
        Assert.Contains("Verified", verify.Out);
    }

    [Theory]
    [InlineData("title changed")]
    [InlineData("row deleted")]
    public async Task A_tampered_new_table_fails_verify_and_finalize_keeps_the_old_tables(string tampering)
    {
        var path = MessyFile();
        AssertOk(await RunAsync("legacy", "migrate-in-place", path));

        await using (var connection = await OpenAsync(path))
        {
            if (tampering == "title changed")
                Assert.Equal(1, await ExecuteAsync(connection, "UPDATE events SET title = 'changed' WHERE rowid = 1"));
            else
            {
                Assert.Equal(1, await ExecuteAsync(connection, "DELETE FROM legacy_id_map WHERE table_name = 'events' AND new_id = (SELECT id FROM events WHERE rowid = 1)"));
                Assert.Equal(1, await ExecuteAsync(connection, "DELETE FROM events WHERE rowid = 1"));
            }
        }

        var verify = await RunAsync("legacy", "verify", path);

        verify.AssertFailedInOneLine(TidingsCli.Failed, "verification failed");
        Assert.Contains("DIFFERS", verify.Out);

        var finalize = await RunAsync("legacy", "finalize", path);

        finalize.AssertFailedInOneLine(TidingsCli.Failed, "old tables are kept");
        Assert.DoesNotContain("finalized", finalize.Out);
        Assert.Equal(MessyUsers, await CountAsync(path, "SELECT count(*) FROM users_old"));
        Assert.Equal(MessyClients, await CountAsync(path, "SELECT count(*) FROM clients_old"));
        Assert.Equal(MessyEvents, await CountAsync(path, "SELECT count(*) FROM events_old"));
        Assert.Equal("renamed", await ScalarAsync(path, "SELECT value FROM legacy_migration_state WHERE key = 'state'"));
    }

    [Fact]
    public async Task Rollback_returns_the_file_to_exactly_its_old_tables_rows_sequences_and_journal_mode()
    {
        var path = MessyFile();
        AssertOk(await RunAsync("legacy", "export", path, "-o", "before.json"));
        var schemaBefore = await SchemaAsync(path);
        AssertOk(await RunAsync("legacy", "migrate-in-place", path));
        Assert.Equal("wal", await ScalarAsync(path, "PRAGMA journal_mode"));

        var rollback = await RunAsync("legacy", "rollback", path);

        AssertOk(rollback);
        AssertOk(await RunAsync("legacy", "export", path, "-o", "after.json"));
        using (var before = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_workDir, "before.json"))))
        using (var after = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_workDir, "after.json"))))
        {
            var tablesBefore = before.RootElement.GetProperty("tables").EnumerateArray().ToList();
            var tablesAfter = after.RootElement.GetProperty("tables").EnumerateArray().ToList();
            Assert.Equal(tablesBefore.Select(t => t.GetProperty("name").GetString()), tablesAfter.Select(t => t.GetProperty("name").GetString()));
            Assert.Contains("sqlite_sequence", tablesBefore.Select(t => t.GetProperty("name").GetString()));
            // Each table whole: its definition, columns, every row with every value as stored, and its row count.
            foreach (var (old, back) in tablesBefore.Zip(tablesAfter))
                Assert.Equal(old.GetRawText(), back.GetRawText());
        }
        Assert.Equal(schemaBefore, await SchemaAsync(path));
        Assert.Equal("delete", await ScalarAsync(path, "PRAGMA journal_mode"));
        Assert.False(File.Exists(path + "-wal"), "the write-ahead log of the Tidings schema is still beside the file");

        // The file is the old app's again: the move can start over from it.
        AssertOk(await RunAsync("legacy", "migrate-in-place", path));
    }

    [Fact]
    public async Task Rollback_brings_back_a_view_and_a_trigger_the_old_file_had_on_its_tables()
    {
        _old.Execute("CREATE VIEW unread_events AS SELECT * FROM events WHERE is_read = 0");
        _old.Execute("CREATE TRIGGER clients_touch AFTER UPDATE OF name ON clients BEGIN UPDATE clients SET updated_at = '2030-01-01 00:00:00' WHERE id = new.id; END");
        var path = MessyFile();
        var schemaBefore = await SchemaAsync(path);
        var unreadBefore = await CountAsync(path, "SELECT count(*) FROM unread_events");
        AssertOk(await RunAsync("legacy", "migrate-in-place", path));

        AssertOk(await RunAsync("legacy", "rollback", path));

        Assert.Equal(schemaBefore, await SchemaAsync(path));
        Assert.Equal(unreadBefore, await CountAsync(path, "SELECT count(*) FROM unread_events"));
        await using var connection = await OpenAsync(path);
        Assert.Equal(1, await ExecuteAsync(connection, "UPDATE clients SET name = 'Acme Rockets' WHERE name = 'Acme'"));
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT updated_at FROM clients WHERE name = 'Acme Rockets'";
        Assert.Equal("2030-01-01 00:00:00", await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Finalize_after_a_passing_verify_drops_the_old_tables_and_then_nothing_can_roll_back()
    {
        var path = MessyFile();
        AssertOk(await RunAsync("legacy", "migrate-in-place", path));
        AssertOk(await RunAsync("legacy", "verify", path));

        var finalize = await RunAsync("legacy", "finalize", path);

        AssertOk(finalize);
        Assert.Contains("finalized", finalize.Out);
        var tables = await TablesAsync(path);
        Assert.DoesNotContain("users_old", tables);
        Assert.DoesNotContain("clients_old", tables);
        Assert.DoesNotContain("events_old", tables);
        Assert.Equal(MessyEvents, await CountAsync(path, "SELECT count(*) FROM events"));
        Assert.Equal("finalized", await ScalarAsync(path, "SELECT value FROM legacy_migration_state WHERE key = 'state'"));

        (await RunAsync("legacy", "rollback", path)).AssertFailedInOneLine(TidingsCli.Failed, "finalized");
        (await RunAsync("legacy", "verify", path)).AssertFailedInOneLine(TidingsCli.Failed, "finalized");
        (await RunAsync("legacy", "migrate-in-place", path)).AssertFailedInOneLine(TidingsCli.Failed, "finalized");
        Assert.Equal(MessyEvents, await CountAsync(path, "SELECT count(*) FROM events"));
    }

    [Fact]
    public async Task Migrating_in_place_twice_finds_nothing_to_do_the_second_time()
    {
        var path = MessyFile();
        AssertOk(await RunAsync("legacy", "migrate-in-place", path));
        var first = await RowCountsAsync(path);

        var second = await RunAsync("legacy", "migrate-in-place", path);

        AssertOk(second);
        Assert.Contains("Nothing to do", second.Out);
        using (var report = JsonDocument.Parse(await File.ReadAllTextAsync(ReportFile)))
        {
            Assert.True(report.RootElement.GetProperty("nothingToDo").GetBoolean());
            Assert.True(report.RootElement.GetProperty("verification").GetProperty("passed").GetBoolean());
        }
        Assert.Equal(first, await RowCountsAsync(path));
    }

    [Fact]
    public async Task A_migration_killed_part_way_leaves_nothing_half_written_and_runs_again_to_the_end()
    {
        const int events = 60_000;
        var path = LargeFile(events);
        var oldCounts = await OldRowCountsAsync(path);

        await TidingsProcess.KillAtLineAsync(_workDir, [], "importing events:", "legacy", "migrate-in-place", path);

        // The import is one transaction: the new tables hold all of it or none of it, never part.
        var imported = await CountAsync(path, "SELECT count(*) FROM events");
        Assert.True(imported is 0 or events, $"{imported} of {events} events were left in the new events table");
        if (imported == 0)
        {
            Assert.Equal(0, await CountAsync(path, "SELECT count(*) FROM businesses"));
            Assert.Equal(0, await CountAsync(path, "SELECT count(*) FROM legacy_id_map"));
        }
        Assert.Equal(oldCounts, await OldRowCountsAsync(path));

        var again = await RunAsync("legacy", "migrate-in-place", path);

        AssertOk(again);
        Assert.Contains("Verified", again.Out);
        Assert.Equal(events, await CountAsync(path, "SELECT count(*) FROM events"));
        Assert.Equal(oldCounts, await OldRowCountsAsync(path));
        AssertOk(await RunAsync("legacy", "verify", path));
    }

    [Theory]
    [InlineData("missing", "no such file")]
    [InlineData("text", "not a readable SQLite database")]
    [InlineData("other tables", "no users table")]
    [InlineData("no events table", "no events table")]
    [InlineData("tidings database", "already holds a Tidings schema")]
    public async Task A_file_that_is_not_an_old_database_fails_in_one_line_and_is_left_unchanged(string kind, string mention)
    {
        var path = OldFile;
        switch (kind)
        {
            case "text":
                await File.WriteAllTextAsync(path, "id,name\n1,Acme\n");
                break;
            case "other tables":
                await WriteSqliteAsync(path, "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('hello');");
                break;
            case "no events table":
                await WriteSqliteAsync(path, """
                    CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);
                    CREATE TABLE clients (id INTEGER PRIMARY KEY, name TEXT);
                    INSERT INTO users (email) VALUES ('ada@old.example');
                    """);
                break;
            case "tidings database":
                await DatabaseCommands.MigrateAsync(new DatabaseSettings(DatabaseProvider.Sqlite, $"Data Source={path};Pooling=False", null), CancellationToken.None);
                // Back to a single file, so its bytes say whether anything touched it.
                await WriteSqliteAsync(path, "PRAGMA journal_mode = delete;");
                break;
        }
        var before = File.Exists(path) ? await File.ReadAllBytesAsync(path) : null;

        var result = await RunAsync("legacy", "migrate-in-place", path);

        result.AssertFailedInOneLine(TidingsCli.Failed, mention);
        Assert.Contains("old.db", result.Error);
        Assert.Equal(before, File.Exists(path) ? await File.ReadAllBytesAsync(path) : null);
        string[] expectedFiles = before is null ? [] : [path];
        Assert.Equal(expectedFiles, Directory.EnumerateFileSystemEntries(_workDir));
    }

    [Fact]
    public async Task The_business_is_named_by_create_business_a_re_run_continues_it_and_the_old_business_flag_is_refused()
    {
        var path = MessyFile();
        var before = await File.ReadAllBytesAsync(path);

        var byName = await RunAsync("legacy", "migrate-in-place", path, "--business", "Acme Success");

        byName.AssertFailedInOneLine(TidingsCli.BadConfiguration, "--create-business NAME");
        Assert.Equal(before, await File.ReadAllBytesAsync(path));

        AssertOk(await RunAsync("legacy", "migrate-in-place", path, "--create-business", "Acme Success"));
        Assert.Equal("Acme Success", await ScalarAsync(path, "SELECT name FROM businesses"));
        var first = await RowCountsAsync(path);

        foreach (var again in new[] { new[] { path }, [path, "--create-business", "acme success"] })
        {
            var result = await RunAsync(["legacy", "migrate-in-place", .. again]);
            AssertOk(result);
            Assert.Contains("Nothing to do", result.Out);
        }
        var other = await RunAsync("legacy", "migrate-in-place", path, "--create-business", "Another Name");

        other.AssertFailedInOneLine(TidingsCli.Failed, "Acme Success");
        Assert.Equal(first, await RowCountsAsync(path));
    }

    [Fact]
    public async Task Old_passwords_that_are_not_bcrypt_reach_neither_the_new_tables_nor_the_report_nor_the_output_and_not_the_finalized_file()
    {
        var clear = "Clear-" + Guid.NewGuid().ToString("N")[..12];
        var md5 = Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(System.Text.Encoding.UTF8.GetBytes(clear)));
        string[] secrets = [clear, md5, md5.ToUpperInvariant()];
        _old.User("ada@old.example", "Ada Lovelace", AdaHash, 1, "2023-01-02 03:04:05");
        _old.User("carol@old.example", "Carol Clear", clear, 1, "2023-01-02 03:04:05");
        _old.User("dave@old.example", "Dave Digest", md5, 0, "2023-01-02 03:04:05");
        _old.Event(_old.Client("Acme", accountOwner: "Carol Clear"), "Acme raises money", "funding", "2024-03-05 14:02:11", isRead: 1);
        var path = MoveIntoWorkDir();

        var result = await RunAsync("legacy", "migrate-in-place", path);

        AssertOk(result);
        AssertNoSecret(secrets, "stdout", result.Out);
        AssertNoSecret(secrets, "stderr", result.Error);
        AssertNoSecret(secrets, "report", await File.ReadAllTextAsync(ReportFile));
        Assert.Equal(["withheld: md5-like hex, 32 characters", $"withheld: plaintext, {clear.Length} characters"],
            (await TextsAsync(path, "SELECT original_value FROM legacy_values WHERE column_name = 'hashed_password'")).Order(StringComparer.Ordinal));
        foreach (var sql in new[] { "SELECT original_value FROM legacy_values", "SELECT new_values FROM audit_logs", "SELECT old_values FROM audit_logs", "SELECT password_hash FROM users" })
            AssertNoSecret(secrets, sql, string.Join("\n", await TextsAsync(path, sql)));

        AssertOk(await RunAsync("legacy", "finalize", path));

        // Once the old tables are dropped, not a byte of the old values is left in the file.
        SqliteConnection.ClearAllPools();
        foreach (var file in new[] { path, path + "-wal" }.Where(File.Exists))
            AssertNoSecret(secrets, Path.GetFileName(file), System.Text.Encoding.Latin1.GetString(await File.ReadAllBytesAsync(file)));
    }

    /// <summary>
    /// Users (one inactive, one without a full name, one with an accented name and an odd is_active),
    /// clients owned by a name, a placeholder, an unknown person, an accented spelling and nobody, and
    /// events with an orphan, a duplicate, odd categories and every shape of read/starred flag.
    /// </summary>
    private string MessyFile()
    {
        _old.User("ada@old.example", "Ada Lovelace", AdaHash, 1, "2023-01-02 03:04:05.678901");
        _old.User("bob@old.example", "Bob Stone", OtherHash, 0, "2023-02-03T04:05:06Z");
        _old.User("nameless@old.example", null, OtherHash, 1, 1700000000L);
        _old.User("jose@old.example", "José Álvarez", OtherHash, "yes", "2023-04-05");
        var acme = _old.Client("Acme", searchKeywords: "[\"acme\",\"rockets\"]", accountOwner: "Ada Lovelace", healthScore: 87.5);
        var placeholder = _old.Client("Placeholder Co", searchKeywords: "acme; rockets", accountOwner: "TBD", healthScore: "n/a");
        var stranger = _old.Client("Stranger Co", accountOwner: "Someone Without Account", healthScore: 120, createdAt: 1700000000L);
        var accented = _old.Client("Accent Co", searchKeywords: "{\"k\":1}", accountOwner: "  jose  alvarez ", lastCheckedAt: "25/03/2024");
        _old.Client("Nobody's Co", accountOwner: "");
        _old.Event(acme, "Acme raises money", "funding", "2024-03-05 14:02:11.123456", url: "https://news.example/a", isRead: 1);
        _old.Event(acme, "Acme raises money", "funding", "2024-03-05 14:02:11.123456", url: "https://news.example/a");
        _old.Event(999, "Orphan story", "Funding Round", "05/03/2024", relevance: 1.7, isStarred: 1);
        _old.Event(placeholder, "Layoffs at Placeholder", "Layoff", 1709647331L, isRead: "yes");
        _old.Event(stranger, "Something odd", "misc stuff", "Tue, 05 Mar 2024 14:02:11 GMT", isStarred: "2024-03-05 10:00:00");
        _old.Event(accented, "Accent news", "M&A", 2460375.0844, isRead: 1, isStarred: 1);
        // A deleted last event leaves the sequence above the highest id, as in a real file.
        var deleted = _old.Event(acme, "Deleted story", "other", "2024-03-06");
        _old.Execute("DELETE FROM events WHERE id = $1", deleted);
        return MoveIntoWorkDir();
    }

    private string LargeFile(int events)
    {
        _old.User("ada@old.example", "Ada Lovelace", AdaHash, 1, "2023-01-02 03:04:05.678901");
        var acme = _old.Client("Acme", accountOwner: "Ada Lovelace");
        _old.Execute("BEGIN");
        for (var i = 0; i < events; i++)
            _old.Execute("INSERT INTO events (client_id, title, url, category, relevance_score, event_date, discovered_at, is_read, is_starred) VALUES ($1, $2, $3, 'funding', 0.5, $4, $4, $5, 0)",
                acme, $"Story {i}", $"https://news.example/{i}", "2024-03-05 14:02:11", i % 7 == 0 ? 1 : 0);
        _old.Execute("COMMIT");
        return MoveIntoWorkDir();
    }

    private string MoveIntoWorkDir()
    {
        File.Move(_old.Finish(), OldFile);
        return OldFile;
    }

    private Task<TidingsProcess.Result> RunAsync(params string[] args) => TidingsProcess.RunAsync(_workDir, [], args);

    private static void AssertOk(TidingsProcess.Result result) =>
        Assert.True(result.ExitCode == TidingsCli.Ok, $"exit code {result.ExitCode}\n{result.Out}\n{result.Error}");

    /// <summary>The file as Tidings reads it, acting for the one business the migration made.</summary>
    private static async Task<TidingsDbContext> OpenTidingsAsync(string path)
    {
        var businesses = new List<Guid>();
        await using (var connection = await OpenAsync(path))
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT id FROM businesses";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                businesses.Add(Guid.Parse(reader.GetString(0)));
        }
        var tenant = new CurrentTenant();
        tenant.Set(Assert.Single(businesses));
        return DatabaseSetup.CreateContext(new DatabaseSettings(DatabaseProvider.Sqlite, $"Data Source={path}", null),
            $"Data Source={path};Pooling=False", tenant, new CurrentActor());
    }

    private static async Task<SqliteConnection> OpenAsync(string path)
    {
        // Foreign keys off, as the old app ran, so raw edits go in exactly as written.
        var connection = new SqliteConnection($"Data Source={path};Pooling=False;Foreign Keys=False");
        await connection.OpenAsync();
        return connection;
    }

    private static async Task<int> ExecuteAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteNonQueryAsync();
    }

    private static async Task WriteSqliteAsync(string path, string sql)
    {
        await using var connection = await OpenAsync(path);
        await ExecuteAsync(connection, sql);
    }

    private static async Task<object?> ScalarAsync(string path, string sql)
    {
        await using var connection = await OpenAsync(path);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }

    private static async Task<long> CountAsync(string path, string sql) => (long)(await ScalarAsync(path, sql))!;

    private static async Task<List<string>> TextsAsync(string path, string sql)
    {
        await using var connection = await OpenAsync(path);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var texts = new List<string>();
        while (await reader.ReadAsync())
            if (!reader.IsDBNull(0))
                texts.Add(reader.GetString(0));
        return texts;
    }

    private static void AssertNoSecret(string[] secrets, string where, string text)
    {
        foreach (var secret in secrets)
            Assert.False(text.Contains(secret, StringComparison.Ordinal), $"an old password value appears in {where}");
    }

    private static async Task<HashSet<string>> TablesAsync(string path)
    {
        await using var connection = await OpenAsync(path);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table'";
        await using var reader = await command.ExecuteReaderAsync();
        var tables = new HashSet<string>(StringComparer.Ordinal);
        while (await reader.ReadAsync())
            tables.Add(reader.GetString(0));
        return tables;
    }

    /// <summary>Every table, index and trigger of the file by its definition (not where its pages happen to be).</summary>
    private static async Task<List<string>> SchemaAsync(string path)
    {
        await using var connection = await OpenAsync(path);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name";
        await using var reader = await command.ExecuteReaderAsync();
        var schema = new List<string>();
        while (await reader.ReadAsync())
            schema.Add($"{reader.GetString(0)} {reader.GetString(1)} on {reader.GetString(2)}: {(reader.IsDBNull(3) ? "(automatic)" : reader.GetString(3))}");
        return schema;
    }

    /// <summary>Rows of the old app's tables, wherever they are: as they were, or renamed to *_old.</summary>
    private static async Task<Dictionary<string, long>> OldRowCountsAsync(string path)
    {
        var tables = await TablesAsync(path);
        var counts = new Dictionary<string, long>();
        foreach (var table in new[] { "users", "clients", "events" })
            counts[table] = await CountAsync(path, $"SELECT count(*) FROM \"{(tables.Contains(table + "_old") ? table + "_old" : table)}\"");
        return counts;
    }

    /// <summary>"table: rows" for every table the move writes or keeps, so a difference reads as the table it is in.</summary>
    private static async Task<List<string>> RowCountsAsync(string path)
    {
        var counts = new List<string>();
        foreach (var table in new[] { "businesses", "users", "clients", "events", "event_user_interactions", "legacy_id_map", "legacy_values", "users_old", "clients_old", "events_old" })
            counts.Add($"{table}: {await CountAsync(path, $"SELECT count(*) FROM \"{table}\"")}");
        // Each look across businesses is audited (PLATFORM_SCOPE) on every run; what was imported is audited once.
        var audited = await CountAsync(path, $"SELECT count(*) FROM audit_logs WHERE action <> '{AuditActions.PlatformScope}'");
        counts.Add($"audit entries other than platform scopes: {audited}");
        return counts;
    }
}
