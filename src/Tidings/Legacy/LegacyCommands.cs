using System.CommandLine;

namespace Tidings.Legacy;

/// <summary>`tidings legacy ...`: bringing the old single-tenant database over.</summary>
public static class LegacyCommands
{
    public static Command Create()
    {
        var database = new Argument<FileInfo>("old.db") { Description = "The old app's SQLite file (opened read-only)." };
        var output = new Option<FileInfo>("--output", "-o") { Description = "Where to write the JSON backup.", Required = true };
        var export = new Command("export", "Write a complete JSON backup of the old database: every row of every table, values as stored.");
        export.Arguments.Add(database);
        export.Options.Add(output);
        export.SetAction(async (result, ct) =>
        {
            try
            {
                var counts = await LegacyBackup.ExportAsync(result.GetValue(database)!.FullName, result.GetValue(output)!.FullName, TimeProvider.System, ct);
                foreach (var count in counts)
                    Console.WriteLine($"{count.Table}: {count.Rows} row(s)");
                Console.WriteLine($"Wrote {result.GetValue(output)!.FullName}");
                return TidingsCli.Ok;
            }
            catch (Exception e) when (e is VerbFailedException or IOException or UnauthorizedAccessException)
            {
                await Console.Error.WriteLineAsync($"tidings: {e.Message}");
                return TidingsCli.Failed;
            }
        });

        var legacy = new Command("legacy", "The old single-tenant database: export.");
        legacy.Subcommands.Add(export);
        return legacy;
    }
}
