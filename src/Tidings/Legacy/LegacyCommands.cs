using System.CommandLine;
using Spectre.Console;
using Tidings.Data;

namespace Tidings.Legacy;

/// <summary>`tidings legacy ...`: bringing the old single-tenant database over.</summary>
public static class LegacyCommands
{
    public static Command Create()
    {
        var legacy = new Command("legacy", "The old single-tenant database: export, import, or migrate in place (then verify, finalize or roll back).");
        legacy.Subcommands.Add(Export());
        legacy.Subcommands.Add(Import());
        legacy.Subcommands.Add(MigrateInPlace());
        legacy.Subcommands.Add(Verify());
        legacy.Subcommands.Add(Finalize());
        legacy.Subcommands.Add(Rollback());
        return legacy;
    }

    private static Command Export()
    {
        var database = OldDatabase("The old app's SQLite file (opened read-only).");
        var output = new Option<FileInfo>("--output", "-o") { Description = "Where to write the JSON backup.", Required = true };
        var export = new Command("export", "Write a complete JSON backup of the old database: every row of every table, values as stored.");
        export.Arguments.Add(database);
        export.Options.Add(output);
        export.SetAction((result, ct) => TidingsCli.ReportingFailuresAsync(async () =>
        {
            var counts = await LegacyBackup.ExportAsync(result.GetValue(database)!.FullName, result.GetValue(output)!.FullName, TimeProvider.System, ct);
            foreach (var count in counts)
                Console.WriteLine($"{count.Table}: {count.Rows} row(s)");
            Console.WriteLine($"Wrote {result.GetValue(output)!.FullName}");
            return TidingsCli.Ok;
        }));
        return export;
    }

    private static Command Import()
    {
        var source = new Argument<FileInfo>("old.db|backup.json") { Description = "The old app's SQLite file, or a JSON backup written by `legacy export`." };
        var business = new Option<string>("--business") { Description = "The business to import into; created when no business has this name.", Required = true };
        var adminEmail = AdminEmail();
        var import = new Command("import", "Bring the old data into the configured database (Database:Provider, ConnectionStrings:Tidings). Re-running it writes nothing twice.");
        import.Arguments.Add(source);
        import.Options.Add(business);
        import.Options.Add(adminEmail);
        import.SetAction((result, ct) => TidingsCli.WithServicesAsync(async (services, token) =>
        {
            var settings = services.GetRequiredService<DatabaseSettings>();
            // The embedded default prepares itself, as `serve` does; PostgreSQL is migrated by its owner.
            if (settings.Provider == DatabaseProvider.Sqlite)
                await DatabaseCommands.MigrateAsync(settings, token);
            var path = result.GetValue(source)!.FullName;
            var report = await WithProgressAsync(progress => LegacyImport.RunAsync(
                new LegacyImportOptions(path, result.GetValue(business)!, result.GetValue(adminEmail)), settings, TimeProvider.System, progress, token));
            return await FinishAsync(report, ReportPath(path, "import"), token);
        }, ct));
        return import;
    }

    private static Command MigrateInPlace()
    {
        var database = OldDatabase("The old app's SQLite file, changed in place (keep a copy, or `legacy export` it first).");
        var business = new Option<string>("--business") { Description = "The business's name (default: the file's name)." };
        var adminEmail = AdminEmail();
        var command = new Command("migrate-in-place", "Rename the old tables to *_old, create Tidings' schema beside them, copy and transform, and verify. Safe to re-run.");
        command.Arguments.Add(database);
        command.Options.Add(business);
        command.Options.Add(adminEmail);
        command.SetAction((result, ct) => TidingsCli.ReportingFailuresAsync(async () =>
        {
            var path = result.GetValue(database)!.FullName;
            var report = await WithProgressAsync(progress => LegacyInPlace.MigrateAsync(path, result.GetValue(business), result.GetValue(adminEmail), TimeProvider.System, progress, ct));
            return await FinishAsync(report, ReportPath(path, "migrate"), ct);
        }));
        return command;
    }

