using Microsoft.EntityFrameworkCore;
using Npgsql;
using Tidings.Clients;
using Tidings.Data;
using Tidings.Data.Tenancy;
using Tidings.Tests.Infrastructure;

namespace Tidings.Tests.Data;

/// <summary>
/// PostgreSQL's row-level security is the second wall: whatever SQL reaches the database through the
/// application's role, it sees and writes only the current business's rows; on Citus too, where the rows live on
/// the workers and the policies are checked there.
/// </summary>
public abstract class RowLevelSecurityTests(TestDatabase database)
{
    private static readonly string[] TenantTables =
        ["users", "clients", "events", "event_user_interactions", "tags", "categories", "classification_examples", "sources", "webhooks", "webhook_deliveries", "outbox_messages", "notification_preferences", "client_tags", "event_tags", "notifications", "audit_logs", "api_tokens", "legacy_id_map", "legacy_values"];

    [Fact]
    public async Task Raw_sql_through_the_application_sees_only_the_current_business()
    {
        var a = await TenantGraph.CreateAsync(database);
        await TenantGraph.CreateAsync(database);
        await using var db = a.Business.Context();
        foreach (var table in TenantTables)
        {
            // No WHERE clause: only the policy keeps the other business out.
#pragma warning disable EF1002
            var owners = await db.Database.SqlQueryRaw<Guid>($"SELECT business_id AS \"Value\" FROM {table}").ToListAsync();
#pragma warning restore EF1002
            Assert.NotEmpty(owners);
            Assert.All(owners, id => Assert.Equal(a.Business.Id, id));
        }
        var businesses = await db.Database.SqlQueryRaw<Guid>("SELECT id AS \"Value\" FROM businesses").ToListAsync();
        Assert.Equal([a.Business.Id], businesses);
    }

    [Fact]
    public async Task The_application_role_without_a_business_setting_sees_no_rows()
    {
        await TenantGraph.CreateAsync(database);
        await using var connection = new NpgsqlConnection(database.Settings.ConnectionString);
        await connection.OpenAsync();
        foreach (var table in TenantTables.Append("businesses"))
        {
            await using var command = new NpgsqlCommand($"SELECT count(*) FROM {table}", connection);
            Assert.Equal(0L, await command.ExecuteScalarAsync());
        }
        await using var bypass = new RawSql(database);
        Assert.True((long)(await bypass.ScalarAsync("SELECT count(*) FROM clients"))! > 0);
    }

