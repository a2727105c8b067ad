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
        var target = new TargetOptions();
        var adminEmail = AdminEmail();
        var import = new Command("import", "Bring the old data into the configured database (Database:Provider, ConnectionStrings:Tidings), into an existing business " +
                                           "(--business-id or --business-slug) or a new one (--create-business). Re-running it into the same business writes nothing twice.");
        import.Arguments.Add(source);
        target.AddTo(import);
        import.Options.Add(adminEmail);
        import.SetAction((result, ct) => TidingsCli.ReportingFailuresAsync(() =>
        {
            // Before the host is built or the embedded database prepared: a refused flag changes nothing.
            var business = target.From(result);
            return TidingsCli.WithServicesAsync(async (services, token) =>
            {
                var settings = services.GetRequiredService<DatabaseSettings>();
                // The embedded default prepares itself, as `serve` does; PostgreSQL is migrated by its owner.
                if (settings.Provider == DatabaseProvider.Sqlite)
                    await DatabaseCommands.MigrateAsync(settings, token);
                var path = result.GetValue(source)!.FullName;
                var report = await WithProgressAsync(progress => LegacyImport.RunAsync(
                    new LegacyImportOptions(path, business, result.GetValue(adminEmail)), settings, TimeProvider.System, progress, token));
                var exitCode = await FinishAsync(report, ReportPath(path, "import"), token);
                if (exitCode == TidingsCli.Ok && report.BusinessCreated)
                    Console.WriteLine($"To import into this business again: --business-id {report.BusinessId} (or --business-slug {report.BusinessSlug}).");
                return exitCode;
            }, ct);
        }));
        return import;
    }

    private static Command MigrateInPlace()
    {
        var database = OldDatabase("The old app's SQLite file, changed in place (keep a copy, or `legacy export` it first).");
        var create = new Option<string>("--create-business")
        {
            HelpName = "NAME",
            Description = "The name of the business the migration creates in the file (default: the file's name). A re-run continues that business.",
        };
        var refused = RefusedBusinessName();
        var adminEmail = AdminEmail();
        var command = new Command("migrate-in-place", "Rename the old tables to *_old, create Tidings' schema beside them, copy and transform, and verify. Safe to re-run.");
        command.Arguments.Add(database);
        command.Options.Add(create);
        command.Options.Add(refused);
        command.Options.Add(adminEmail);
        command.SetAction((result, ct) => TidingsCli.ReportingFailuresAsync(async () =>
        {
            if (result.GetResult(refused) is not null)
                throw new UsageException("--business NAME is no longer accepted: name the business the migration creates with --create-business NAME.");
            var path = result.GetValue(database)!.FullName;
            var report = await WithProgressAsync(progress => LegacyInPlace.MigrateAsync(path, result.GetValue(create), result.GetValue(adminEmail), TimeProvider.System, progress, ct));
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

    /// <summary>The old --business NAME, still parsed so that it is refused in one line rather than as an unknown option.</summary>
    private static Option<string> RefusedBusinessName() => new("--business") { Hidden = true };

    /// <summary>
    /// Where an import goes: exactly one of --business-id, --business-slug (an existing business) or
    /// --create-business (a new one). An existing business is never found by name, which any tenant can take.
    /// </summary>
    private sealed class TargetOptions
    {
        private readonly Option<string> _id = new("--business-id") { HelpName = "ID", Description = "Import into this existing business, by its id (printed when an import created it, and in its report)." };
        private readonly Option<string> _slug = new("--business-slug") { HelpName = "SLUG", Description = "Import into this existing business, by its slug." };
        private readonly Option<string> _create = new("--create-business")
        {
            HelpName = "NAME",
            Description = "Create a business of this name and import into it; refused when a business already has the name or the slug it gives.",
        };
        private readonly Option<string> _refused = RefusedBusinessName();

        public void AddTo(Command command)
        {
            command.Options.Add(_id);
            command.Options.Add(_slug);
            command.Options.Add(_create);
            command.Options.Add(_refused);
        }

        public TargetBusiness From(ParseResult result)
        {
            if (result.GetResult(_refused) is not null)
                throw new UsageException("--business NAME is no longer accepted, since any business can take a name: " +
                                         "use --business-id ID or --business-slug SLUG to import into an existing business, or --create-business NAME to create one.");
            var given = new[] { _id, _slug, _create }.Where(o => result.GetResult(o) is not null).Select(o => o.Name).ToList();
            if (given.Count != 1)
                throw new UsageException("give exactly one of --business-id, --business-slug or --create-business" +
                                         (given.Count == 0 ? "." : $", not {string.Join(" and ", given)}."));
            if (result.GetValue(_create) is { } name)
                return new TargetBusiness.New(name);
            if (result.GetValue(_slug) is { } slug)
                return string.IsNullOrWhiteSpace(slug)
                    ? throw new UsageException("--business-slug: give the slug of an existing business.")
                    : new TargetBusiness.WithSlug(slug.Trim().ToLowerInvariant());
            var id = result.GetValue(_id);
            return Guid.TryParse(id, out var businessId)
                ? new TargetBusiness.WithId(businessId)
                : throw new UsageException($"--business-id \"{id}\": not a business id (a GUID such as {Guid.Empty}).");
        }
    }

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
