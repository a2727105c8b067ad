using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Tidings.Data;
using Tidings.Data.Auditing;
using Tidings.Data.Tenancy;
using Tidings.Tests.Infrastructure;

namespace Tidings.Tests.Cli;

/// <summary>
/// The built executable, run as a user runs it: `dotnet tidings.dll ...` in a fresh working directory,
/// configured only through the environment variables each test names.
/// </summary>
public sealed class CliTests : IDisposable
{
    private readonly string _workDir = Directory.CreateTempSubdirectory("tidings-cli-").FullName;

    public void Dispose() => Directory.Delete(_workDir, recursive: true);

    [Fact]
    public async Task Migrate_with_nothing_configured_creates_tidings_db_in_the_working_directory_once()
    {
        var first = await TidingsProcess.RunAsync(_workDir, [], "db", "migrate");

        Assert.Equal(TidingsCli.Ok, first.ExitCode);
        Assert.True(File.Exists(Path.Combine(_workDir, "tidings.db")), "tidings.db was not created in the working directory");
        Assert.Contains($"Applied {Migrations.Sqlite.Count} migration(s)", first.Out);
        Assert.All(Migrations.Sqlite, m => Assert.Contains(m, first.Out));

        var second = await TidingsProcess.RunAsync(_workDir, [], "db", "migrate");

        Assert.Equal(TidingsCli.Ok, second.ExitCode);
        Assert.Contains("up to date", second.Out);
        Assert.DoesNotContain("Applied", second.Out);
    }

    [Fact]
    public async Task Status_after_migrate_lists_every_migration_as_applied()
    {
        Assert.Equal(TidingsCli.Ok, (await TidingsProcess.RunAsync(_workDir, [], "db", "migrate")).ExitCode);

        var status = await TidingsProcess.RunAsync(_workDir, [], "db", "status");

        Assert.Equal(TidingsCli.Ok, status.ExitCode);
        Assert.All(Migrations.Sqlite, m => Assert.Matches($@"(?m)^applied\s+{m}$", status.Out));
        Assert.DoesNotContain("pending", status.Out);
        Assert.Contains("Up to date.", status.Out);
    }

    [Fact]
    public async Task Status_of_a_fresh_sqlite_file_lists_every_migration_as_pending()
    {
        var status = await TidingsProcess.RunAsync(_workDir, [], "db", "status");

        Assert.Equal(TidingsCli.Ok, status.ExitCode);
        Assert.All(Migrations.Sqlite, m => Assert.Matches($@"(?m)^pending\s+{m}$", status.Out));
        Assert.DoesNotContain("applied", status.Out);
        Assert.Contains($"{Migrations.Sqlite.Count} pending: run `tidings db migrate`.", status.Out);
    }

    [Fact]
    public async Task Connection_string_from_the_environment_overrides_the_default_file()
    {
        var elsewhere = Path.Combine(_workDir, "elsewhere", "custom.db");
        Directory.CreateDirectory(Path.GetDirectoryName(elsewhere)!);

        var result = await TidingsProcess.RunAsync(_workDir, new() { ["ConnectionStrings__Tidings"] = $"Data Source={elsewhere}" }, "db", "migrate");

        Assert.Equal(TidingsCli.Ok, result.ExitCode);
        Assert.True(File.Exists(elsewhere));
        Assert.False(File.Exists(Path.Combine(_workDir, "tidings.db")), "the default file was created although a connection string was configured");
    }