    [Fact]
    public async Task The_platform_scope_setting_reaches_businesses_users_and_audit_and_reads_due_sources_but_no_other_business_data()
    {
        var a = await TenantGraph.CreateAsync(database);
        var b = await TenantGraph.CreateAsync(database);
        await using var connection = new NpgsqlConnection(database.Settings.ConnectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        // The tenant session's own procedure, which a plain set_config() is not: Citus repeats only a SET LOCAL on its workers.
        await using (var scope = new NpgsqlCommand($"CALL {Tidings.Data.Postgres.DatabaseGuards.TenantProcedure}('', 'on', 'auto')", connection, transaction))
            await scope.ExecuteNonQueryAsync();
        foreach (var table in Tidings.Data.Postgres.DatabaseGuards.PlatformScopeTables)
        {
            var column = table == "businesses" ? "id" : "business_id";
            await using var seen = new NpgsqlCommand($"SELECT count(DISTINCT {column}) FROM {table} WHERE {column} IN (@a, @b)", connection, transaction);
            seen.Parameters.AddWithValue("a", a.Business.Id);
            seen.Parameters.AddWithValue("b", b.Business.Id);
            Assert.Equal(2L, await seen.ExecuteScalarAsync());
        }
        foreach (var table in TenantTables.Except(Tidings.Data.Postgres.DatabaseGuards.PlatformScopeTables).Except(Tidings.Data.Postgres.DatabaseGuards.DueWorkTables))
        {
            await using var seen = new NpgsqlCommand($"SELECT count(*) FROM {table}", connection, transaction);
            Assert.Equal(0L, await seen.ExecuteScalarAsync());
        }
        // The claims of due work (monitor, dispatcher) read the scheduling tables of every business, and can change none of them.
        foreach (var table in Tidings.Data.Postgres.DatabaseGuards.DueWorkTables)
        {
            await using var seen = new NpgsqlCommand($"SELECT count(DISTINCT business_id) FROM {table} WHERE business_id IN (@a, @b)", connection, transaction);
            seen.Parameters.AddWithValue("a", a.Business.Id);
            seen.Parameters.AddWithValue("b", b.Business.Id);
            Assert.Equal(2L, await seen.ExecuteScalarAsync());
            await using var write = new NpgsqlCommand($"UPDATE {table} SET created_at = created_at WHERE business_id IN (@a, @b)", connection, transaction);
            write.Parameters.AddWithValue("a", a.Business.Id);
            write.Parameters.AddWithValue("b", b.Business.Id);
            Assert.Equal(0, await write.ExecuteNonQueryAsync());
        }
    }

    [Fact]
    public async Task Raw_writes_through_the_application_cannot_reach_another_business()
    {
        var a = await TenantGraph.CreateAsync(database);
        var b = await TenantGraph.CreateAsync(database);
        await using var db = a.Business.Context();
        var bClient = b.Row<Client>().Id;
        using var direct = db.AllowDirectWrites("probing row-level security");

        Assert.Equal(0, await db.Database.ExecuteSqlAsync($"UPDATE clients SET name = 'hijacked' WHERE id = {bClient}"));
        Assert.Equal(0, await db.Database.ExecuteSqlAsync($"DELETE FROM client_tags WHERE client_id = {bClient}"));
        var insert = await Assert.ThrowsAsync<PostgresException>(() => db.Database.ExecuteSqlAsync(
            $"INSERT INTO tags (id, business_id, name, created_at, updated_at, is_deleted) VALUES ({Guid.CreateVersion7()}, {b.Business.Id}, 'planted', now(), now(), false)"));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, insert.SqlState); // new row violates row-level security policy

        await using var check = b.Business.Context();
        Assert.Equal(b.Row<Client>().Name, (await check.Clients.SingleAsync()).Name);
        Assert.Equal(1, await check.ClientTags.CountAsync());
        Assert.Equal(1, await check.Tags.CountAsync());
    }

    [Fact]
    public async Task The_application_role_owns_nothing_and_cannot_bypass_row_level_security()
    {
        await using var connection = new NpgsqlConnection(database.Settings.ConnectionString);
        await connection.OpenAsync();
        await using var role = new NpgsqlCommand(
            "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user", connection);
        await using (var reader = await role.ExecuteReaderAsync())
        {
            Assert.True(await reader.ReadAsync());
            Assert.False(reader.GetBoolean(0));
            Assert.False(reader.GetBoolean(1));
        }
        await using var owned = new NpgsqlCommand(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND pg_get_userbyid(c.relowner) = current_user",
            connection);
        Assert.Equal(0L, await owned.ExecuteScalarAsync());
    }

