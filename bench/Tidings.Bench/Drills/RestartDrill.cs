using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;

namespace Tidings.Bench.Drills;

/// <summary>What a database restart under load did to the answers.</summary>
public sealed record RestartOutcome(long Requests, SortedDictionary<int, long> Statuses, double RestartAtSeconds, double RestartTookSeconds,
    double? FirstFailureSeconds, double? LastFailureSeconds, double RecoverySeconds, long Failed);

/// <summary>
/// Database restart under load: N connections read the feed back to back while PostgreSQL is restarted
/// (pg_ctl restart -m fast) a third of the way in. Every answer is kept with the time it came, so the run tells
/// how many requests failed, what they answered (599: no answer), and how long after the restart began the
/// answers were all 2xx again. The loader is the drill's own (HttpClient, one connection per worker) because
/// wrk reports totals, not when each answer came.
/// </summary>
public static class RestartDrill
{
    public static async Task<RestartOutcome> RunAsync(Uri service, DrillBusiness business, DrillPostgres postgres, int connections, TimeSpan duration, CancellationToken ct)
    {
        var answers = new ConcurrentQueue<(double At, int Status)>();
        var clock = Stopwatch.StartNew();
        var restartAt = duration / 3;
        var workers = Enumerable.Range(0, connections).Select(_ => Task.Run(async () =>
        {
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1 }) { BaseAddress = service, Timeout = TimeSpan.FromSeconds(30) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", business.Token);
            while (clock.Elapsed < duration)
            {
                int status;
                try
                {
                    using var response = await http.GetAsync("/api/events", HttpCompletionOption.ResponseContentRead, ct);
                    status = (int)response.StatusCode;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
                {
                    status = 599;
                }
                answers.Enqueue((clock.Elapsed.TotalSeconds, status));
                if (status >= 500)
                    await Task.Delay(10, ct);
            }
        }, ct)).ToList();
        await Task.Delay(restartAt, ct);
        var restartStarted = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"Restart: pg_ctl restart -m fast at {restartStarted:0.0} s under load...");
        var took = await postgres.RestartAsync(ct);
        await Task.WhenAll(workers);

        var all = answers.ToList();
        var statuses = new SortedDictionary<int, long>();
        foreach (var (_, status) in all)
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
        var failures = all.Where(a => a.Status is < 200 or >= 300).Select(a => a.At).ToList();
        double? first = failures.Count > 0 ? failures.Min() : null;
        double? last = failures.Count > 0 ? failures.Max() : null;
        return new RestartOutcome(all.Count, statuses, restartStarted, took.TotalSeconds, first, last,
            last is { } l ? Math.Max(0, l - restartStarted) : 0, failures.Count);
    }
}