    [Fact]
    public async Task Demo_on_the_sqlite_default_migrates_first_and_stores_what_it_prints()
    {
        var result = await TidingsProcess.RunAsync(_workDir, [], "demo");

        Assert.Equal(TidingsCli.Ok, result.ExitCode);
        var printed = DemoOutput.Parse(result.Out);
        Assert.Equal(UserRoles, printed.Users.Select(u => u.Role).Order());

        await using var connection = new SqliteConnection($"Data Source={Path.Combine(_workDir, "tidings.db")};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        async Task<long> Count(string sql)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            command.Parameters.AddWithValue("$business", printed.BusinessId.ToString());
            return (long)(await command.ExecuteScalarAsync())!;
        }
        // Guids are TEXT in SQLite; compare case-insensitively rather than depend on the stored casing.
        const string ofBusiness = "upper(business_id) = upper($business)";

        Assert.Equal(Migrations.Sqlite.Count, await Count("SELECT count(*) FROM \"__EFMigrationsHistory\""));
        Assert.Equal(1, await Count("SELECT count(*) FROM businesses WHERE upper(id) = upper($business)"));
        Assert.Equal(printed.Users.Count, await Count($"SELECT count(*) FROM users WHERE {ofBusiness}"));
        foreach (var (table, expected) in printed.Counts)
        {
            Assert.True(expected > 0, $"the demo made no {table}");
            Assert.Equal(expected, await Count($"SELECT count(*) FROM {table} WHERE {ofBusiness}"));
            // Each row was written through the data layer, so each has its CREATE entry.
            Assert.Equal(expected, await Count($"SELECT count(*) FROM audit_logs WHERE {ofBusiness} AND table_name = '{table}' AND action = 'CREATE'"));
        }
        foreach (var (_, email) in printed.Users)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT count(*) FROM users WHERE {ofBusiness} AND email = $email";
            command.Parameters.AddWithValue("$business", printed.BusinessId.ToString());
            command.Parameters.AddWithValue("$email", email);
            Assert.Equal(1L, await command.ExecuteScalarAsync());
        }
    }

    [Fact]
    public async Task Distribute_on_sqlite_is_refused_in_one_line_and_creates_nothing()
    {
        var result = await TidingsProcess.RunAsync(_workDir, [], "db", "distribute");

        result.AssertFailedInOneLine(TidingsCli.BadConfiguration, "needs PostgreSQL with Citus");
        Assert.Empty(result.Out);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_workDir));
    }

    [Fact]
    public async Task Unknown_provider_is_bad_configuration_reported_in_one_line()
    {
        var result = await TidingsProcess.RunAsync(_workDir, new() { ["Database__Provider"] = "oracle" }, "db", "migrate");

        result.AssertFailedInOneLine(TidingsCli.BadConfiguration, "oracle");
        Assert.Empty(Directory.EnumerateFileSystemEntries(_workDir));
    }

    [Theory]
    [InlineData("db", "migrate")]
    [InlineData("db", "status")]
    [InlineData("demo")]
    public async Task Postgres_without_a_connection_string_is_bad_configuration(params string[] verb)
    {
        var result = await TidingsProcess.RunAsync(_workDir, new() { ["Database__Provider"] = "postgres" }, verb);

        result.AssertFailedInOneLine(TidingsCli.BadConfiguration, "ConnectionStrings:Tidings");
        Assert.Empty(Directory.EnumerateFileSystemEntries(_workDir));
    }

    [Theory]
    [InlineData("sqlite", "nonsense")]
    [InlineData("sqlite", "Data Source=tidings.db;Bogus=1")]
    [InlineData("postgres", "nonsense")]
    [InlineData("postgres", "Host=127.0.0.1;Bogus=1")]
    public async Task Malformed_connection_string_is_bad_configuration_reported_in_one_line(string provider, string connectionString)
    {
        var result = await TidingsProcess.RunAsync(_workDir, new()
        {
            ["Database__Provider"] = provider,
            ["ConnectionStrings__Tidings"] = connectionString,
        }, "db", "status");

        result.AssertFailedInOneLine(TidingsCli.BadConfiguration, "ConnectionStrings:Tidings");
        Assert.Empty(Directory.EnumerateFileSystemEntries(_workDir));
    }

    [Theory]
    [InlineData("db", "migrate")]
    [InlineData("db", "status")]
    [InlineData("demo")]
    public async Task Unreachable_postgres_fails_with_one_database_line(params string[] verb)
    {
        // Nothing listens on port 1: the connection is refused at once.
        var result = await TidingsProcess.RunAsync(_workDir, new()
        {
            ["Database__Provider"] = "postgres",
            ["ConnectionStrings__Tidings"] = "Host=127.0.0.1;Port=1;Username=nobody;Password=x;Database=nothing",
        }, verb);

        Assert.Equal(TidingsCli.Failed, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.StartsWith("tidings: database:", line);
        Assert.DoesNotContain("   at ", result.Error);
    }

    [Theory]
    [InlineData("Requests__TimeoutSeconds=0", "Requests:TimeoutSeconds", "serve")]
    [InlineData("Requests__TimeoutSeconds=soon", "Requests:TimeoutSeconds", "serve")]
    [InlineData("Health__ReadyTimeoutSeconds=-1", "Health:ReadyTimeoutSeconds", "serve")]
    [InlineData("Metrics__Enabled=perhaps", "Metrics:Enabled", "serve")]
    [InlineData("Metrics__Enabled=true;Metrics__Urls=nonsense", "Metrics:Urls", "serve")]
    [InlineData("Database__MaxRetryCount=many", "Database:MaxRetryCount", "serve")]
    [InlineData("Database__MaxRetryDelaySeconds=0", "Database:MaxRetryDelaySeconds", "db", "status")]
    public async Task A_bad_setting_is_bad_configuration_reported_in_one_line_before_anything_starts(string settings, string mention, params string[] verb)
    {
        var environment = settings.Split(';').Select(s => s.Split('=', 2)).ToDictionary(kv => kv[0], kv => (string?)kv[1]);

        var result = await TidingsProcess.RunAsync(_workDir, environment, [.. verb, .. verb[0] == "serve" ? ["--urls", "http://127.0.0.1:0"] : Array.Empty<string>()]);

        result.AssertFailedInOneLine(TidingsCli.BadConfiguration, mention);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_workDir));
    }

    [Fact]
    public async Task Serving_requests_logs_no_sql_statements_by_default()
    {
        var result = await TidingsProcess.ServeAsync(_workDir, [], async http =>
        {
            var signup = await http.PostAsync("/api/auth/signup", new StringContent(
                """{"businessName":"Quiet","email":"quiet@example.test","password":"correct horse battery","displayName":"Q"}""",
                System.Text.Encoding.UTF8, "application/json"));
            Assert.Equal(System.Net.HttpStatusCode.Created, signup.StatusCode);
            Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync("/health/ready")).StatusCode);
        });

        Assert.Contains("Now listening on", result.Out);
        Assert.DoesNotContain("Executed DbCommand", result.Out);
        Assert.DoesNotContain("SELECT", result.Out);
        Assert.DoesNotContain("INSERT", result.Out);
    }

    [Fact]
    public async Task Unknown_verb_fails_and_creates_nothing()
    {
        var result = await TidingsProcess.RunAsync(_workDir, [], "frobnicate");

        Assert.NotEqual(TidingsCli.Ok, result.ExitCode);
        Assert.Contains("frobnicate", result.Error);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_workDir));
    }

    private static readonly string[] UserRoles = [.. Tidings.Users.UserRoles.All.Order()];
}