    private static Command Verify()
    {
        var database = OldDatabase("A file migrated in place.");
        var command = new Command("verify", "Re-check the old tables against the new ones: counts and checksums of every carried field.");
        command.Arguments.Add(database);
        command.SetAction((result, ct) => TidingsCli.ReportingFailuresAsync(async () =>
        {
            var verification = await WithProgressAsync(progress => LegacyInPlace.VerifyAsync(result.GetValue(database)!.FullName, TimeProvider.System, progress, ct));
            foreach (var line in verification.Lines())
                Console.WriteLine(line);
            return Verdict(verification, "verification failed: the old and new tables differ (see above).");
        }));
        return command;
    }

    private static Command Finalize()
    {
        var database = OldDatabase("A file migrated in place and verified.");
        var command = new Command("finalize", "Verify once more and, only if that passes, drop the old tables. There is no rollback after this.");
        command.Arguments.Add(database);
        command.SetAction((result, ct) => TidingsCli.ReportingFailuresAsync(async () =>
        {
            var verification = await LegacyInPlace.FinalizeAsync(result.GetValue(database)!.FullName, TimeProvider.System, ct);
            if (verification.Passed)
                Console.WriteLine("Verified and finalized: the old tables are dropped; the file is a Tidings database.");
            return Verdict(verification, "verification failed: the old tables are kept; run `tidings legacy verify` to see what differs.");
        }));
        return command;
    }

    private static Command Rollback()
    {
        var database = OldDatabase("A file migrated in place, not finalized.");
        var command = new Command("rollback", "Return the file to exactly its old state: the old tables, rows and sequences, and nothing of Tidings.");
        command.Arguments.Add(database);
        command.SetAction((result, ct) => TidingsCli.ReportingFailuresAsync(async () =>
        {
            await LegacyInPlace.RollbackAsync(result.GetValue(database)!.FullName, ct);
            Console.WriteLine("Rolled back: the file holds the old app's tables as they were.");
            return TidingsCli.Ok;
        }));
        return command;
    }

    private static Argument<FileInfo> OldDatabase(string description) => new("old.db") { Description = description };

    private static Option<string> AdminEmail() => new("--admin-email")
    {
        Description = "The old user who becomes the business's owner and gets the read/starred flags of clients without an owner (default: the first active old user).",
    };

    private static string ReportPath(string input, string what) =>
        Path.Combine(Path.GetDirectoryName(input)!, $"{Path.GetFileNameWithoutExtension(input)}.{what}-report.json");

    private static async Task<int> FinishAsync(LegacyImportReport report, string reportPath, CancellationToken ct)
    {
        await report.WriteAsync(reportPath, ct);
        foreach (var line in report.Lines())
            Console.WriteLine(line);
        Console.WriteLine($"Report: {reportPath}");
        return report.Verification!.Passed
            ? TidingsCli.Ok
            : Verdict(report.Verification, $"verification failed, so nothing was written; see {reportPath}.");
    }

    private static int Verdict(Verification verification, string failure)
    {
        if (verification.Passed)
            return TidingsCli.Ok;
        Console.Error.WriteLine($"tidings: {failure}");
        return TidingsCli.Failed;
    }

    /// <summary>A progress bar on a terminal; plain lines (one per tenth of the work) when output is redirected.</summary>
    private static async Task<T> WithProgressAsync<T>(Func<IProgress<LegacyProgress>, Task<T>> work)
    {
        if (Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive)
            return await work(new PlainLines());
        T result = default!;
        await AnsiConsole.Progress().AutoClear(true).StartAsync(async context =>
            result = await work(new Bars(context)));
        return result;
    }

    private sealed class PlainLines : IProgress<LegacyProgress>
    {
        private readonly Dictionary<string, long> _shown = [];

        public void Report(LegacyProgress value)
        {
            var tenth = value.Total == 0 ? 10 : value.Done * 10 / value.Total;
            if (_shown.TryGetValue(value.Stage, out var shown) && shown >= tenth)
                return;
            _shown[value.Stage] = tenth;
            Console.WriteLine($"{value.Stage}: {value.Done} of {value.Total}");
        }
    }

    private sealed class Bars(ProgressContext context) : IProgress<LegacyProgress>
    {
        private readonly Dictionary<string, ProgressTask> _tasks = [];

        public void Report(LegacyProgress value)
        {
            if (!_tasks.TryGetValue(value.Stage, out var task))
                _tasks[value.Stage] = task = context.AddTask(value.Stage, maxValue: Math.Max(1, value.Total));
            task.Value = value.Done;
        }
    }
}
