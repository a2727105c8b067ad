using System.CommandLine;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Tidings.Data.Auditing;
using Tidings.Data.Postgres;
using Tidings.Data.Tenancy;

namespace Tidings.Data;

/// <summary>`tidings db migrate`, `tidings db status` and `tidings db distribute`.</summary>
public static class DatabaseCommands
{
    public static Command Create()
    {
        var migrate = new Command("migrate", "Apply pending migrations to the configured database (as ConnectionStrings:TidingsOwner when set).");
        migrate.SetAction((_, ct) => TidingsCli.WithServicesAsync(async (services, token) =>
        {
            var settings = services.GetRequiredService<DatabaseSettings>();
            var applied = await MigrateAsync(settings, token);
            Console.WriteLine(applied.Count == 0
                ? $"Database is up to date ({settings.Provider})."
                : $"Applied {applied.Count} migration(s) to {settings.Provider}: {string.Join(", ", applied)}");
            if (settings.Provider == DatabaseProvider.Postgres
                && await CitusDistribution.UnplacedAsync(settings.MigrationConnectionString, token) is { Count: > 0 } unplaced)
                Console.WriteLine($"Citus: {unplaced.Count} table(s) not yet placed ({string.Join(", ", unplaced)}): run `tidings db distribute`.");
            return TidingsCli.Ok;
        }, ct));

        var status = new Command("status", "List applied and pending migrations of the configured database.");
        status.SetAction((_, ct) => TidingsCli.WithServicesAsync(async (services, token) =>
        {
            var db = services.GetRequiredService<TidingsDbContext>();
            var applied = (await db.Database.GetAppliedMigrationsAsync(token)).ToHashSet();
            foreach (var migration in db.Database.GetMigrations())
                Console.WriteLine($"{(applied.Contains(migration) ? "applied" : "pending")}  {migration}");
            var pending = db.Database.GetMigrations().Count(m => !applied.Contains(m));
            Console.WriteLine(pending == 0 ? "Up to date." : $"{pending} pending: run `tidings db migrate`.");
            return TidingsCli.Ok;
        }, ct));

        var distribute = new Command("distribute",
            "On a Citus coordinator, place every table as Data/Postgres/CitusPlacement.cs says (reference, or distributed by business_id), in one transaction, as the owner.");
        distribute.SetAction((_, ct) => TidingsCli.WithServicesAsync(async (services, token) =>
        {
            var report = await CitusDistribution.DistributeAsync(services.GetRequiredService<DatabaseSettings>(), token);
            foreach (var line in report.Lines)
                Console.WriteLine(line);
            Console.WriteLine(report.Placed == 0
                ? "Nothing to do: every table is already placed as CitusPlacement says."
                : $"Placed {report.Placed} table(s) in {report.Took.TotalSeconds:0.0} s, in one transaction; statistics refreshed.");
            return TidingsCli.Ok;
        }, ct));

        var db = new Command("db", "Database schema: migrate, status, distribute (Citus).");
        db.Subcommands.Add(migrate);
        db.Subcommands.Add(status);
        db.Subcommands.Add(distribute);
        return db;
    }

    /// <summary>
    /// Applies pending migrations as the owner. When the runtime role differs from the owner, grants
    /// it what the application needs and nothing more: no ownership, no UPDATE/DELETE on either audit table.
    /// </summary>
    public static async Task<IReadOnlyList<string>> MigrateAsync(DatabaseSettings settings, CancellationToken ct)
    {
        await using var db = DatabaseSetup.CreateContext(settings, settings.MigrationConnectionString, new CurrentTenant(), new CurrentActor());
        var pending = (await db.Database.GetPendingMigrationsAsync(ct)).ToList();
        await db.Database.MigrateAsync(ct);
        if (settings.Provider == DatabaseProvider.Sqlite)
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct); // readers never wait for the writer
        if (settings.Provider == DatabaseProvider.Postgres && settings.OwnerConnectionString is not null)
        {
            var appRole = DatabaseSetup.UserOf(settings.ConnectionString);
            if (appRole != DatabaseSetup.UserOf(settings.OwnerConnectionString))
                await GrantRuntimePrivilegesAsync(db, appRole, ct);
        }
        // Data the schema change implies, written through the model (tenant by tenant, audited), not as migration SQL;
        // a database made just now holds no business to give it to.
        if (pending.Any(m => m.EndsWith(Categories.DefaultTaxonomy.Migration, StringComparison.Ordinal))
            && pending.Count < db.Database.GetMigrations().Count())
            await Categories.DefaultTaxonomy.GiveBusinessesWithoutOneAsync(settings, ct);
        return pending;
    }

    private static async Task GrantRuntimePrivilegesAsync(TidingsDbContext db, string role, CancellationToken ct)
    {
        var quoted = new NpgsqlCommandBuilder().QuoteIdentifier(role);
        // Role names cannot be parameters; QuoteIdentifier makes the name one safe identifier.
#pragma warning disable EF1002
        await db.Database.ExecuteSqlRawAsync($"""
            GRANT USAGE ON SCHEMA public TO {quoted};
            GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quoted};
            REVOKE UPDATE, DELETE, TRUNCATE ON audit_logs, platform_audit_logs FROM {quoted};
            REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON "__EFMigrationsHistory" FROM {quoted};
            """, ct);
#pragma warning restore EF1002
    }

    /// <summary>For a verb that works on the database (monitor, dispatch): SQLite is migrated on the spot, PostgreSQL must be already.</summary>
    public static async Task RequireMigratedAsync(IServiceProvider services, CancellationToken ct)
    {
        var settings = services.GetRequiredService<DatabaseSettings>();
        if (settings.Provider == DatabaseProvider.Sqlite)
        {
            await DatabaseCommands.MigrateAsync(settings, ct);
            return;
        }
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TidingsDbContext>();
        if ((await db.Database.GetPendingMigrationsAsync(ct)).Any())
            throw new VerbFailedException("the database has pending migrations: run `tidings db migrate` first.");
    }
}