/// <summary>
/// The same verbs against a fresh, empty PostgreSQL database owned by <see cref="PostgresDatabase.OwnerRole"/>,
/// with the application connecting as <see cref="PostgresDatabase.AppRole"/> the way production does.
/// </summary>
public sealed class CliTests_Postgres : IAsyncLifetime
{
    private readonly string _workDir = Directory.CreateTempSubdirectory("tidings-cli-pg-").FullName;
    private EmptyPostgresDatabase _database = null!;

    public async Task InitializeAsync() => _database = await EmptyPostgresDatabase.CreateAsync();

    public async Task DisposeAsync()
    {
        await _database.DisposeAsync();
        Directory.Delete(_workDir, recursive: true);
    }

    private Dictionary<string, string?> AsOwnerAndApp => new()
    {
        ["Database__Provider"] = "postgres",
        ["ConnectionStrings__Tidings"] = _database.AppConnectionString,
        ["ConnectionStrings__TidingsOwner"] = _database.OwnerConnectionString,
    };

    // Only the runtime role's connection string: what a production web node has.
    private Dictionary<string, string?> AsApp => new()
    {
        ["Database__Provider"] = "postgres",
        ["ConnectionStrings__Tidings"] = _database.AppConnectionString,
    };

    [Fact]
    public async Task Migrate_as_the_owner_applies_once_and_leaves_the_tables_owned_by_the_owner()
    {
        var first = await TidingsProcess.RunAsync(_workDir, AsOwnerAndApp, "db", "migrate");

        Assert.Equal(TidingsCli.Ok, first.ExitCode);
        Assert.Contains($"Applied {Migrations.Postgres.Count} migration(s) to Postgres", first.Out);
        Assert.All(Migrations.Postgres, m => Assert.Contains(m, first.Out));

        var second = await TidingsProcess.RunAsync(_workDir, AsOwnerAndApp, "db", "migrate");

        Assert.Equal(TidingsCli.Ok, second.ExitCode);
        Assert.Contains("up to date", second.Out);
        Assert.DoesNotContain("Applied", second.Out);

        var owners = await _database.QueryAsync<string>(
            "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'");
        Assert.Equal([PostgresDatabase.OwnerRole], owners);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_workDir));
    }

    [Fact]
    public async Task After_migrate_the_app_role_runs_the_demo_under_row_level_security()
    {
        Assert.Equal(TidingsCli.Ok, (await TidingsProcess.RunAsync(_workDir, AsOwnerAndApp, "db", "migrate")).ExitCode);

        var result = await TidingsProcess.RunAsync(_workDir, AsApp, "demo");

        Assert.Equal(TidingsCli.Ok, result.ExitCode);
        var printed = DemoOutput.Parse(result.Out);
        var business = printed.BusinessId;
        Assert.Equal([business], await _database.QueryAsync<Guid>("SELECT id FROM businesses"));
        Assert.Equal(printed.Users.Count, (await _database.QueryAsync<long>($"SELECT count(*) FROM users WHERE business_id = '{business}'")).Single());
        foreach (var (table, expected) in printed.Counts)
        {
            Assert.True(expected > 0, $"the demo made no {table}");
            Assert.Equal(expected, (await _database.QueryAsync<long>($"SELECT count(*) FROM {table} WHERE business_id = '{business}'")).Single());
            Assert.Equal(expected, (await _database.QueryAsync<long>(
                $"SELECT count(*) FROM audit_logs WHERE business_id = '{business}' AND table_name = '{table}' AND action = 'CREATE'")).Single());
        }
    }

    [Fact]
    public async Task Status_as_the_app_role_lists_pending_then_applied_migrations()
    {
        var before = await TidingsProcess.RunAsync(_workDir, AsApp, "db", "status");

        Assert.Equal(TidingsCli.Ok, before.ExitCode);
        Assert.All(Migrations.Postgres, m => Assert.Matches($@"(?m)^pending\s+{m}$", before.Out));
        Assert.Contains("run `tidings db migrate`", before.Out);

        Assert.Equal(TidingsCli.Ok, (await TidingsProcess.RunAsync(_workDir, AsOwnerAndApp, "db", "migrate")).ExitCode);
        var after = await TidingsProcess.RunAsync(_workDir, AsApp, "db", "status");

        Assert.Equal(TidingsCli.Ok, after.ExitCode);
        Assert.All(Migrations.Postgres, m => Assert.Matches($@"(?m)^applied\s+{m}$", after.Out));
        Assert.DoesNotContain("pending", after.Out);
        Assert.Contains("Up to date.", after.Out);
    }

    [Fact]
    public async Task Demo_before_migrate_fails_in_one_line_naming_db_migrate_and_creates_nothing()
    {
        var result = await TidingsProcess.RunAsync(_workDir, AsApp, "demo");

        result.AssertFailedInOneLine(TidingsCli.Failed, "tidings db migrate");
        Assert.Empty(await _database.QueryAsync<string>("SELECT tablename::text FROM pg_tables WHERE schemaname = 'public'"));
    }

    [Fact]
    public async Task Distribute_on_plain_postgres_is_refused_as_not_a_citus_coordinator_and_changes_nothing()
    {
        Assert.Equal(TidingsCli.Ok, (await TidingsProcess.RunAsync(_workDir, AsOwnerAndApp, "db", "migrate")).ExitCode);
        var tablesBefore = await _database.QueryAsync<string>("SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' ORDER BY 1");

        var result = await TidingsProcess.RunAsync(_workDir, AsOwnerAndApp, "db", "distribute");

        result.AssertFailedInOneLine(TidingsCli.Failed, "not a Citus coordinator");
        Assert.Contains("CREATE EXTENSION citus", result.Error);
        Assert.Empty(result.Out);
        Assert.Equal(tablesBefore, await _database.QueryAsync<string>("SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"));
        Assert.Empty(await _database.QueryAsync<string>("SELECT extname::text FROM pg_extension WHERE extname = 'citus'"));
    }

    [Fact]
    public async Task A_single_owner_connection_string_runs_every_verb()
    {
        // How a developer starts: one connection string, no TidingsOwner.
        var owner = new Dictionary<string, string?>
        {
            ["Database__Provider"] = "postgres",
            ["ConnectionStrings__Tidings"] = _database.OwnerConnectionString,
        };

        var migrate = await TidingsProcess.RunAsync(_workDir, owner, "db", "migrate");
        var demo = await TidingsProcess.RunAsync(_workDir, owner, "demo");
        var status = await TidingsProcess.RunAsync(_workDir, owner, "db", "status");

        Assert.Equal(TidingsCli.Ok, migrate.ExitCode);
        Assert.Equal(TidingsCli.Ok, demo.ExitCode);
        Assert.Equal(TidingsCli.Ok, status.ExitCode);
        var printed = DemoOutput.Parse(demo.Out);
        Assert.Equal(printed.Counts["clients"], (await _database.QueryAsync<long>($"SELECT count(*) FROM clients WHERE business_id = '{printed.BusinessId}'")).Single());
        Assert.Contains("Up to date.", status.Out);
    }
}

