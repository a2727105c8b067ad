using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Tidings.Data;
using Tidings.Data.Auditing;
using Tidings.Tests.Infrastructure;

namespace Tidings.Tests.Data;

/// <summary>
/// Audit entries of no business (platform scopes opened before there was one) lived in audit_logs with a null
/// business_id, which a database distributed by business cannot hold. The PlatformAuditLogs migration moves them,
/// whole, to platform_audit_logs and leaves every business's entries where they were; new ones are written there.
/// </summary>
public abstract class PlatformAuditLogsMigrationTests(TestDatabase database)
{
    private static async Task InsertOldEntryAsync(DbConnection connection, DatabaseProvider provider, Guid id, Guid? businessId, string recordId)
    {
        await using var command = connection.CreateCommand();
        var (uuid, json) = provider == DatabaseProvider.Postgres ? ("::uuid", "::jsonb") : ("", "");
        command.CommandText = $"""
            INSERT INTO audit_logs (id, business_id, actor_name, table_name, record_id, action, new_values, ip_address, user_agent, created_at)
            VALUES (@id{uuid}, @business{uuid}, 'platform:signup', 'platform', @record, 'PLATFORM_SCOPE', @values{json}, '203.0.113.9', 'old agent', @at)
            """;
        void Add(string name, object? value)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }
        // SQLite keeps ids as upper-case text, as EF writes them there.
        Add("id", provider == DatabaseProvider.Sqlite ? id.ToString().ToUpperInvariant() : id.ToString());
        Add("business", businessId is { } b ? (provider == DatabaseProvider.Sqlite ? b.ToString().ToUpperInvariant() : b.ToString()) : null);
        Add("record", recordId);
        Add("values", """{"note":"kept whole"}""");
        Add("at", new DateTime(2026, 11, 30, 12, 0, 0, DateTimeKind.Utc));
        await command.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task Migrating_moves_the_entries_of_no_business_whole_and_keeps_every_business_entry()
    {
        var business = await database.NewBusinessAsync();
        var platformEntry = Guid.CreateVersion7();
        var businessEntry = Guid.CreateVersion7();
        int businessEntries;
        await using (var before = business.Context())
            businessEntries = await before.AuditLogs.CountAsync();
        Assert.NotEqual(0, businessEntries);

        await database.ReapplyMigrationAsync("_PlatformAuditLogs", async connection =>
        {
            await InsertOldEntryAsync(connection, database.Provider, platformEntry, null, "old-signup-scope");
            await InsertOldEntryAsync(connection, database.Provider, businessEntry, business.Id, "old-business-scope");
        });

        await using var check = database.Context(businessId: null);
        using (await check.BeginPlatformScopeAsync("check the move"))
        {
            var moved = await check.AcrossBusinesses<PlatformAuditLog>().SingleAsync(l => l.Id == platformEntry);
            Assert.Equal(("platform:signup", "platform", "old-signup-scope", AuditActions.PlatformScope), (moved.ActorName, moved.TableName, moved.RecordId, moved.Action));
            Assert.Equal(("203.0.113.9", "old agent"), (moved.IpAddress, moved.UserAgent));
            Assert.Contains("kept whole", moved.NewValues);
            Assert.Equal(new DateTime(2026, 11, 30, 12, 0, 0, DateTimeKind.Utc), moved.CreatedAt);
            Assert.False(await check.AcrossBusinesses<AuditLog>().AnyAsync(l => l.Id == platformEntry));
        }
        await using var mine = business.Context();
        // Re-applying the later migrations also gave the business its default categories, audited (DefaultTaxonomyMigrationTests).
        Assert.Equal(businessEntries + 1, await mine.AuditLogs.CountAsync(l => l.TableName != "categories"));
        Assert.Equal("old-business-scope", (await mine.AuditLogs.SingleAsync(l => l.Id == businessEntry)).RecordId);
    }

    [Fact]
    public async Task Both_audit_tables_refuse_updates_and_deletes_from_the_database_itself()
    {
        await using var db = database.Context(businessId: null);
        // Opening the scope writes its entry, the row the statements below try to change.
        using (await db.BeginPlatformScopeAsync("append-only check"))
        {
        }
        await using var connection = database.OpenBypassConnection();
        foreach (var statement in new[] { "UPDATE platform_audit_logs SET actor_name = 'someone else'", "DELETE FROM platform_audit_logs" })
        {
            await using var command = connection.CreateCommand();
            command.CommandText = statement;
            await Assert.ThrowsAnyAsync<DbException>(() => command.ExecuteNonQueryAsync());
        }
        await using var count = connection.CreateCommand();
        count.CommandText = "SELECT count(*) FROM platform_audit_logs WHERE record_id = 'append-only check'";
        Assert.Equal(1L, Convert.ToInt64(await count.ExecuteScalarAsync()));
    }
}

public sealed class PlatformAuditLogsMigrationTests_Sqlite(SqliteDatabase database)
    : PlatformAuditLogsMigrationTests(database), IClassFixture<SqliteDatabase>;

public sealed class PlatformAuditLogsMigrationTests_Postgres(PostgresDatabase database)
    : PlatformAuditLogsMigrationTests(database), IClassFixture<PostgresDatabase>;
