using System.Data.Common;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Tidings.Clients;
using Tidings.Data;
using Tidings.Data.Auditing;
using Tidings.Data.SoftDelete;
using Tidings.Tags;
using Tidings.Tests.Infrastructure;
using Tidings.Users;

namespace Tidings.Tests.Data;

public abstract class AuditTests(TestDatabase database)
{
    [Fact]
    public async Task Inserting_writes_one_create_row_with_the_actor_and_the_inserted_values()
    {
        var business = await database.NewBusinessAsync();
        var client = new Client { Name = "Acme", Domain = "acme.example", FoundedYear = 1999, SearchKeywords = ["acme", "rockets"] };
        await AddAsync(business, client);

        await using var db = business.Context();
        var stored = await db.Clients.SingleAsync(c => c.Id == client.Id);
        var log = Assert.Single(await LogsOfAsync(db, "clients", client.Id));
        Assert.Equal(AuditActions.Create, log.Action);
        Assert.Equal(business.Id, log.BusinessId);
        Assert.Equal(business.OwnerId, log.UserId);
        Assert.Equal(business.Owner.Name, log.ActorName);
        Assert.Equal(business.Owner.IpAddress, log.IpAddress);
        Assert.Equal(business.Owner.UserAgent, log.UserAgent);
        Assert.Equal(stored.CreatedAt, log.CreatedAt);
        Assert.Null(log.OldValues);

        var values = Values(log.NewValues);
        Assert.Equal(client.Id.ToString(), values["id"].GetString());
        Assert.Equal(business.Id.ToString(), values["business_id"].GetString());
        Assert.Equal("Acme", values["name"].GetString());
        Assert.Equal("acme.example", values["domain"].GetString());
        Assert.Equal(1999, values["founded_year"].GetInt32());
        Assert.Equal(["acme", "rockets"], values["search_keywords"].EnumerateArray().Select(k => k.GetString()));
        Assert.Equal(business.OwnerId.ToString(), values["created_by_user_id"].GetString());
    }

    [Fact]
    public async Task Updating_writes_one_update_row_with_only_the_changed_columns()
    {
        var business = await database.NewBusinessAsync();
        var client = new Client { Name = "Before", Domain = "unchanged.example" };
        await AddAsync(business, client);

        await using (var db = business.Context())
        {
            var loaded = await db.Clients.SingleAsync(c => c.Id == client.Id);
            loaded.Name = "After";
            loaded.Notes = "Now with notes";
            await db.SaveChangesAsync();
        }

        await using var check = business.Context();
        var log = Assert.Single(await LogsOfAsync(check, "clients", client.Id, AuditActions.Update));
        Assert.Equal(["name", "notes"], Fields(log).Order());
        var old = Values(log.OldValues);
        var @new = Values(log.NewValues);
        Assert.Equal(["name", "notes"], old.Keys.Order());
        Assert.Equal(["name", "notes"], @new.Keys.Order());
        Assert.Equal("Before", old["name"].GetString());
        Assert.Equal(JsonValueKind.Null, old["notes"].ValueKind);
        Assert.Equal("After", @new["name"].GetString());
        Assert.Equal("Now with notes", @new["notes"].GetString());
    }

    [Fact]
    public async Task Setting_properties_to_the_values_they_hold_writes_no_audit_row()
    {
        var business = await database.NewBusinessAsync();
        var client = new Client { Name = "Steady", SearchKeywords = ["steady"] };
        await AddAsync(business, client);

        await using (var db = business.Context())
        {
            var loaded = await db.Clients.SingleAsync(c => c.Id == client.Id);
            loaded.Name = "Steady";
            // A new list with the same items is the same value.
            loaded.SearchKeywords = ["steady"];
            Assert.Equal(0, await db.SaveChangesAsync());
        }

        await using var check = business.Context();
        Assert.Empty(await LogsOfAsync(check, "clients", client.Id, AuditActions.Update));
    }