/// <summary>
/// `db migrate` and `db distribute` on a Citus coordinator, as an operator runs them: owner and app role configured,
/// a database with the extension and the workers but no schema yet.
/// </summary>
public sealed class CliTests_Citus : IAsyncLifetime
{
    private readonly string _workDir = Directory.CreateTempSubdirectory("tidings-cli-citus-").FullName;
    private readonly EmptyCitusDatabase _database = new();

    public Task InitializeAsync() => _database.InitializeAsync();

    public async Task DisposeAsync()
    {
        await _database.DisposeAsync();
        Directory.Delete(_workDir, recursive: true);
    }

    private Dictionary<string, string?> AsOwnerAndApp => new()
    {
        ["Database__Provider"] = "postgres",
        ["ConnectionStrings__Tidings"] = _database.Settings.ConnectionString,
        ["ConnectionStrings__TidingsOwner"] = _database.OwnerConnectionString,
    };

    private static readonly int Placed = Tidings.Data.Postgres.CitusPlacement.Tables.Count(t => t.Value.Kind != Tidings.Data.Postgres.CitusTableKind.Local);

    private async Task<long> ScalarAsync(string sql)
    {
        await using var connection = (NpgsqlConnection)_database.OpenBypassConnection();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Distribute_before_migrate_is_refused_in_one_line_naming_db_migrate_and_creates_nothing()
    {
        var result = await TidingsProcess.RunAsync(_workDir, AsOwnerAndApp, "db", "distribute");

        result.AssertFailedInOneLine(TidingsCli.Failed, "run `tidings db migrate` first");
        Assert.Equal(0L, await ScalarAsync("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"));
    }

    [Fact]
    public async Task Migrate_says_to_distribute_then_distribute_places_every_table_once_and_a_second_run_has_nothing_to_do()
    {
        var migrate = await TidingsProcess.RunAsync(_workDir, AsOwnerAndApp, "db", "migrate");

        Assert.Equal(TidingsCli.Ok, migrate.ExitCode);
        Assert.Contains($"Citus: {Placed} table(s) not yet placed", migrate.Out);
        Assert.Contains("run `tidings db distribute`", migrate.Out);

        var first = await TidingsProcess.RunAsync(_workDir, AsOwnerAndApp, "db", "distribute");

        Assert.Equal(TidingsCli.Ok, first.ExitCode);
        Assert.Empty(first.Error);
        Assert.Matches(@"(?m)^clients: now distributed by business_id \(the colocation root\)$", first.Out);
        Assert.Matches(@"(?m)^events: now distributed by business_id, colocated with clients$", first.Out);
        Assert.Matches(@"(?m)^businesses: now a reference table", first.Out);
        Assert.Matches(@"(?m)^__EFMigrationsHistory: stays local to the coordinator$", first.Out);
        Assert.Matches($@"(?m)^Placed {Placed} table\(s\) in [0-9.]+ s, in one transaction; statistics refreshed\.$", first.Out);
        Assert.Equal(Placed, await ScalarAsync("SELECT count(*) FROM citus_tables"));

        var second = await TidingsProcess.RunAsync(_workDir, AsOwnerAndApp, "db", "distribute");

        Assert.Equal(TidingsCli.Ok, second.ExitCode);
        Assert.DoesNotContain(": now ", second.Out);
        Assert.Matches(@"(?m)^clients: already distributed by business_id", second.Out);
        Assert.EndsWith("Nothing to do: every table is already placed as CitusPlacement says.", second.Out.TrimEnd());

        var again = await TidingsProcess.RunAsync(_workDir, AsOwnerAndApp, "db", "migrate");

        Assert.Equal(TidingsCli.Ok, again.ExitCode);
        Assert.Equal("Database is up to date (Postgres).", again.Out.Trim());
    }

    [Fact]
    public async Task Migrate_on_a_distributed_database_names_a_table_left_unplaced_and_distribute_places_only_it()
    {
        Assert.Equal(TidingsCli.Ok, (await TidingsProcess.RunAsync(_workDir, AsOwnerAndApp, "db", "migrate")).ExitCode);
        Assert.Equal(TidingsCli.Ok, (await TidingsProcess.RunAsync(_workDir, AsOwnerAndApp, "db", "distribute")).ExitCode);
        // As a migration adding a table would leave it: local, with its foreign key to a reference table (which makes it
        // a Citus local table).
        await using (var connection = (NpgsqlConnection)_database.OpenBypassConnection())
        await using (var undistribute = new NpgsqlCommand("""
            ALTER TABLE legacy_values DROP CONSTRAINT fk_legacy_values_businesses_business_id;
            SELECT undistribute_table('legacy_values');
            ALTER TABLE legacy_values ADD CONSTRAINT fk_legacy_values_businesses_business_id FOREIGN KEY (business_id) REFERENCES businesses (id) ON DELETE CASCADE;
            """, connection))
            await undistribute.ExecuteNonQueryAsync();

        var migrate = await TidingsProcess.RunAsync(_workDir, AsOwnerAndApp, "db", "migrate");

        Assert.Equal(TidingsCli.Ok, migrate.ExitCode);
        Assert.Contains("Citus: 1 table(s) not yet placed (legacy_values): run `tidings db distribute`.", migrate.Out);

        var distribute = await TidingsProcess.RunAsync(_workDir, AsOwnerAndApp, "db", "distribute");

        Assert.Equal(TidingsCli.Ok, distribute.ExitCode);
        Assert.Matches(@"(?m)^legacy_values: now distributed by business_id, colocated with clients$", distribute.Out);
        Assert.Single(distribute.Out.Split('\n'), l => l.Contains(": now ", StringComparison.Ordinal));
        Assert.Contains("Placed 1 table(s)", distribute.Out);
        Assert.Equal(1L, await ScalarAsync("SELECT count(*) FROM citus_tables WHERE table_name = 'legacy_values'::regclass AND citus_table_type = 'distributed'"));
    }
}

/// <summary>A fresh database with no schema, owned by the test owner role; dropped when disposed.</summary>
internal sealed class EmptyPostgresDatabase : IAsyncDisposable
{
    private readonly string _name = $"tidings_cli_{Guid.NewGuid():N}";

