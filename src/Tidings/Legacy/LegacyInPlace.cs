using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Tidings.Data;
using Tidings.Data.Tenancy;
using Tidings.Data.Auditing;

namespace Tidings.Legacy;

/// <summary>
/// The phased move, on the old SQLite file itself. The old tables are renamed to *_old (their original
/// definitions, sequences and journal mode recorded in legacy_migration_state first, in the same
/// transaction), Tidings' schema is created beside them, and the shared import fills it. Every step can
/// be re-run after a kill; rollback rebuilds the old tables from their recorded definitions until
/// finalize drops them, which it does only after a passing verification.
/// </summary>
public static class LegacyInPlace
{
    private const string StateTable = "legacy_migration_state";
    private static readonly string[] OldTables = ["users", "clients", "events"];

    /// <param name="newBusinessName">Names the business the first run creates in the file (default: the file's name); later runs continue that one.</param>
    public static async Task<LegacyImportReport> MigrateAsync(string path, string? newBusinessName, string? adminEmail, TimeProvider clock, IProgress<LegacyProgress>? progress, CancellationToken ct)
    {
        await using (var connection = await OpenAsync(path, ct))
        {
            var state = await StateAsync(connection, ct);
            if (state == "finalized")
                throw new VerbFailedException($"{path}: already migrated and finalized.");
            if (state is null)
                await RenameOldTablesAsync(connection, path, ct);
        }
        var settings = Settings(path);
        await DatabaseCommands.MigrateAsync(settings, ct);
        await using var source = new LegacySource(await OpenAsync(path, ct), "_old", Path.GetFileName(path));
        await using var db = DatabaseSetup.CreateContext(settings, settings.ConnectionString, new CurrentTenant(), new CurrentActor(), clock);
        var target = await TargetAsync(db, path, newBusinessName, ct);
        var report = await LegacyImport.ImportAsync(db, source, target, adminEmail, clock, progress, ct);
        report.Tool = "tidings legacy migrate-in-place";
        report.Target = $"{Path.GetFileName(path)} (in place)";
        return report;
    }

    public static async Task<Verification> VerifyAsync(string path, TimeProvider clock, IProgress<LegacyProgress>? progress, CancellationToken ct)
    {
        await using (var connection = await OpenAsync(path, ct))
        {
            var state = await StateAsync(connection, ct);
            if (state != "renamed")
                throw new VerbFailedException(state == "finalized"
                    ? $"{path}: finalized; the old tables are gone, there is nothing left to verify against."
                    : $"{path}: not migrated in place; run `tidings legacy migrate-in-place` first.");
        }
        var settings = Settings(path);
        await using var source = new LegacySource(await OpenAsync(path, ct), "_old", Path.GetFileName(path));
        await using var db = DatabaseSetup.CreateContext(settings, settings.ConnectionString, new CurrentTenant(), new CurrentActor(), clock);
        var businesses = await db.Database.SqlQueryRaw<Guid>("SELECT id AS \"Value\" FROM businesses").ToListAsync(ct);
        if (businesses.Count != 1)
            throw new VerbFailedException($"{path}: expected the one business of the migration, found {businesses.Count}; run `tidings legacy migrate-in-place` to complete it.");
        db.Tenant.Set(businesses[0]);
        return await LegacyVerification.RunAsync(db, source, progress, ct);
    }

    /// <summary>Drops the old tables, only when a verification run now passes.</summary>
    public static async Task<Verification> FinalizeAsync(string path, TimeProvider clock, CancellationToken ct)
    {
        var verification = await VerifyAsync(path, clock, null, ct);
        if (!verification.Passed)
            return verification;
        await using var connection = await OpenAsync(path, ct);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(ct);
        foreach (var table in OldTables)
            await ExecuteAsync(connection, transaction, $"DROP TABLE \"{table}_old\"", ct);
        await ExecuteAsync(connection, transaction, $"UPDATE {StateTable} SET value = 'finalized' WHERE key = 'state'", ct);
        await transaction.CommitAsync(ct);
        await ExecuteAsync(connection, null, "VACUUM", ct);
        return verification;
    }