    [Fact]
    public async Task Updating_a_detached_copy_with_identical_values_writes_no_audit_row()
    {
        var business = await database.NewBusinessAsync();
        var client = new Client { Name = "Steady", Domain = "steady.example", SearchKeywords = ["steady"] };
        await AddAsync(business, client);
        var copy = await LoadDetachedAsync(business, client.Id);

        await using (var db = business.Context())
        {
            db.Clients.Update(copy);
            Assert.Equal(0, await db.SaveChangesAsync());
        }

        await using var check = business.Context();
        Assert.Empty(await LogsOfAsync(check, "clients", client.Id, AuditActions.Update));
    }

    [Fact]
    public async Task Updating_a_detached_copy_records_the_old_value_the_database_held()
    {
        var business = await database.NewBusinessAsync();
        var client = new Client { Name = "First" };
        await AddAsync(business, client);
        var staleCopy = await LoadDetachedAsync(business, client.Id);
        await using (var db = business.Context())
        {
            (await db.Clients.SingleAsync(c => c.Id == client.Id)).Name = "Second";
            await db.SaveChangesAsync();
        }

        // The copy still says "First": only the database knows the value being replaced.
        staleCopy.Name = "Third";
        await using (var db = business.Context())
        {
            db.Clients.Update(staleCopy);
            await db.SaveChangesAsync();
        }

        await using var check = business.Context();
        var updates = await LogsOfAsync(check, "clients", client.Id, AuditActions.Update);
        var last = Assert.Single(updates, l => Values(l.NewValues)["name"].GetString() == "Third");
        Assert.Equal(["name"], Fields(last));
        Assert.Equal("Second", Values(last.OldValues)["name"].GetString());
    }

    [Fact]
    public async Task Deleting_restoring_and_purging_are_audited_as_such()
    {
        var business = await database.NewBusinessAsync();
        var client = new Client { Name = "Short-lived" };
        await AddAsync(business, client);
        await using (var db = business.Context())
        {
            db.Clients.Remove(await db.Clients.SingleAsync(c => c.Id == client.Id));
            await db.SaveChangesAsync();
        }
        await using (var db = business.Context())
        {
            db.Restore(await db.Clients.IgnoreQueryFilters([SoftDeleteRules.Filter]).SingleAsync(c => c.Id == client.Id));
            await db.SaveChangesAsync();
        }
        await using (var db = business.Context())
        {
            db.Purge(await db.Clients.SingleAsync(c => c.Id == client.Id));
            await db.SaveChangesAsync();
        }

        await using var check = business.Context();
        var logs = await LogsOfAsync(check, "clients", client.Id);
        Assert.Equal(
            [AuditActions.Create, AuditActions.Delete, AuditActions.Purge, AuditActions.Restore],
            logs.Select(l => l.Action).Order());

        var delete = logs.Single(l => l.Action == AuditActions.Delete);
        Assert.Equal(["deleted_at", "deleted_by_user_id", "is_deleted"], Fields(delete).Order());
        Assert.True(Values(delete.NewValues)["is_deleted"].GetBoolean());
        Assert.Equal(business.OwnerId.ToString(), Values(delete.NewValues)["deleted_by_user_id"].GetString());

        var restore = logs.Single(l => l.Action == AuditActions.Restore);
        Assert.False(Values(restore.NewValues)["is_deleted"].GetBoolean());
        Assert.Equal(business.OwnerId.ToString(), Values(restore.OldValues)["deleted_by_user_id"].GetString());

        var purge = logs.Single(l => l.Action == AuditActions.Purge);
        Assert.Equal("Short-lived", Values(purge.OldValues)["name"].GetString());
        Assert.Null(purge.NewValues);
    }