    // Unpooled: the executable under test holds its own connections, and the drop must not wait on ours.
    public string OwnerConnectionString => PostgresServer.ConnectionString(_name, PostgresServer.OwnerRole, pooling: false);
    public string AppConnectionString => PostgresServer.ConnectionString(_name, PostgresServer.AppRole, pooling: false);

    public static async Task<EmptyPostgresDatabase> CreateAsync()
    {
        var database = new EmptyPostgresDatabase();
        await PostgresServer.CreateDatabaseAsync(database._name);
        return database;
    }

    /// <summary>Reads as the superuser, around row-level security.</summary>
    public async Task<List<T>> QueryAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(PostgresServer.ConnectionString(_name, role: null, pooling: false));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<T>();
        while (await reader.ReadAsync())
            rows.Add(reader.GetFieldValue<T>(0));
        return rows;
    }

    public async ValueTask DisposeAsync() => await PostgresServer.DropDatabaseAsync(_name);
}

/// <summary>The migrations each provider's executable should know, read from the model rather than repeated here.</summary>
internal static class Migrations
{
    public static readonly IReadOnlyList<string> Sqlite = Of(DatabaseProvider.Sqlite, "Data Source=:memory:");
    public static readonly IReadOnlyList<string> Postgres = Of(DatabaseProvider.Postgres, "Host=unused");

