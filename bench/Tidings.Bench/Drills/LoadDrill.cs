using Microsoft.EntityFrameworkCore.Metadata;
using Npgsql;
using Tidings.Data;

namespace Tidings.Bench.Drills;

/// <summary>One load: the service's figures through wrk beside the raw-SQL ceiling of the same work on as many connections.</summary>
/// <param name="ServiceCpuMs">CPU the service process spent per request of the HTTP run.</param>
public sealed record LoadWay(string Name, int Connections, LoadFigures Http, LoadFigures Ceiling, double ServiceCpuMs)
{
    public double Share => Http.PerSecond / Ceiling.PerSecond;

    /// <summary>
    /// Requests a second the machine's cores could serve if the service and its database had them to themselves: the
    /// cores' time over the CPU a request costs (service and database; the load generator not counted, on either side).
    /// </summary>
    public double HttpCapacity => Environment.ProcessorCount * 1000 / (ServiceCpuMs + Http.DatabaseCpuMs);

    public double CeilingCapacity => Environment.ProcessorCount * 1000 / Ceiling.DatabaseCpuMs;

    public double CapacityShare => HttpCapacity / CeilingCapacity;
}

/// <summary>
/// Load: the feed (GET /api/events) at N and N/2 connections, interaction PUTs (mark read / star, cycling through
/// the events) and event creation (POST /api/events) at N, each for the run's duration after an unmeasured
/// warm-up (the service's JIT recompiles hot code over its first seconds), each beside its raw-SQL ceiling.
/// </summary>
public static class LoadDrill
{
    public static async Task<List<LoadWay>> RunAsync(ServiceProcess service, DrillPostgres postgres, string databaseName, DatabaseSettings settings, IModel model, DrillBusiness business,
        DrillSettings drill, string work, CancellationToken ct)
    {
        var warmUp = drill.Quick ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(10);
        var n = drill.Connections;
        var feedStatements = await RawCeiling.FeedStatementsAsync(settings, business, ct);
        var interactionIds = business.EventIds.Take(5_000).ToList();
        var ways = new List<LoadWay>();
        var run = DateTime.UtcNow.ToString("HHmmss", System.Globalization.CultureInfo.InvariantCulture);

        async Task<LoadWay> WayAsync(string name, int connections, string script,
            Func<NpgsqlConnection, CancellationToken, Task<Func<long, CancellationToken, Task>>> ceiling, bool warm)
        {
            if (warm)
                await WrkRun.RunAsync(service.BaseAddress, script, connections, warmUp, work, ct);
            Console.WriteLine($"Load: {name}, {connections} connections, {drill.Duration.TotalSeconds:0} s...");
            var cpu = service.CpuTime();
            var databaseCpu = await postgres.BackendCpuAsync(databaseName, ct);
            var http = await WrkRun.RunAsync(service.BaseAddress, script, connections, drill.Duration, work, ct);
            var cpuMs = (service.CpuTime() - cpu).TotalMilliseconds / Math.Max(1, http.Requests);
            http = http with { DatabaseCpuMs = DrillPostgres.Spent(databaseCpu, await postgres.BackendCpuAsync(databaseName, ct)).TotalMilliseconds / Math.Max(1, http.Requests) };
            var raw = await RawCeiling.RunAsync(settings.ConnectionString, connections, drill.Duration, ceiling, token => postgres.BackendCpuAsync(databaseName, token), ct);
            var way = new LoadWay(name, connections, http, raw, cpuMs);
            Console.WriteLine($"  {http.PerSecond:N0}/s, p50 {http.P50Ms:0.0} ms, p99 {http.P99Ms:0.0} ms; ceiling {raw.PerSecond:N0}/s: {way.Share:P0}; errors {http.Errors}; CPU a request: service {cpuMs:0.00} ms + database {http.DatabaseCpuMs:0.00} ms, ceiling's database {raw.DatabaseCpuMs:0.00} ms");
            return way;
        }

        var feed = WrkRun.Feed(business.Token);
        var feedCeiling = RawCeiling.Feed(business.Id, feedStatements);
        ways.Add(await WayAsync("feed GET /api/events", n, feed, feedCeiling, warm: true));
        ways.Add(await WayAsync("feed GET /api/events", n / 2, feed, feedCeiling, warm: false));
        ways.Add(await WayAsync("interaction PUT /api/events/{id}/interaction", n, WrkRun.Interactions(business.Token, interactionIds),
            RawCeiling.Interactions(business with { EventIds = interactionIds }, model), warm: true));
        ways.Add(await WayAsync("event POST /api/events", n, WrkRun.Events(business.Token, business.ClientIds, run),
            RawCeiling.Events(business, model, run), warm: true));
        return ways;
    }
}
