using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Tidings.Bench.Drills;

/// <summary>What one load run measured: rate, latency, and every answer by status (599: no answer at all).</summary>
/// <param name="DatabaseCpuMs">CPU the database's backends spent per request (0 when not measured).</param>
public sealed record LoadFigures(long Requests, double Seconds, double PerSecond, double P50Ms, double P99Ms, SortedDictionary<int, long> Statuses,
    double DatabaseCpuMs = 0)
{
    /// <summary>Answers outside 2xx, and requests that got none (connection, read, write errors and timeouts).</summary>
    public long Errors => Statuses.Where(s => s.Key is < 200 or >= 300).Sum(s => s.Value);
}

/// <summary>
/// wrk (Debian's package) driving the service: N connections on 2 threads for a fixed time, requests made by a Lua
/// script whose response hook counts every answer by status, so a non-2xx answer is counted, not just timed.
/// </summary>
public static class WrkRun
{
    private const string Marker = "DRILL-RESULT ";

    public static void EnsureInstalled()
    {
        var found = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, "wrk")));
        if (!found)
            throw new BenchFailedException("wrk is not installed: apt-get install -y wrk (Debian's package), or run only the drills without load: --only crash hostile.");
    }

    /// <summary>The part every script shares: per-thread status counts, merged and printed as one JSON line when the run ends.</summary>
    private const string Common = """
        local threads = {}
        local count = 0
        function setup(thread)
          thread:set("id", count)
          table.insert(threads, thread)
          count = count + 1
        end
        statuses = {}
        function response(status, headers, body)
          statuses[status] = (statuses[status] or 0) + 1
        end
        function done(summary, latency, requests)
          local merged = {}
          for _, t in ipairs(threads) do
            for code, n in pairs(t:get("statuses")) do merged[code] = (merged[code] or 0) + n end
          end
          local e = summary.errors
          merged[599] = (merged[599] or 0) + e.connect + e.read + e.write + e.timeout
          local parts = {}
          for code, n in pairs(merged) do table.insert(parts, string.format('"%d":%d', code, n)) end
          io.write(string.format('DRILL-RESULT {"requests":%d,"durationUs":%d,"p50Us":%d,"p99Us":%d,"statuses":{%s}}\n',
            summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), table.concat(parts, ",")))
        end
        """;

    public static string Feed(string token) => $$"""
        wrk.method = "GET"
        wrk.path = "/api/events"
        wrk.headers["Authorization"] = "Bearer {{token}}"
        {{Common}}
        """;

    /// <summary>PUT .../interaction cycling through the events, each thread from its own place; every pass flips read and starred, so each PUT changes the row.</summary>
    public static string Interactions(string token, IReadOnlyList<Guid> eventIds) => $$"""
        local headers = { ["Authorization"] = "Bearer {{token}}", ["Content-Type"] = "application/json" }
        local ids = { {{string.Join(",", eventIds.Select(e => $"\"{e}\""))}} }
        local n = 0
        function init(args)
          n = (id or 0) * 7919
        end
        function request()
          n = n + 1
          local i = n % #ids + 1
          local pass = math.floor(n / #ids) % 2
          local body = pass == 0 and '{"isRead":true,"isStarred":false}' or '{"isRead":false,"isStarred":true}'
          return wrk.format("PUT", "/api/events/" .. ids[i] .. "/interaction", headers, body)
        end
        {{Common}}
        """;

    /// <summary>POST /api/events, each a new story (its own title and URL) of one of the clients.</summary>
    public static string Events(string token, IReadOnlyList<Guid> clientIds, string runTag) => $$"""
        local headers = { ["Authorization"] = "Bearer {{token}}", ["Content-Type"] = "application/json" }
        local clients = { {{string.Join(",", clientIds.Select(c => $"\"{c}\""))}} }
        local n = 0
        function request()
          n = n + 1
          local body = string.format('{"clientId":"%s","title":"Load {{runTag}} %d-%d","url":"https://news.example/load/{{runTag}}/%d/%d","category":"funding","sourceType":"news","relevanceScore":0.5,"eventDate":"2026-06-01T09:00:00Z"}',
            clients[n % #clients + 1], id or 0, n, id or 0, n)
          return wrk.format("POST", "/api/events", headers, body)
        end
        {{Common}}
        """;

    public static async Task<LoadFigures> RunAsync(Uri service, string script, int connections, TimeSpan duration, string workDirectory, CancellationToken ct)
    {
        var path = Path.Combine(workDirectory, $"wrk-{Guid.NewGuid():N}.lua");
        await File.WriteAllTextAsync(path, script, ct);
        var threads = Math.Min(Environment.ProcessorCount, connections);
        var start = new ProcessStartInfo("wrk",
        [
            "-t", threads.ToString(CultureInfo.InvariantCulture), "-c", connections.ToString(CultureInfo.InvariantCulture),
            "-d", $"{Math.Max(1, (int)Math.Round(duration.TotalSeconds))}s", "--timeout", "10s", "-s", path, service.ToString(),
        ])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var error = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        var line = (await output).Split('\n').FirstOrDefault(l => l.StartsWith(Marker, StringComparison.Ordinal))
            ?? throw new BenchFailedException($"wrk gave no result ({process.ExitCode}): {(await output).Trim()} {(await error).Trim()}");
        File.Delete(path);
        using var json = JsonDocument.Parse(line[Marker.Length..]);
        var root = json.RootElement;
        var seconds = root.GetProperty("durationUs").GetDouble() / 1e6;
        var requests = root.GetProperty("requests").GetInt64();
        var statuses = new SortedDictionary<int, long>();
        foreach (var status in root.GetProperty("statuses").EnumerateObject())
            if (status.Value.GetInt64() > 0)
                statuses[int.Parse(status.Name, CultureInfo.InvariantCulture)] = status.Value.GetInt64();
        return new LoadFigures(requests, seconds, requests / seconds, root.GetProperty("p50Us").GetDouble() / 1000,
            root.GetProperty("p99Us").GetDouble() / 1000, statuses);
    }
}