    private static IReadOnlyList<string> Of(DatabaseProvider provider, string connectionString)
    {
        var settings = new DatabaseSettings(provider, connectionString, null);
        using var db = DatabaseSetup.CreateContext(settings, connectionString, new CurrentTenant(), new CurrentActor());
        var migrations = db.Database.GetMigrations().ToList();
        return migrations.Count > 0 ? migrations : throw new InvalidOperationException($"{provider} has no migrations.");
    }
}

/// <summary>What `tidings demo` printed: the business, its users and the counts of what it made, by table.</summary>
internal sealed partial record DemoOutput(Guid BusinessId, IReadOnlyList<(string Role, string Email)> Users, IReadOnlyDictionary<string, long> Counts)
{
    public static DemoOutput Parse(string output)
    {
        var business = BusinessLine().Match(output);
        Assert.True(business.Success, $"no business id in the demo's output:\n{output}");
        var users = UserLine().Matches(output).Select(m => (m.Groups["role"].Value, m.Groups["email"].Value)).ToList();
        var counts = CountsLine().Match(output);
        Assert.True(counts.Success, $"no counts in the demo's output:\n{output}");
        return new DemoOutput(Guid.Parse(business.Groups["id"].Value), users, new Dictionary<string, long>
        {
            ["clients"] = long.Parse(counts.Groups["clients"].Value),
            ["events"] = long.Parse(counts.Groups["events"].Value),
            ["tags"] = long.Parse(counts.Groups["tags"].Value),
            ["event_user_interactions"] = long.Parse(counts.Groups["interactions"].Value),
            ["notifications"] = long.Parse(counts.Groups["notifications"].Value),
        });
    }