    [Fact]
    public async Task A_password_hash_never_reaches_the_audit_trail()
    {
        var business = await database.NewBusinessAsync();
        var user = new User { Email = $"{Guid.NewGuid():N}@example.test", DisplayName = "Grace", PasswordHash = "first-hash-value" };
        await AddAsync(business, user);
        await using (var db = business.Context())
        {
            (await db.Users.SingleAsync(u => u.Id == user.Id)).PasswordHash = "second-hash-value";
            await db.SaveChangesAsync();
        }
        await using (var db = business.Context())
        {
            db.Purge(await db.Users.SingleAsync(u => u.Id == user.Id));
            await db.SaveChangesAsync();
        }

        await using var check = business.Context();
        var logs = await LogsOfAsync(check, "users", user.Id);
        Assert.Equal(3, logs.Count);
        foreach (var log in logs)
        {
            Assert.DoesNotContain("hash-value", log.OldValues ?? "");
            Assert.DoesNotContain("hash-value", log.NewValues ?? "");
        }
        Assert.Equal("***", Values(logs.Single(l => l.Action == AuditActions.Create).NewValues)["password_hash"].GetString());
        var update = logs.Single(l => l.Action == AuditActions.Update);
        Assert.Equal(["password_hash"], Fields(update));
        Assert.Equal("***", Values(update.OldValues)["password_hash"].GetString());
        Assert.Equal("***", Values(update.NewValues)["password_hash"].GetString());
        Assert.Equal("***", Values(logs.Single(l => l.Action == AuditActions.Purge).OldValues)["password_hash"].GetString());
    }

    [Fact]
    public async Task A_change_whose_audit_row_cannot_be_written_is_rolled_back()
    {
        var business = await database.NewBusinessAsync();
        var client = new Client { Name = "Before" };
        await AddAsync(business, client);

        await FailAuditWritesForAsync(client.Id.ToString());
        try
        {
            await using var db = business.Context();
            (await db.Clients.SingleAsync(c => c.Id == client.Id)).Name = "After";
            var failure = await Assert.ThrowsAnyAsync<DbUpdateException>(() => db.SaveChangesAsync());
            Assert.Contains("boom", failure.InnerException?.Message);
        }
        finally
        {
            await ExecuteAsync(database.Provider == DatabaseProvider.Sqlite
                ? "DROP TRIGGER fail_audit_for_one_record;"
                : "DROP TRIGGER fail_audit_for_one_record ON audit_logs; DROP FUNCTION fail_audit_for_one_record();");
        }

        await using var check = business.Context();
        Assert.Equal("Before", (await check.Clients.SingleAsync(c => c.Id == client.Id)).Name);
        Assert.Empty(await LogsOfAsync(check, "clients", client.Id, AuditActions.Update));
    }

    [Fact]
    public async Task An_audit_row_that_fails_after_another_was_written_rolls_back_the_whole_save()
    {
        var business = await database.NewBusinessAsync();
        var first = new Client { Name = "First before" };
        var second = new Client { Name = "Second before" };
        await AddAsync(business, first, second);

        // audit_logs rows are written before clients rows, so failing the very first statement of a save
        // proves nothing without a transaction: fail whichever of the two UPDATE rows comes second.
        await FailSecondUpdateAuditOfAsync(first.Id.ToString(), second.Id.ToString());
        try
        {
            await using var db = business.Context();
            foreach (var client in await db.Clients.Where(c => c.Id == first.Id || c.Id == second.Id).ToListAsync())
                client.Name = client.Name.Replace("before", "after");
            var failure = await Assert.ThrowsAnyAsync<DbUpdateException>(() => db.SaveChangesAsync());
            Assert.Contains("boom", failure.InnerException?.Message);
        }
        finally
        {
            await ExecuteAsync(database.Provider == DatabaseProvider.Sqlite
                ? "DROP TRIGGER fail_second_audit_row;"
                : "DROP TRIGGER fail_second_audit_row ON audit_logs; DROP FUNCTION fail_second_audit_row();");
        }

        await using var check = business.Context();
        Assert.Equal(
            ["First before", "Second before"],
            (await check.Clients.Where(c => c.Id == first.Id || c.Id == second.Id).Select(c => c.Name).ToListAsync()).Order());
        Assert.Empty(await LogsOfAsync(check, "clients", first.Id, AuditActions.Update));
        Assert.Empty(await LogsOfAsync(check, "clients", second.Id, AuditActions.Update));
    }