    [Fact]
    public async Task The_application_role_may_not_change_or_remove_audit_rows_even_its_own()
    {
        var a = await TenantGraph.CreateAsync(database);
        await using var db = a.Business.Context();
        using var direct = db.AllowDirectWrites("probing audit privileges");
        var update = await Assert.ThrowsAsync<PostgresException>(() => db.Database.ExecuteSqlAsync($"UPDATE audit_logs SET action = 'UPDATE' WHERE business_id = {a.Business.Id}"));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, update.SqlState);
        var delete = await Assert.ThrowsAsync<PostgresException>(() => db.Database.ExecuteSqlAsync($"DELETE FROM audit_logs WHERE business_id = {a.Business.Id}"));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, delete.SqlState);
        Assert.True(await db.AuditLogs.CountAsync() > 0);
    }

    [Fact]
    public async Task A_business_statement_is_planned_with_its_values_unless_tagged_for_one_generic_plan()
    {
        var a = await TenantGraph.CreateAsync(database);
        await using var db = a.Business.Context();
        IQueryable<string> Mode() => db.Database.SqlQueryRaw<string>("SELECT current_setting('plan_cache_mode') AS \"Value\"");
        Assert.Equal("force_custom_plan", await Mode().SingleAsync());
        Assert.Equal("auto", await Mode().WithGenericPlan().SingleAsync());
        // A transaction's statements are always planned with their values, tagged or not.
        Assert.Equal("force_custom_plan", await db.InTransactionAsync(ct => Mode().WithGenericPlan().SingleAsync(ct), CancellationToken.None));
        // The setting lasts as long as the statement's own transaction; the session's default is PostgreSQL's.
        await using var raw = new NpgsqlConnection(database.Settings.ConnectionString);
        await raw.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT current_setting('plan_cache_mode')", raw);
        Assert.Equal("auto", await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task A_failed_statement_of_its_own_transaction_leaves_the_connection_kept_open_usable_and_unset()
    {
        var a = await TenantGraph.CreateAsync(database);
        await using var db = a.Business.Context();
        await db.Database.OpenConnectionAsync();
        using (db.AllowDirectWrites("a statement that fails"))
        {
            var failed = await Assert.ThrowsAsync<PostgresException>(() => db.Database.ExecuteSqlRawAsync("UPDATE clients SET name = name WHERE 1 / (length(name) - length(name)) = 1"));
            Assert.Equal(PostgresErrorCodes.DivisionByZero, failed.SqlState);
        }
        // Its transaction, left failed by the error before its COMMIT, is over: the next statement runs, as the business.
        Assert.Equal(1, await db.Clients.CountAsync());
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = "SELECT coalesce(current_setting('app.business_id', true), '')";
        Assert.Equal("", await command.ExecuteScalarAsync());
        Assert.Equal(a.Row<Client>().Name, (await db.Clients.AsNoTracking().SingleAsync()).Name);
        await db.Database.CloseConnectionAsync();
    }

    [Fact]
    public async Task A_pooled_connection_keeps_no_business_setting_after_the_work_that_set_it()
    {
        var a = await TenantGraph.CreateAsync(database);
        var b = await TenantGraph.CreateAsync(database);
        // Contexts connect without Npgsql's reset (DatabaseSetup.ForPooledUse); a pool of one, of this test's
        // own, hands every context and raw connection below the same physical connection, unreset.
        var pooled = DatabaseSetup.ForPooledUse(new NpgsqlConnectionStringBuilder(database.Settings.ConnectionString)
        { MaxPoolSize = 1, ApplicationName = $"reuse-{Guid.NewGuid():N}" }.ConnectionString);
        int backend;
        await using (var db = Context(a, pooled))
        {
            backend = await BackendAsync(db);
            Assert.Equal(1, await db.Clients.CountAsync());
            db.Clients.Add(new Client { Name = "In a transaction" });
            await db.SaveChangesAsync();
        }
        await using (var db = Context(b, pooled))
        {
            Assert.Equal(backend, await BackendAsync(db));
            Assert.Equal([b.Row<Client>().Id], await db.Clients.IgnoreQueryFilters().Select(c => c.Id).ToListAsync());
        }
        for (var i = 0; i < 3; i++)
        {
            await using var connection = new NpgsqlConnection(pooled);
            await connection.OpenAsync();
            await using var pid = new NpgsqlCommand("SELECT pg_backend_pid()", connection);
            Assert.Equal(backend, await pid.ExecuteScalarAsync());
            await using var command = new NpgsqlCommand("SELECT coalesce(current_setting('app.business_id', true), '') || coalesce(current_setting('app.platform_scope', true), '')", connection);
            Assert.Equal("", await command.ExecuteScalarAsync());
            await using var count = new NpgsqlCommand("SELECT count(*) FROM clients", connection);
            Assert.Equal(0L, await count.ExecuteScalarAsync());
        }

        TidingsDbContext Context(TenantGraph graph, string connectionString)
        {
            var tenant = new Tidings.Data.Tenancy.CurrentTenant();
            tenant.Set(graph.Business.Id);
            return DatabaseSetup.CreateContext(database.Settings, connectionString, tenant, TestActors.System());
        }

        static Task<int> BackendAsync(TidingsDbContext db) =>
            db.Database.SqlQueryRaw<int>("SELECT pg_backend_pid() AS \"Value\"").SingleAsync();
    }
}

public sealed class RowLevelSecurityTests_Postgres(PostgresDatabase database) : RowLevelSecurityTests(database), IClassFixture<PostgresDatabase>;

public sealed class RowLevelSecurityTests_Citus(CitusDatabase database) : RowLevelSecurityTests(database), IClassFixture<CitusDatabase>;