    [GeneratedRegex(@"Created demo business .* id (?<id>[0-9a-fA-F-]{36})\)")]
    private static partial Regex BusinessLine();

    [GeneratedRegex(@"(?m)^\s+(?<role>owner|admin|member|viewer)\s+(?<email>\S+@\S+)\s*$")]
    private static partial Regex UserLine();

    [GeneratedRegex(@"clients: (?<clients>\d+), events: (?<events>\d+), tags: (?<tags>\d+), interactions: (?<interactions>\d+), notifications: (?<notifications>\d+)")]
    private static partial Regex CountsLine();
}

/// <summary>Runs the built tidings.dll with `dotnet`, with only the configuration a test gives it.</summary>
internal static class TidingsProcess
{
    public sealed record Result(int ExitCode, string Out, string Error)
    {
        public IReadOnlyList<string> ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        /// <summary>The last line on stdout: what a background verb's round says it did.</summary>
        public string LastLine => Out.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[^1];

        /// <summary>The exit code, and one line on stderr that names the problem and carries no stack trace.</summary>
        public void AssertFailedInOneLine(int exitCode, string mention)
        {
            Assert.Equal(exitCode, ExitCode);
            Assert.Contains(mention, Assert.Single(ErrorLines));
            Assert.DoesNotContain("   at ", Error);
        }
    }

    /// <summary>A context on the SQLite default of a working directory, in one business, as a system actor of the tests.</summary>
    public static Tidings.Data.TidingsDbContext Context(string workingDirectory, Guid businessId)
    {
        var connection = $"Data Source={Path.Combine(workingDirectory, "tidings.db")};Pooling=False";
        var tenant = new Tidings.Data.Tenancy.CurrentTenant();
        tenant.Set(businessId);
        var actor = new Tidings.Data.Auditing.CurrentActor();
        actor.SetSystem("tests");
        return Tidings.Data.DatabaseSetup.CreateContext(new Tidings.Data.DatabaseSettings(Tidings.Data.DatabaseProvider.Sqlite, connection, null), connection, tenant, actor);
    }

    public static Task<Result> RunAsync(string workingDirectory, Dictionary<string, string?> environment, params string[] args) =>
        RunWithInputAsync(workingDirectory, environment, null, args);