    [Fact]
    public async Task Audit_rows_cannot_be_changed_or_deleted_around_the_data_layer()
    {
        var business = await database.NewBusinessAsync();
        var client = new Client { Name = "Witnessed" };
        await AddAsync(business, client);
        var recordId = client.Id.ToString();

        // On PostgreSQL the bypass connection is a superuser: only the table's own trigger stands in the way.
        await Assert.ThrowsAnyAsync<DbException>(() => ExecuteAsync("UPDATE audit_logs SET actor_name = 'tampered' WHERE record_id = @value", recordId));
        await Assert.ThrowsAnyAsync<DbException>(() => ExecuteAsync("DELETE FROM audit_logs WHERE record_id = @value", recordId));

        await using var check = business.Context();
        var log = Assert.Single(await LogsOfAsync(check, "clients", client.Id));
        Assert.Equal(business.Owner.Name, log.ActorName);
    }

    [Fact]
    public async Task The_audit_table_cannot_be_emptied_around_the_data_layer()
    {
        var business = await database.NewBusinessAsync();
        var client = new Client { Name = "Witnessed" };
        await AddAsync(business, client);

        // SQLite has no TRUNCATE; a DELETE without WHERE is its way to empty a table.
        await Assert.ThrowsAnyAsync<DbException>(() => ExecuteAsync(
            database.Provider == DatabaseProvider.Postgres ? "TRUNCATE audit_logs" : "DELETE FROM audit_logs"));

        await using var check = business.Context();
        Assert.Single(await LogsOfAsync(check, "clients", client.Id));
    }

    [Fact]
    public async Task Rows_saved_together_are_audited_together_at_one_instant()
    {
        var business = await database.NewBusinessAsync();
        var first = new Client { Name = "First of two" };
        var second = new Client { Name = "Second of two" };
        await AddAsync(business, first, second);

        await using var check = business.Context();
        var firstLog = Assert.Single(await LogsOfAsync(check, "clients", first.Id, AuditActions.Create));
        var secondLog = Assert.Single(await LogsOfAsync(check, "clients", second.Id, AuditActions.Create));
        Assert.Equal(firstLog.CreatedAt, secondLog.CreatedAt);
        Assert.Equal((await check.Clients.SingleAsync(c => c.Id == first.Id)).CreatedAt, firstLog.CreatedAt);
    }

    [Fact]
    public async Task A_save_that_fails_leaves_neither_its_rows_nor_their_audit_rows()
    {
        var business = await database.NewBusinessAsync();
        await AddAsync(business, new Tag { Name = "Taken" });
        var client = new Client { Name = "Saved with a clashing tag" };

        await using (var db = business.Context())
        {
            db.AddRange(client, new Tag { Name = "Taken" });
            await Assert.ThrowsAnyAsync<DbUpdateException>(() => db.SaveChangesAsync());
        }

        await using var check = business.Context();
        Assert.False(await check.Clients.IgnoreQueryFilters([SoftDeleteRules.Filter]).AnyAsync(c => c.Id == client.Id));
        Assert.Empty(await LogsOfAsync(check, "clients", client.Id));
    }

    private static async Task AddAsync(TestBusiness business, params object[] rows)
    {
        await using var db = business.Context();
        db.AddRange(rows);
        await db.SaveChangesAsync();
    }

    private static async Task<Client> LoadDetachedAsync(TestBusiness business, Guid id)
    {
        await using var db = business.Context();
        return await db.Clients.AsNoTracking().SingleAsync(c => c.Id == id);
    }

