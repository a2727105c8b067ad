using System.Diagnostics;

namespace Tidings.Bench;

public readonly record struct Timed<T>(T Value, TimeSpan Elapsed);

/// <summary>Wall-clock time and peak memory of one piece of work.</summary>
public static class Measurement
{
    public static async Task<Timed<T>> TimeAsync<T>(Func<Task<T>> work)
    {
        var stopwatch = Stopwatch.StartNew();
        var value = await work();
        return new Timed<T>(value, stopwatch.Elapsed);
    }

    public static Timed<T> Time<T>(Func<T> work)
    {
        var stopwatch = Stopwatch.StartNew();
        var value = work();
        return new Timed<T>(value, stopwatch.Elapsed);
    }

    /// <summary>
    /// Starts a new peak, so each measured piece of work reports its own rather than the largest so far in
    /// the process. Only Linux can do this (writing 5 to clear_refs resets VmHWM); elsewhere, or where the
    /// kernel refuses, the peak stays the process-wide one.
    /// </summary>
    public static void ResetPeakWorkingSet()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    public static long PeakWorkingSetBytes()
    {
        using var process = Process.GetCurrentProcess();
        return process.PeakWorkingSet64;
    }
}

/// <summary>Latency percentiles of many runs of one operation, and the throughput of running it back to back.</summary>
public sealed record Latency(int Runs, double P50Ms, double P95Ms, double P99Ms, double MeanMs, double PerSecond)
{
    /// <summary>
    /// Runs <paramref name="operation"/> a few times unmeasured (caches, prepared statements, JIT), then back to
    /// back until <paramref name="budget"/> has passed and at least <paramref name="minRuns"/> ran, one Stopwatch per run.
    /// </summary>
    public static async Task<Latency> MeasureAsync(Func<Task> operation, TimeSpan budget, int minRuns = 20, int warmup = 5) =>
        (await MeasureInTurnAsync([operation], budget, minRuns, warmup))[0];

    /// <summary>
    /// Runs the <paramref name="operations"/> in turn, one run of each per round (each round starting with
    /// the next one), until every one has run at least <paramref name="minRuns"/> times and the rounds have
    /// taken <paramref name="budget"/> per operation; after <paramref name="warmup"/> unmeasured rounds. Ways
    /// compared with each other are measured this way: on a shared machine a burst of load then hits all of
    /// them alike instead of whichever happened to be running, so their ratio holds.
    /// </summary>
    public static async Task<IReadOnlyList<Latency>> MeasureInTurnAsync(IReadOnlyList<Func<Task>> operations, TimeSpan budget, int minRuns = 20, int warmup = 5)
    {
        for (var i = 0; i < warmup; i++)
            foreach (var operation in operations)
                await operation();
        var samples = operations.Select(_ => new List<double>()).ToList();
        var total = Stopwatch.StartNew();
        for (var round = 0; samples[0].Count < minRuns || total.Elapsed < budget * operations.Count; round++)
        {
            for (var k = 0; k < operations.Count; k++)
            {
                var which = (round + k) % operations.Count;
                var one = Stopwatch.StartNew();
                await operations[which]();
                samples[which].Add(one.Elapsed.TotalMilliseconds);
            }
        }
        return samples.Select(list =>
        {
            var busy = list.Sum() / 1000;
            list.Sort();
            return new Latency(list.Count, Percentile(list, 0.50), Percentile(list, 0.95), Percentile(list, 0.99), list.Average(), list.Count / busy);
        }).ToList();
    }

    /// <summary>Nearest-rank percentile of sorted samples.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double p) =>
        sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    public IEnumerable<Figure> Figures(string name) =>
    [
        new($"{name}: p50", P50Ms, "ms"),
        new($"{name}: p95", P95Ms, "ms"),
        new($"{name}: p99", P99Ms, "ms"),
        new($"{name}: throughput", PerSecond, "per s"),
    ];
}
