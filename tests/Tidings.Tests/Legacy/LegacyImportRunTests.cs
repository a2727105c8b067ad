using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Tidings.Data;
using Tidings.Data.SoftDelete;
using Tidings.Legacy;
using Tidings.Tests.Cli;
using Tidings.Tests.Infrastructure;
using Tidings.Users;

namespace Tidings.Tests.Legacy;

/// <summary>
/// `tidings legacy import` end to end, on each provider: old people sign in over HTTP, a JSON backup
/// imports as its file does, a killed run leaves nothing and the next one finishes the job once, and
/// bad input fails in one line without touching the target.
/// </summary>
public abstract class LegacyImportRunTests<TDatabase>(TidingsServer<TDatabase> server) : IDisposable where TDatabase : TestDatabase, new()
{
    private readonly LegacyFileBuilder _old = new();
    private readonly string _workDir = Directory.CreateTempSubdirectory("tidings-legacy-import-").FullName;
    // Emails are unique across every business of a database, so each test's old people are its own.
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..12];

    private TestDatabase Database => server.Database;

    public void Dispose()
    {
        _old.Dispose();
        Directory.Delete(_workDir, recursive: true);
    }

    [Fact]
    public async Task Old_users_sign_in_over_HTTP_with_their_old_passwords_except_the_inactive_one()
    {
        var ada = Email("ada");
        var bob = Email("bob");
        var cy = Email("cy");
        _old.User(ada, "Ada Lovelace", OldBcrypt("Welcome2023!"), 1, "2023-01-02 03:04:05.678901");
        _old.User(bob, "Bob Babbage", OldBcrypt("correct horse battery"), 1, "2023-02-03 04:05:06");
        _old.User(cy, "Cy Inactive", OldBcrypt("S3cure-Pass"), 0, "2023-03-04 05:06:07");
        var client = _old.Client("Acme", accountOwner: "Ada Lovelace");
        _old.Event(client, "Acme raises money", "funding", "2024-03-05 14:02:11", isRead: 1);

        // Bob, not the first active user, is named owner: --admin-email wins over the default.
        var report = await ImportAsync(_old.Finish(), NewBusinessName(), bob);

        Assert.True(report.Verification!.Passed);
        Assert.True(report.BusinessCreated);
        Assert.Equal(bob, report.OwnerEmail);

        var adaSession = await LogInAsync(ada, "Welcome2023!", HttpStatusCode.OK);
        var bobSession = await LogInAsync(bob, "correct horse battery", HttpStatusCode.OK);
        // Login only considers active users: the inactive one answers like an unknown email.
        await LogInAsync(cy, "S3cure-Pass", HttpStatusCode.Unauthorized);
        await LogInAsync(ada, "welcome2023!", HttpStatusCode.Unauthorized);
        Assert.Equal(report.BusinessId, adaSession!.User.Business.Id);

        await using (var db = Database.Context(report.BusinessId))
        {
            var users = await db.Users.AsNoTracking().ToDictionaryAsync(u => u.Email);
            Assert.False(Passwords.IsLegacyBcrypt(users[ada].PasswordHash!));
            Assert.False(Passwords.IsLegacyBcrypt(users[bob].PasswordHash!));
            // Never signed in, so still the hash from the old file.
            Assert.True(Passwords.IsLegacyBcrypt(users[cy].PasswordHash!));
            Assert.False(users[cy].IsActive);
        }
        await LogInAsync(ada, "Welcome2023!", HttpStatusCode.OK);

        var bobMe = await server.Authorized(bobSession!.Token).GetFromJsonAsync<MeDto>("/api/me");
        Assert.Equal(UserRoles.Owner, bobMe!.Role);
        Assert.Equal(report.BusinessId, bobMe.Business.Id);
        var adaMe = await server.Authorized(adaSession.Token).GetFromJsonAsync<MeDto>("/api/me");
        Assert.Equal(UserRoles.Member, adaMe!.Role);
    }

    [Fact]
    public async Task A_JSON_backup_imports_exactly_as_the_file_it_was_exported_from()
    {
        var blob = new byte[] { 0, 1, 2, 254, 255 };
        _old.User(Email("ada"), "Ada Lovelace", OldBcrypt("Welcome2023!"), 1, "2023-01-02 03:04:05.678901");
        _old.User(Email("bob"), null, "not a hash", "yes", 1700000000);
        var acme = _old.Client("Acme", searchKeywords: "[\"acme\",\"rockets\"]", accountOwner: "Ada Lovelace", healthScore: 2.0);
        _old.Execute("UPDATE clients SET notes = $1 WHERE id = $2", blob, acme);
        // A julian day stored as a REAL, and a number column holding text.
        var odd = _old.Client("Odd Co", searchKeywords: "acme; rockets", accountOwner: "TBD", healthScore: "n/a", createdAt: 2460000.25);
        _old.Event(acme, "Acme raises money", "funding", "2024-03-05 14:02:11", url: "https://news.example/a", isRead: 1, isStarred: 1);
        _old.Event(acme, "Acme raises money", "funding", "2024-03-05 14:02:11", url: "https://news.example/a");
        _old.Event(odd, "Odd news", "Funding Round", "25/03/2024", relevance: 1.7);
        // Real files hold events of hard-deleted clients: the backup must bring them back too.
        _old.Event(999, "Orphan story", "whatever", 1709647331.5);
        var path = _old.Finish();
        var backup = Path.Combine(_workDir, "backup.json");
        await LegacyBackup.ExportAsync(path, backup, TimeProvider.System, CancellationToken.None);

        // The same people twice: the second business gets stand-in emails, and everything else must match.
        var fromFile = await ImportAsync(path, NewBusinessName(), adminEmail: null);
        var fromBackup = await ImportAsync(backup, NewBusinessName(), adminEmail: null);

        Assert.True(fromFile.Verification!.Passed);
        Assert.True(fromBackup.Verification!.Passed);
        foreach (var (table, rows) in new[] { ("users", 2L), ("clients", 2L), ("events", 4L) })
        {
            var check = fromBackup.Verification.Tables[table];
            Assert.Equal(rows, check.OldCount);
            Assert.Equal(rows, check.NewCount);
            // The old side is read from the source alone: the backup reads as the file does.
            Assert.Equal(fromFile.Verification.Tables[table].OldChecksum, check.OldChecksum);
            Assert.Equal(rows, fromBackup.Tables[table].Written);
        }
        Assert.Equal("backup.json", fromBackup.Source);

        var fileClients = await ClientsByOldIdAsync(fromFile.BusinessId);
        var backupClients = await ClientsByOldIdAsync(fromBackup.BusinessId);
        Assert.Equal(fileClients, backupClients);
        Assert.Equal(2.0, backupClients[acme].HealthScore);
        Assert.Equal("base64:" + Convert.ToBase64String(blob), backupClients[acme].Notes);
        Assert.Null(backupClients[odd].HealthScore);
        Assert.Equal(new DateTime(2023, 2, 24, 18, 0, 0, DateTimeKind.Utc), backupClients[odd].CreatedAt);
        Assert.Equal(await EventsByOldIdAsync(fromFile.BusinessId), await EventsByOldIdAsync(fromBackup.BusinessId));
        Assert.Equal(await KeptValuesAsync(fromFile.BusinessId, "clients", "events"), await KeptValuesAsync(fromBackup.BusinessId, "clients", "events"));
    }

    [Fact]
    public async Task An_import_killed_part_way_leaves_nothing_and_the_next_run_completes_it_once()
    {
        const int events = 60_000;
        _old.User(Email("ada"), "Ada Lovelace", OldBcrypt("Welcome2023!"), 1, "2023-01-02 03:04:05");
        var clients = Enumerable.Range(1, 3).Select(i => _old.Client($"Client {i}", accountOwner: "Ada Lovelace")).ToList();
        _old.Execute("BEGIN");
        for (var i = 0; i < events; i++)
            _old.Event(clients[i % 3], $"Story {i}", "funding", "2024-03-05 14:02:11", url: $"https://news.example/{i}", isRead: i % 100 == 0 ? 1 : 0);
        _old.Execute("COMMIT");
        var path = Path.Combine(_workDir, "old.db");
        File.Copy(_old.Finish(), path);
        var name = NewBusinessName();
        var eventsBefore = await CountAsync("SELECT count(*) FROM events");
        var mapBefore = await CountAsync("SELECT count(*) FROM legacy_id_map");

        await TidingsProcess.KillAtLineAsync(_workDir, Target, "importing events:", "legacy", "import", path, "--create-business", name);

        Assert.Equal(0, await CountAsync("SELECT count(*) FROM businesses WHERE name = @name", ("name", name)));
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM users WHERE email = @email", ("email", Email("ada"))));
        Assert.Equal(eventsBefore, await CountAsync("SELECT count(*) FROM events"));
        Assert.Equal(mapBefore, await CountAsync("SELECT count(*) FROM legacy_id_map"));
        Assert.False(File.Exists(Path.Combine(_workDir, "old.import-report.json")));

        // The killed run created nothing, so creating is still what the operator asks for.
        var second = await TidingsProcess.RunAsync(_workDir, Target, "legacy", "import", path, "--create-business", name);

        Assert.True(second.ExitCode == TidingsCli.Ok, second.Out + second.Error);
        Assert.Contains("Verified: the new tables hold every old row and value.", second.Out);
        using (var report = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_workDir, "old.import-report.json"))))
        {
            var root = report.RootElement;
            Assert.True(root.GetProperty("businessCreated").GetBoolean());
            Assert.True(root.GetProperty("verification").GetProperty("passed").GetBoolean());
            Assert.Equal(events, root.GetProperty("tables").GetProperty("events").GetProperty("written").GetInt64());
            var businessId = root.GetProperty("businessId").GetGuid();
            Assert.Contains($"--business-id {businessId}", second.Out);
            await AssertImportedOnceAsync(businessId, events);

            foreach (var target in new[] { new[] { "--business-id", businessId.ToString() }, ["--business-slug", root.GetProperty("businessSlug").GetString()!] })
            {
                var again = await TidingsProcess.RunAsync(_workDir, Target, ["legacy", "import", path, .. target]);

                Assert.True(again.ExitCode == TidingsCli.Ok, again.Out + again.Error);
                Assert.Contains("Nothing to do", again.Out);
                await AssertImportedOnceAsync(businessId, events);
            }

            // Creating again would be a second copy, or an import into whoever has the name: refused.
            var create = await TidingsProcess.RunAsync(_workDir, Target, "legacy", "import", path, "--create-business", name);

            create.AssertFailedInOneLine(TidingsCli.Failed, businessId.ToString());
            await AssertImportedOnceAsync(businessId, events);
        }
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM businesses WHERE name = @name", ("name", name)));
    }

    [Fact]
    public async Task Bad_input_fails_in_one_line_and_changes_nothing()
    {
        _old.User(Email("ada"), "Ada Lovelace", OldBcrypt("Welcome2023!"), 1, "2023-01-02 03:04:05");
        _old.User(Email("cy"), "Cy Inactive", OldBcrypt("S3cure-Pass"), 0, "2023-01-02 03:04:05");
        _old.Event(_old.Client("Acme"), "Acme raises money", "funding", "2024-03-05 14:02:11");
        var path = Path.Combine(_workDir, "old.db");
        File.Copy(_old.Finish(), path);
        var notBackup = Path.Combine(_workDir, "other.json");
        await File.WriteAllTextAsync(notBackup, """{"format": "something-else", "tables": []}""");
        var notJson = Path.Combine(_workDir, "broken.json");
        await File.WriteAllTextAsync(notJson, "{ this is not json");
        var nobody = Email("nobody");
        var missingId = Guid.CreateVersion7().ToString();
        var inputs = new (string[] Args, string Mention)[]
        {
            ([path, "--admin-email", nobody], nobody),
            ([path, "--admin-email", Email("cy")], Email("cy")),
            ([Path.Combine(_workDir, "missing.db"), "--admin-email", Email("ada")], "missing.db"),
            ([Path.Combine(_workDir, "missing.json")], "missing.json"),
            ([notBackup], "other.json"),
            ([notJson], "broken.json"),
            ([path, "--business-id", missingId], missingId),
            ([path, "--business-slug", "no-such-" + _suffix], "no-such-" + _suffix),
        };
        var filesBefore = Directory.GetFiles(_workDir).Order().ToList();
        var eventsBefore = await CountAsync("SELECT count(*) FROM events");

        foreach (var (args, mention) in inputs)
        {
            var name = NewBusinessName();
            string[] create = args.Any(a => a.StartsWith("--business-", StringComparison.Ordinal)) ? [] : ["--create-business", name];
            var result = await TidingsProcess.RunAsync(_workDir, Target, ["legacy", "import", .. args, .. create]);

            result.AssertFailedInOneLine(TidingsCli.Failed, mention);
            Assert.Equal(0, await CountAsync("SELECT count(*) FROM businesses WHERE name = @name", ("name", name)));
        }
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM users WHERE email = @email", ("email", Email("ada"))));
        Assert.Equal(eventsBefore, await CountAsync("SELECT count(*) FROM events"));
        // No report either: a failed run has nothing to say beyond its one line.
        Assert.Equal(filesBefore, Directory.GetFiles(_workDir).Order().ToList());
    }

    [Fact]
    public async Task A_stranger_who_renames_their_business_to_the_imports_name_gets_nothing_of_it()
    {
        var ada = Email("ada");
        _old.User(ada, "Ada Lovelace", OldBcrypt("Welcome2023!"), 1, "2023-01-02 03:04:05");
        _old.Event(_old.Client("Acme", accountOwner: "Ada Lovelace"), "Acme raises money", "funding", "2024-03-05 14:02:11", isRead: 1);
        var path = Path.Combine(_workDir, "old.db");
        File.Copy(_old.Finish(), path);
        var name = NewBusinessName();
        var stranger = await server.SignUpAsync();
        await RenameAsync(stranger, name);

        // The name the operator meant is the stranger's now: by name, or created under it, nothing goes there.
        var byName = await RunImportAsync(path, "--business", name);
        byName.AssertFailedInOneLine(TidingsCli.BadConfiguration, "--business-id");
        var createTaken = await RunImportAsync(path, "--create-business", name);
        createTaken.AssertFailedInOneLine(TidingsCli.Failed, stranger.BusinessId.ToString());
        await AssertUntouchedAsync(stranger);
        await LogInAsync(ada, "Welcome2023!", HttpStatusCode.Unauthorized);

        // Created under a free name, which the stranger then takes too: a re-run by id goes where the first run went.
        var ours = NewBusinessName();
        var created = await RunImportAsync(path, "--create-business", ours);
        Assert.True(created.ExitCode == TidingsCli.Ok, created.Out + created.Error);
        var businessId = await ReportedBusinessAsync();
        Assert.NotEqual(stranger.BusinessId, businessId);
        await RenameAsync(stranger, ours);
        await using (var old = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await old.OpenAsync();
            await using var insert = old.CreateCommand();
            insert.CommandText = "INSERT INTO events (client_id, title, category, relevance_score, event_date, discovered_at, is_read, is_starred) " +
                                 "VALUES (1, 'Acme hires', 'executive', 0.5, '2024-04-01 09:00:00', '2024-04-01 09:00:00', 0, 0)";
            await insert.ExecuteNonQueryAsync();
        }

        var again = await RunImportAsync(path, "--business-id", businessId.ToString());

        Assert.True(again.ExitCode == TidingsCli.Ok, again.Out + again.Error);
        Assert.Contains("events: read 2, written 1, already imported 1", again.Out);
        await AssertUntouchedAsync(stranger);
        var session = await LogInAsync(ada, "Welcome2023!", HttpStatusCode.OK);
        Assert.Equal(businessId, session!.User.Business.Id);
        Assert.Equal(2, await CountAsync("SELECT count(*) FROM events WHERE business_id = @b", ("b", businessId)));
    }

    [Fact]
    public async Task Anything_but_exactly_one_of_id_slug_or_create_is_refused_in_one_line_with_exit_2()
    {
        _old.User(Email("ada"), "Ada Lovelace", OldBcrypt("Welcome2023!"), 1, "2023-01-02 03:04:05");
        _old.Client("Acme");
        var path = Path.Combine(_workDir, "old.db");
        File.Copy(_old.Finish(), path);
        var name = NewBusinessName();
        var existing = await server.SignUpAsync(name);
        var id = existing.BusinessId.ToString();
        var inputs = new (string[] Args, string Mention)[]
        {
            (["--business", name], "--create-business NAME"),
            (["--business", name, "--business-id", id], "--business-id ID"),
            ([], "exactly one of"),
            (["--business-id", id, "--business-slug", "acme"], "not --business-id and --business-slug"),
            (["--create-business", name + " 2", "--business-id", id], "not --business-id and --create-business"),
            (["--business-id", "acme"], "not a business id"),
            (["--business-slug", " "], "--business-slug"),
        };
        var filesBefore = Directory.GetFiles(_workDir).Order().ToList();

        foreach (var (args, mention) in inputs)
        {
            var result = await RunImportAsync(path, args);

            result.AssertFailedInOneLine(TidingsCli.BadConfiguration, mention);
        }
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM users WHERE email = @email", ("email", Email("ada"))));
        await AssertUntouchedAsync(existing);
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM businesses WHERE name = @name", ("name", name + " 2")));
        Assert.Equal(filesBefore, Directory.GetFiles(_workDir).Order().ToList());
    }

    [Fact]
    public async Task Old_passwords_that_are_not_bcrypt_are_kept_only_by_their_shape_nowhere_in_clear()
    {
        var clear = "Clear-" + _suffix;
        var md5 = Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(System.Text.Encoding.UTF8.GetBytes(clear)));
        var ada = Email("ada");
        _old.User(ada, "Ada Lovelace", OldBcrypt("Welcome2023!"), 1, "2023-01-02 03:04:05");
        _old.User(Email("carol"), "Carol Clear", clear, 1, "2023-01-02 03:04:05");
        _old.User(Email("dave"), "Dave Digest", md5, 1, "2023-01-02 03:04:05");
        _old.User(Email("erin"), "Erin Empty", "", 1, "2023-01-02 03:04:05");
        _old.Event(_old.Client("Acme", accountOwner: "Carol Clear"), "Acme raises money", "funding", "2024-03-05 14:02:11");
        var path = Path.Combine(_workDir, "old.db");
        File.Copy(_old.Finish(), path);
        string[] secrets = [clear, md5, md5.ToUpperInvariant()];

        var run = await RunImportAsync(path, "--create-business", NewBusinessName(), "--admin-email", ada);

        Assert.True(run.ExitCode == TidingsCli.Ok, run.Out + run.Error);
        var report = await File.ReadAllTextAsync(Path.Combine(_workDir, "old.import-report.json"));
        Assert.Contains("md5-like hex, 32 characters", report);
        AssertNoSecret(secrets, "stdout", run.Out);
        AssertNoSecret(secrets, "stderr", run.Error);
        AssertNoSecret(secrets, "report", report);

        var owner = await LogInAsync(ada, "Welcome2023!", HttpStatusCode.OK);
        var http = server.Authorized(owner!.Token);
        var body = await http.GetStringAsync("/api/legacy-values?table=users&limit=200");
        AssertNoSecret(secrets, "GET /api/legacy-values", body);
        var kept = JsonSerializer.Deserialize<Tidings.Web.Page<LegacyValueDto>>(body, LegacyImportReport.Json)!.Items
            .Where(v => v.ColumnName == "hashed_password").Select(v => (v.Reason, v.OriginalValue)).Order().ToList();
        Assert.Equal(
            [("unusable_password", "withheld: empty"), ("unusable_password", "withheld: md5-like hex, 32 characters"), ("unusable_password", $"withheld: plaintext, {clear.Length} characters")],
            kept);
        foreach (var (sql, what) in new[]
                 {
                     ("SELECT original_value FROM legacy_values", "legacy_values"),
                     ("SELECT new_values FROM audit_logs", "audit_logs.new_values"),
                     ("SELECT old_values FROM audit_logs", "audit_logs.old_values"),
                     ("SELECT password_hash FROM users", "users.password_hash"),
                 })
            AssertNoSecret(secrets, what, string.Join("\n", await TextsAsync(sql)));
        // Nobody signs in with the old clear value: an admin sets a password first.
        await LogInAsync(Email("carol"), clear, HttpStatusCode.Unauthorized);
    }

    private string Email(string name) => $"{name}-{_suffix}@old.example";

    private static string NewBusinessName() => "Imported " + Guid.NewGuid().ToString("N")[..12];

    /// <summary>A bcrypt hash as passlib wrote it ($2b$); cost 4 keeps the tests quick.</summary>
    private static string OldBcrypt(string password) => "$2b$" + BCrypt.Net.BCrypt.HashPassword(password, 4)[4..];

    private Task<LegacyImportReport> ImportAsync(string path, string newBusiness, string? adminEmail) =>
        LegacyImport.RunAsync(new LegacyImportOptions(path, new TargetBusiness.New(newBusiness), adminEmail), Database.Settings, TimeProvider.System, progress: null, CancellationToken.None);

    private Task<TidingsProcess.Result> RunImportAsync(string path, params string[] args) =>
        TidingsProcess.RunAsync(_workDir, Target, ["legacy", "import", path, .. args]);

    private async Task<Guid> ReportedBusinessAsync()
    {
        using var report = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_workDir, "old.import-report.json")));
        return report.RootElement.GetProperty("businessId").GetGuid();
    }

    private static async Task RenameAsync(ApiUser owner, string name) =>
        Assert.Equal(HttpStatusCode.OK, (await owner.Http.PatchAsJsonAsync("/api/business", new { name })).StatusCode);

    /// <summary>The business holds only what its sign-up made: its owner, and nothing an import writes.</summary>
    private async Task AssertUntouchedAsync(ApiUser owner)
    {
        var clients = await owner.Http.GetFromJsonAsync<Tidings.Web.Page<Tidings.Clients.ClientDto>>("/api/clients");
        Assert.Empty(clients!.Items);
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM users WHERE business_id = @b", ("b", owner.BusinessId)));
        foreach (var table in new[] { "clients", "events", "event_user_interactions", "legacy_id_map", "legacy_values" })
            Assert.True(await CountAsync($"SELECT count(*) FROM {table} WHERE business_id = @b", ("b", owner.BusinessId)) == 0, $"{table} of the untouched business has rows");
    }

    private static void AssertNoSecret(string[] secrets, string where, string text)
    {
        foreach (var secret in secrets)
            Assert.False(text.Contains(secret, StringComparison.Ordinal), $"an old password value appears in {where}");
    }

    /// <summary>Every non-null value of one text column, read raw from the database (all businesses).</summary>
    private async Task<List<string>> TextsAsync(string sql)
    {
        await using var connection = Database.OpenBypassConnection();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var texts = new List<string>();
        while (await reader.ReadAsync())
            if (!reader.IsDBNull(0))
                texts.Add(reader.GetValue(0).ToString()!);
        return texts;
    }

    private Dictionary<string, string?> Target => new()
    {
        ["Database__Provider"] = Database.Provider == DatabaseProvider.Sqlite ? "sqlite" : "postgres",
        ["ConnectionStrings__Tidings"] = Database.Settings.ConnectionString,
    };

    private async Task<SessionDto?> LogInAsync(string email, string password, HttpStatusCode expected)
    {
        var response = await server.Anonymous().PostAsJsonAsync("/api/auth/login", new { email, password });
        Assert.Equal(expected, response.StatusCode);
        return expected == HttpStatusCode.OK ? await response.Content.ReadFromJsonAsync<SessionDto>() : null;
    }

    private async Task<long> CountAsync(string sql, params (string Name, object? Value)[] parameters)
    {
        await using var raw = new RawSql(Database);
        return Convert.ToInt64(await raw.ScalarAsync(sql, parameters));
    }

    /// <summary>The business holds each old row once: as many events and id mappings as the file has events.</summary>
    private async Task AssertImportedOnceAsync(Guid businessId, int events)
    {
        await using var db = Database.Context(businessId);
        Assert.Equal(events, await db.Events.CountAsync());
        Assert.Equal(events, await db.LegacyIdMap.CountAsync(m => m.TableName == "events"));
        Assert.Equal(events, await db.LegacyIdMap.Where(m => m.TableName == "events").Select(m => m.NewId).Distinct().CountAsync());
        // Without the soft-delete filter, whose join to events is not what is checked here.
        Assert.Equal(events / 100, await db.EventUserInteractions.IgnoreQueryFilters([SoftDeleteRules.Filter]).CountAsync(i => i.IsRead));
    }

    private async Task<Dictionary<long, ClientValues>> ClientsByOldIdAsync(Guid businessId)
    {
        await using var db = Database.Context(businessId);
        var oldIds = await OldIdsAsync(db, "clients");
        var users = await db.Users.AsNoTracking().ToDictionaryAsync(u => u.Id, u => u.DisplayName);
        return (await db.Clients.AsNoTracking().ToListAsync())
            .Where(c => oldIds.ContainsKey(c.Id))
            .ToDictionary(c => oldIds[c.Id], c => new ClientValues(c.Name, c.Domain, c.Description, string.Join("|", c.SearchKeywords ?? []),
                c.IsActive, c.AssignedToUserId is { } owner ? users[owner] : null, c.Tier, c.HealthScore, c.Notes, c.CreatedAt, c.UpdatedAt, c.LastCheckedAt));
    }

    private async Task<List<EventValues>> EventsByOldIdAsync(Guid businessId)
    {
        await using var db = Database.Context(businessId);
        var oldIds = await OldIdsAsync(db, "events");
        var clientOldIds = await OldIdsAsync(db, "clients", "missing_clients");
        var flags = await db.EventUserInteractions.AsNoTracking().ToDictionaryAsync(i => i.EventId);
        var events = await db.Events.AsNoTracking().ToListAsync();
        var duplicates = events.Where(e => e.DuplicateOfEventId is not null).ToDictionary(e => e.Id, e => oldIds[e.DuplicateOfEventId!.Value]);
        return events.OrderBy(e => oldIds[e.Id]).Select(e => new EventValues(oldIds[e.Id], clientOldIds[e.ClientId], e.Title, e.Url, e.Category,
            e.RelevanceScore, e.SentimentScore, e.EventDate, e.DiscoveredAt, duplicates.GetValueOrDefault(e.Id),
            flags.GetValueOrDefault(e.Id)?.IsRead ?? false, flags.GetValueOrDefault(e.Id)?.IsStarred ?? false)).ToList();
    }

    private async Task<List<string>> KeptValuesAsync(Guid businessId, params string[] tables)
    {
        await using var db = Database.Context(businessId);
        return (await db.LegacyValues.AsNoTracking().Where(v => tables.Contains(v.TableName)).ToListAsync())
            .Select(v => $"{v.TableName}\t{v.OldId}\t{v.ColumnName}\t{v.OriginalValue}\t{v.Reason}").Order(StringComparer.Ordinal).ToList();
    }

    private static async Task<Dictionary<Guid, long>> OldIdsAsync(TidingsDbContext db, params string[] tables) =>
        await db.LegacyIdMap.AsNoTracking().Where(m => tables.Contains(m.TableName)).ToDictionaryAsync(m => m.NewId, m => m.OldId);

    private sealed record ClientValues(string Name, string? Domain, string? Description, string Keywords, bool IsActive, string? Owner,
        string? Tier, double? HealthScore, string? Notes, DateTime CreatedAt, DateTime UpdatedAt, DateTime? LastCheckedAt);

    private sealed record EventValues(long OldId, long ClientOldId, string Title, string? Url, string Category, double RelevanceScore,
        double? SentimentScore, DateTime EventDate, DateTime DiscoveredAt, long DuplicateOfOldId, bool IsRead, bool IsStarred);
}

public sealed class LegacyImportRunTests_Sqlite(SqliteApi server) : LegacyImportRunTests<SqliteDatabase>(server), IClassFixture<SqliteApi>;
public sealed class LegacyImportRunTests_Postgres(PostgresApi server) : LegacyImportRunTests<PostgresDatabase>(server), IClassFixture<PostgresApi>;
public sealed class LegacyImportRunTests_Citus(CitusApi server) : LegacyImportRunTests<CitusDatabase>(server), IClassFixture<CitusApi>;