    private static Task<List<AuditLog>> LogsOfAsync(TidingsDbContext db, string table, Guid id, string? action = null)
    {
        var recordId = id.ToString();
        return db.AuditLogs
            .Where(a => a.TableName == table && a.RecordId == recordId && (action == null || a.Action == action))
            .ToListAsync();
    }

    private static Dictionary<string, JsonElement> Values(string? json) =>
        JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json ?? throw new ArgumentNullException(nameof(json)))!;

    private static List<string> Fields(AuditLog log) =>
        JsonSerializer.Deserialize<List<string>>(log.ChangedFields!)!;

    /// <summary>Fails the audit insert for one record only, so nothing else writing at the time is touched.</summary>
    private Task FailAuditWritesForAsync(string recordId) => ExecuteAsync(database.Provider == DatabaseProvider.Sqlite
        ? $"""
           CREATE TRIGGER fail_audit_for_one_record BEFORE INSERT ON audit_logs
           WHEN NEW.record_id = '{recordId}' BEGIN SELECT RAISE(ABORT, 'boom'); END;
           """
        : $"""
           CREATE FUNCTION fail_audit_for_one_record() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN RAISE EXCEPTION 'boom'; END $$;
           CREATE TRIGGER fail_audit_for_one_record BEFORE INSERT ON audit_logs FOR EACH ROW
           WHEN (NEW.record_id = '{recordId}') EXECUTE FUNCTION fail_audit_for_one_record();
           """);

    private Task FailSecondUpdateAuditOfAsync(string firstId, string secondId)
    {
        var records = $"('{firstId}', '{secondId}')";
        var earlierRow = $"EXISTS (SELECT 1 FROM audit_logs WHERE record_id IN {records} AND action = 'UPDATE')";
        return ExecuteAsync(database.Provider == DatabaseProvider.Sqlite
            ? $"""
               CREATE TRIGGER fail_second_audit_row BEFORE INSERT ON audit_logs
               WHEN NEW.record_id IN {records} AND {earlierRow} BEGIN SELECT RAISE(ABORT, 'boom'); END;
               """
            // PostgreSQL allows no subquery in a trigger's WHEN, so the function asks, of the table the trigger fires on:
            // on Citus that is a shard of audit_logs, which may not query the distributed table.
            : $"""
               CREATE FUNCTION fail_second_audit_row() RETURNS trigger LANGUAGE plpgsql AS $$
               DECLARE earlier boolean;
               BEGIN
                   EXECUTE format('SELECT {earlierRow.Replace("audit_logs", "%I").Replace("'", "''")}', TG_TABLE_NAME) INTO earlier;
                   IF earlier THEN RAISE EXCEPTION 'boom'; END IF; RETURN NEW;
               END $$;
               CREATE TRIGGER fail_second_audit_row BEFORE INSERT ON audit_logs FOR EACH ROW
               WHEN (NEW.record_id IN {records}) EXECUTE FUNCTION fail_second_audit_row();
               """);
    }

    private async Task ExecuteAsync(string sql, string? value = null)
    {
        await using var connection = database.OpenBypassConnection();
        await using var command = connection.CreateCommand();
        // Citus takes a trigger on a distributed table (the test's own, failing one) only when told it is meant, and a
        // function made in the same transaction as a change of every shard only over one connection a node.
        command.CommandText = database is CitusDatabase
            ? "SET citus.enable_unsafe_triggers = on; SET citus.multi_shard_modify_mode = 'sequential';\n" + sql : sql;
        if (value is not null)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = "@value";
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }
        await command.ExecuteNonQueryAsync();
    }
}

public sealed class AuditTests_Sqlite(SqliteDatabase db) : AuditTests(db), IClassFixture<SqliteDatabase>;
public sealed class AuditTests_Postgres(PostgresDatabase db) : AuditTests(db), IClassFixture<PostgresDatabase>;
public sealed class AuditTests_Citus(CitusDatabase db) : AuditTests(db), IClassFixture<CitusDatabase>;