    /// <summary>Returns the file to the old app's tables exactly: definitions, rows, sequences and journal mode.</summary>
    public static async Task RollbackAsync(string path, CancellationToken ct)
    {
        await using var connection = await OpenAsync(path, ct);
        var state = await StateAsync(connection, ct);
        if (state != "renamed")
            throw new VerbFailedException(state == "finalized"
                ? $"{path}: finalized; the old tables were dropped and cannot be brought back from this file."
                : $"{path}: not migrated in place; nothing to roll back.");
        var journalMode = await ScalarAsync(connection, null, $"SELECT value FROM {StateTable} WHERE key = 'journal_mode'", ct) as string ?? "delete";
        await using (var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(ct))
        {
            var keep = OldTables.Select(t => t + "_old").Append(StateTable).ToHashSet();
            var created = new List<string>();
            await using (var list = connection.CreateCommand())
            {
                list.Transaction = transaction;
                list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'";
                await using var reader = await list.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct))
                    if (!keep.Contains(reader.GetString(0)))
                        created.Add(reader.GetString(0));
            }
            foreach (var table in created)
                await ExecuteAsync(connection, transaction, $"DROP TABLE \"{table.Replace("\"", "\"\"")}\"", ct);

            var originals = new List<(string Type, string Name, string Sql)>();
            await using (var select = connection.CreateCommand())
            {
                select.Transaction = transaction;
                select.CommandText = $"SELECT substr(key, 1, instr(key, ':') - 1), substr(key, instr(key, ':') + 1), value FROM {StateTable} " +
                                     "WHERE key LIKE 'table:%' OR key LIKE 'index:%' OR key LIKE 'view:%' OR key LIKE 'trigger:%' ORDER BY rowid";
                await using var reader = await select.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct))
                    originals.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
            }
            foreach (var (_, name, sql) in originals.Where(o => o.Type == "table"))
            {
                await ExecuteAsync(connection, transaction, sql, ct);
                await ExecuteAsync(connection, transaction, $"INSERT INTO \"{name}\" SELECT * FROM \"{name}_old\" ORDER BY rowid", ct);
            }
            foreach (var table in OldTables)
                await ExecuteAsync(connection, transaction, $"DROP TABLE \"{table}_old\"", ct);
            foreach (var (_, _, sql) in originals.Where(o => o.Type == "index"))
                await ExecuteAsync(connection, transaction, sql, ct);
            foreach (var (type, name, sql) in originals.Where(o => o.Type is "view" or "trigger"))
            {
                await ExecuteAsync(connection, transaction, $"DROP {type.ToUpperInvariant()} IF EXISTS \"{name.Replace("\"", "\"\"")}\"", ct);
                await ExecuteAsync(connection, transaction, sql, ct);
            }
            await ExecuteAsync(connection, transaction, "DELETE FROM sqlite_sequence", ct);
            await ExecuteAsync(connection, transaction, $"INSERT INTO sqlite_sequence (name, seq) SELECT substr(key, 10), CAST(value AS INTEGER) FROM {StateTable} WHERE key LIKE 'sequence:%'", ct);
            await ExecuteAsync(connection, transaction, $"DROP TABLE {StateTable}", ct);
            await transaction.CommitAsync(ct);
        }
        await ExecuteAsync(connection, null, $"PRAGMA journal_mode = {(IsJournalMode(journalMode) ? journalMode : "delete")}", ct);
        await ExecuteAsync(connection, null, "VACUUM", ct);
    }

    private static bool IsJournalMode(string mode) => mode is "delete" or "truncate" or "persist" or "memory" or "wal" or "off";

    private static async Task RenameOldTablesAsync(SqliteConnection connection, string path, CancellationToken ct)
    {
        foreach (var table in OldTables)
            if (await ScalarAsync(connection, null, $"SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '{table}'", ct) is 0L)
                throw new VerbFailedException($"{path}: no {table} table; is this the old app's database?");
        if (await ScalarAsync(connection, null, "SELECT count(*) FROM sqlite_master WHERE name = '__EFMigrationsHistory'", ct) is not 0L)
            throw new VerbFailedException($"{path}: already holds a Tidings schema.");
        var journalMode = (string)(await ScalarAsync(connection, null, "PRAGMA journal_mode", ct))!;
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(ct);
        await ExecuteAsync(connection, transaction, $"CREATE TABLE {StateTable} (key TEXT PRIMARY KEY, value TEXT)", ct);
        var tables = string.Join(", ", OldTables.Select(t => $"'{t}'"));
        await ExecuteAsync(connection, transaction, $"""
            INSERT INTO {StateTable} (key, value) VALUES ('state', 'renamed'), ('journal_mode', '{journalMode}');
            INSERT INTO {StateTable} (key, value) SELECT type || ':' || name, sql FROM sqlite_master
                WHERE tbl_name IN ({tables}) AND type IN ('table', 'index') AND sql IS NOT NULL ORDER BY type DESC, rowid;
            -- Renaming rewrites views and triggers to name the *_old tables: their original text is what rollback restores.
            INSERT INTO {StateTable} (key, value) SELECT type || ':' || name, sql FROM sqlite_master
                WHERE type IN ('view', 'trigger') AND sql IS NOT NULL ORDER BY type DESC, rowid;
            INSERT INTO {StateTable} (key, value) SELECT 'sequence:' || name, seq FROM sqlite_sequence;
            """, ct);
        foreach (var table in OldTables)
            await ExecuteAsync(connection, transaction, $"ALTER TABLE \"{table}\" RENAME TO \"{table}_old\"", ct);
        await transaction.CommitAsync(ct);
    }

    /// <summary>
    /// The file's one business, by its id, once an earlier run made it: Tidings' schema was created in this file
    /// by the migration, so any business in it is the migration's. Before that, a new one.
    /// </summary>
    private static async Task<TargetBusiness> TargetAsync(TidingsDbContext db, string path, string? newBusinessName, CancellationToken ct)
    {
        var businesses = await db.Database.SqlQueryRaw<BusinessRow>("SELECT id AS \"Id\", name AS \"Name\" FROM businesses").ToListAsync(ct);
        if (businesses.Count > 1)
            throw new VerbFailedException($"{path}: expected at most the one business of the migration, found {businesses.Count}.");
        if (businesses.SingleOrDefault() is not { } existing)
            return new TargetBusiness.New(newBusinessName ?? Path.GetFileNameWithoutExtension(path));
        if (newBusinessName is not null && !string.Equals(newBusinessName.Trim(), existing.Name, StringComparison.OrdinalIgnoreCase))
            throw new VerbFailedException($"--create-business \"{newBusinessName}\": {path} already holds the migration's business \"{existing.Name}\"; run again without --create-business to continue it.");
        return new TargetBusiness.WithId(existing.Id);
    }

    private sealed record BusinessRow(Guid Id, string Name);

    private static async Task<string?> StateAsync(SqliteConnection connection, CancellationToken ct) =>
        await ScalarAsync(connection, null, $"SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '{StateTable}'", ct) is 0L
            ? null
            : await ScalarAsync(connection, null, $"SELECT value FROM {StateTable} WHERE key = 'state'", ct) as string;

    private static DatabaseSettings Settings(string path) =>
        new(DatabaseProvider.Sqlite, new SqliteConnectionStringBuilder { DataSource = path }.ToString(), null);

    private static Task<SqliteConnection> OpenAsync(string path, CancellationToken ct) =>
        LegacyBackup.OpenAsync(path, SqliteOpenMode.ReadWrite, ct);

    private static async Task ExecuteAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task<object?> ScalarAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(ct);
    }
}
