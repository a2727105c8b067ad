using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace Tidings.Bench.Writes;

/// <summary>
/// A fixed list of operations drained by N workers, each operation timed: percentiles are per operation,
/// throughput is operations over the wall-clock time of the whole list. The first failure stops every
/// worker and is the one reported.
/// </summary>
public static class ConcurrentRun
{
    public static async Task<Latency> MeasureAsync(int count, int workers, Func<int, int, CancellationToken, Task> operation, CancellationToken ct)
    {
        var samples = new double[count];
        var next = -1;
        Exception? failure = null;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var total = Stopwatch.StartNew();
        var running = Enumerable.Range(0, workers).Select(worker => Task.Run(async () =>
        {
            try
            {
                for (int i; (i = Interlocked.Increment(ref next)) < count && !stop.IsCancellationRequested;)
                {
                    var one = Stopwatch.StartNew();
                    await operation(worker, i, stop.Token);
                    samples[i] = one.Elapsed.TotalMilliseconds;
                }
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref failure, e, null);
                await stop.CancelAsync();
            }
        }, CancellationToken.None)).ToList();
        await Task.WhenAll(running);
        var elapsed = total.Elapsed;
        if (failure is not null)
            ExceptionDispatchInfo.Throw(failure);
        ct.ThrowIfCancellationRequested();
        return Of(samples, elapsed);
    }

    /// <summary>Percentiles of <paramref name="samples"/> (ms) and their count over <paramref name="elapsed"/> as the rate.</summary>
    public static Latency Of(IReadOnlyCollection<double> samples, TimeSpan elapsed)
    {
        var sorted = samples.Order().ToList();
        return new Latency(sorted.Count, Latency.Percentile(sorted, 0.50), Latency.Percentile(sorted, 0.95), Latency.Percentile(sorted, 0.99),
            sorted.Average(), sorted.Count / elapsed.TotalSeconds);
    }
}
