using System.CommandLine;
using System.Data.Common;
using Tidings.Data;

namespace Tidings.Bench;

/// <summary>
/// A database server to run a scenario against: SQLite needs none, PostgreSQL the server's connection string, Citus its
/// coordinator's (PostgreSQL to Tidings, with every table distributed once the data is in).
/// </summary>
public sealed record BenchTarget(DatabaseProvider Provider, string? ServerConnectionString, bool Citus = false)
{
    public string Name => Citus ? "citus" : Provider.ToString().ToLowerInvariant();
}

public sealed record ScenarioSettings(IReadOnlyList<BenchTarget> Targets, int Events, int Businesses, bool Quick, string ResultsDirectory, bool Keep = false)
{
    /// <summary>How long a latency is measured back to back (Latency.MeasureAsync), and at least how many runs.</summary>
    public TimeSpan MeasureFor => Quick ? TimeSpan.FromSeconds(0.2) : TimeSpan.FromSeconds(3);

    public int MinRuns => Quick ? 5 : 30;

    /// <summary>
    /// How long a fresh process runs its measured operations unmeasured first: .NET's tiered JIT runs new code
    /// unoptimised and recompiles the hot part over the first seconds, so without it the first thing measured
    /// pays for the compiler and the last does not.
    /// </summary>
    public TimeSpan WarmUpFor => Quick ? TimeSpan.FromSeconds(0.2) : TimeSpan.FromSeconds(10);
}

/// <summary>
/// The options every scenario takes; each scenario chooses its own full and --quick sizes, and whether it runs on Citus
/// (<paramref name="citusRefused"/>: why not, in a few words, when it does not).
/// </summary>
public sealed class ScenarioOptions(int defaultEvents, int quickEvents, string? citusRefused = null)
{
    public const string PostgresVariable = "TIDINGS_BENCH_POSTGRES";
    public const string CitusVariable = "TIDINGS_BENCH_CITUS";

    private readonly Option<string?> _provider = new Option<string?>("--provider")
    {
        Description = $"Run against this provider only. Default: sqlite, and postgres too when --connection or {PostgresVariable} is set; citus only when asked for.",
    }.AcceptOnlyFromAmong("sqlite", "postgres", "citus");

    private readonly Option<string?> _connection = new("--connection")
    {
        Description = $"PostgreSQL server, or with --provider citus a Citus coordinator, as a superuser (default: {PostgresVariable}, or {CitusVariable}). " +
            "Each run creates a database of its own there and drops it afterwards.",
    };

    private readonly Option<int?> _events = new("--events") { Description = $"How many events (default {defaultEvents:N0})." };
    private readonly Option<int> _businesses = new("--businesses")
    {
        Description = "How many businesses share the database (generated data; default 100).",
        DefaultValueFactory = _ => 100,
    };
    private readonly Option<bool> _quick = new("--quick") { Description = $"A short run: {quickEvents:N0} events." };
    private readonly Option<bool> _keep = new("--keep")
    {
        Description = "Keep each run's database afterwards (its name or path is printed), to look at its plans by hand.",
    };
    private readonly Option<DirectoryInfo?> _results = new("--results") { Description = "Where result files go (default: bench/results of this repository)." };

    /// <summary>Adds the options to a scenario's command and runs <paramref name="run"/> with what they say; expected failures become one line and exit code 1.</summary>
    public void AddTo(Command command, Func<ScenarioSettings, CancellationToken, Task> run) => AddTo(command, (settings, _, ct) => run(settings, ct));

    /// <summary>The same, for a scenario with options of its own, read from the parse result.</summary>
    public void AddTo(Command command, Func<ScenarioSettings, ParseResult, CancellationToken, Task> run)
    {
        command.Options.Add(_provider);
        command.Options.Add(_connection);
        command.Options.Add(_events);
        command.Options.Add(_businesses);
        command.Options.Add(_quick);
        command.Options.Add(_results);
        command.Options.Add(_keep);
        command.SetAction(async (result, ct) =>
        {
            try
            {
                await run(Read(result, command.Name), result, ct);
                return 0;
            }
            catch (Exception e) when (e is BenchFailedException or VerbFailedException or DbException)
            {
                await Console.Error.WriteLineAsync($"{command.Name}: {e.Message.ReplaceLineEndings(" ")}");
                return 1;
            }
        });
    }

    private ScenarioSettings Read(ParseResult result, string scenario)
    {
        var provider = result.GetValue(_provider);
        if (provider == "citus" && citusRefused is not null)
            throw new BenchFailedException($"--provider citus: {scenario} does not run on Citus ({citusRefused}); feed and scale do.");
        var server = result.GetValue(_connection) ?? Environment.GetEnvironmentVariable(provider == "citus" ? CitusVariable : PostgresVariable);
        server = string.IsNullOrWhiteSpace(server) ? null : server;
        BenchTarget[] targets = provider switch
        {
            "sqlite" => [new(DatabaseProvider.Sqlite, null)],
            "postgres" => [new(DatabaseProvider.Postgres, server ?? throw new BenchFailedException($"--provider postgres needs --connection or {PostgresVariable}."))],
            "citus" => [new(DatabaseProvider.Postgres, server ?? throw new BenchFailedException($"--provider citus needs --connection or {CitusVariable} (a coordinator's superuser)."), Citus: true)],
            _ when server is not null => [new(DatabaseProvider.Sqlite, null), new(DatabaseProvider.Postgres, server)],
            _ => [new(DatabaseProvider.Sqlite, null)],
        };
        var events = result.GetValue(_events) ?? (result.GetValue(_quick) ? quickEvents : defaultEvents);
        if (events <= 0)
            throw new BenchFailedException("--events must be positive.");
        var businesses = result.GetValue(_businesses);
        if (businesses <= 0)
            throw new BenchFailedException("--businesses must be positive.");
        var results = result.GetValue(_results)?.FullName ?? DefaultResultsDirectory();
        return new ScenarioSettings(targets, events, businesses, result.GetValue(_quick), results, result.GetValue(_keep));
    }

    /// <summary>bench/results of the repository the command runs in, found upwards from the current directory.</summary>
    public static string DefaultResultsDirectory()
    {
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Tidings.slnx")))
                return Path.Combine(dir.FullName, "bench", "results");
        }
        return Path.Combine(Environment.CurrentDirectory, "bench-results");
    }
}

/// <summary>An expected failure of a run (bad options, unreachable server), reported as one line.</summary>
public sealed class BenchFailedException(string message) : Exception(message);