    /// <summary>Runs tidings with <paramref name="input"/> on its standard input (closed after it), or none.</summary>
    public static async Task<Result> RunWithInputAsync(string workingDirectory, Dictionary<string, string?> environment, string? input, params string[] args)
    {
        using var process = Start(workingDirectory, environment, args, redirectInput: input is not null);
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
            process.StandardInput.Close();
        }
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        // A guard against a hung child, not a timing assertion.
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(guard.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"tidings {string.Join(' ', args)} did not exit: {await stderr}");
        }
        return new Result(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>
    /// Runs `tidings serve` on a free port until it listens, lets <paramref name="whileServing"/> talk to it over
    /// HTTP, then stops it and answers what it printed.
    /// </summary>
    public static async Task<Result> ServeAsync(string workingDirectory, Dictionary<string, string?> environment, Func<HttpClient, Task> whileServing)
    {
        int port;
        using (var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        }
        using var process = Start(workingDirectory, environment, ["serve", "--urls", $"http://127.0.0.1:{port}"]);
        var stderr = process.StandardError.ReadToEndAsync();
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var seen = new List<string>();
        try
        {
            while (await process.StandardOutput.ReadLineAsync(guard.Token) is { } line)
            {
                seen.Add(line);
                if (line.Contains("Application started", StringComparison.Ordinal))
                    break;
            }
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            await whileServing(http);
        }
        finally
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
        }
        seen.Add(await process.StandardOutput.ReadToEndAsync(guard.Token));
        await process.WaitForExitAsync(guard.Token);
        return new Result(process.ExitCode, string.Join('\n', seen), await stderr);
    }

    /// <summary>
    /// Runs tidings and kills it (and its children) as soon as it prints a line starting with
    /// <paramref name="linePrefix"/>: a run cut short at a known point. Fails if it ends before that line.
    /// </summary>
    public static async Task<Result> KillAtLineAsync(string workingDirectory, Dictionary<string, string?> environment, string linePrefix, params string[] args)
    {
        using var process = Start(workingDirectory, environment, args);
        var stderr = process.StandardError.ReadToEndAsync();
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var seen = new List<string>();
        try
        {
            while (await process.StandardOutput.ReadLineAsync(guard.Token) is { } line)
            {
                seen.Add(line);
                if (line.StartsWith(linePrefix, StringComparison.Ordinal))
                {
                    process.Kill(entireProcessTree: true);
                    await process.WaitForExitAsync(guard.Token);
                    // Killed, not finished: had it exited on its own, the caller's test would prove nothing.
                    Assert.NotEqual(TidingsCli.Ok, process.ExitCode);
                    return new Result(process.ExitCode, string.Join('\n', seen), await stderr);
                }
            }
        }
        finally
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
        }
        await process.WaitForExitAsync();
        throw new Xunit.Sdk.XunitException($"tidings {string.Join(' ', args)} ended (exit {process.ExitCode}) before \"{linePrefix}\":\n{string.Join('\n', seen)}\n{await stderr}");
    }

    private static Process Start(string workingDirectory, Dictionary<string, string?> environment, string[] args, bool redirectInput = false)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectInput,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(typeof(TidingsCli).Assembly.Location);
        foreach (var arg in args)
            start.ArgumentList.Add(arg);

        // Whatever the test process inherited must not configure the child: only the test's own values do.
        foreach (var key in start.Environment.Keys.Where(IsTidingsConfiguration).ToList())
            start.Environment.Remove(key);
        foreach (var (key, value) in environment)
            start.Environment[key] = value;
        return Process.Start(start)!;
    }

    private static bool IsTidingsConfiguration(string key)
    {
        var name = key.StartsWith("DOTNET_", StringComparison.OrdinalIgnoreCase) ? key["DOTNET_".Length..] : key;
        return new[] { "Database__", "Logging__", "Metrics__", "Requests__", "Health__" }.Any(p => name.StartsWith(p, StringComparison.OrdinalIgnoreCase))
            || name.StartsWith("Database:", StringComparison.OrdinalIgnoreCase)
            || name.StartsWith("ConnectionStrings", StringComparison.OrdinalIgnoreCase)
            || name.Contains("CONNSTR_", StringComparison.OrdinalIgnoreCase)
            || name.Equals("ENVIRONMENT", StringComparison.OrdinalIgnoreCase)
            || key.Equals("ASPNETCORE_ENVIRONMENT", StringComparison.OrdinalIgnoreCase);
    }
}
