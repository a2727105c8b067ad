using System.Globalization;

namespace Tidings.Bench.Drills;

/// <summary>The drills' figures, tables and notes as they come, for one BenchResult.</summary>
public sealed class DrillReport
{
    public List<Figure> Figures { get; } = [];
    public List<BenchTable> Tables { get; } = [];
    public List<string> Notes { get; } = [];

    /// <summary>Something that must always hold did not (a 5xx to bad input, a half-written batch...): the logs are kept.</summary>
    public bool Failed { get; private set; }

    public void Hostile(HostileOutcome outcome)
    {
        Figures.Add(new("hostile: requests sent", outcome.Sent, "requests"));
        Figures.Add(new("hostile: 5xx answers", outcome.FiveHundreds, "requests"));
        Figures.Add(new("hostile: tables written", outcome.TablesChanged.Count, "tables"));
        foreach (var (status, count) in outcome.Statuses)
            Figures.Add(new($"hostile: answered {status}", count, "requests"));
        Tables.Add(new BenchTable("Hostile input: answers by status", ["status", "requests"],
            outcome.Statuses.Select(s => (IReadOnlyList<string>)[s.Key.ToString(CultureInfo.InvariantCulture), s.Value.ToString("N0", CultureInfo.InvariantCulture)]).ToList()));
        Tables.Add(new BenchTable("Hostile input: requests by what was wrong", ["wrong thing", "requests"],
            outcome.Kinds.Select(k => (IReadOnlyList<string>)[k.Key, k.Value.ToString("N0", CultureInfo.InvariantCulture)]).ToList()));
        Notes.Add(outcome.TablesChanged.Count == 0
            ? "Hostile input wrote nothing: every table has the same rows before and after (ignoring when tokens were last used)."
            : "Hostile input changed tables: " + string.Join("; ", outcome.TablesChanged) + ".");
        if (outcome.Skipped.Count > 0)
            Notes.Add("Not sent (they take no input, so any request to them is a valid one): " + string.Join(", ", outcome.Skipped) + ".");
        if (outcome.Accepted.Count > 0)
            Notes.Add($"Bad requests to operations that write, answered 2xx ({outcome.Accepted.Count}; the first 40):\n\n" + string.Join("\n", outcome.Accepted.Take(400).Select(e => "- " + e.Replace("|", "\\|"))));
        if (outcome.ServerErrors.Count > 0)
            Notes.Add($"5xx answers ({outcome.ServerErrors.Count}; the first 40):\n\n" + string.Join("\n", outcome.ServerErrors.Take(400).Select(e => "- " + e.Replace("|", "\\|"))));
        Failed |= outcome.FiveHundreds > 0 || outcome.TablesChanged.Count > 0;
    }

    public void Load(List<LoadWay> ways)
    {
        static string N(double v, string format = "N0") => v.ToString(format, CultureInfo.InvariantCulture);
        Tables.Add(new BenchTable("Load: the service (wrk) beside the raw-SQL ceiling on as many connections",
            ["load", "connections", "requests/s", "p50 ms", "p99 ms", "errors (non-2xx)", "ceiling/s", "ceiling p50 ms", "ceiling p99 ms", "share of ceiling",
                "CPU ms/request: service + database", "ceiling's database", "capacity share"],
            ways.Select(w => (IReadOnlyList<string>)[w.Name, N(w.Connections), N(w.Http.PerSecond), N(w.Http.P50Ms, "0.0"), N(w.Http.P99Ms, "0.0"),
                N(w.Http.Errors), N(w.Ceiling.PerSecond), N(w.Ceiling.P50Ms, "0.00"), N(w.Ceiling.P99Ms, "0.00"), w.Share.ToString("P0", CultureInfo.InvariantCulture),
                $"{N(w.ServiceCpuMs, "0.00")} + {N(w.Http.DatabaseCpuMs, "0.00")}", N(w.Ceiling.DatabaseCpuMs, "0.00"), w.CapacityShare.ToString("P0", CultureInfo.InvariantCulture)]).ToList()));
        Notes.Add("Capacity share: the requests a second the cores could serve with the service and its database alone on them (the cores' time over a request's CPU, "
            + "service and database backends, from /proc), over the same for the ceiling; unlike the rates, it does not move with whatever else the machine runs.");
        foreach (var w in ways)
        {
            var key = $"load: {w.Name.Split(' ')[0]} at {w.Connections} connections";
            Figures.Add(new($"{key}: requests/s", Math.Round(w.Http.PerSecond), "requests/s"));
            Figures.Add(new($"{key}: p50", w.Http.P50Ms, "ms"));
            Figures.Add(new($"{key}: p99", w.Http.P99Ms, "ms"));
            Figures.Add(new($"{key}: errors", w.Http.Errors, "requests"));
            Figures.Add(new($"{key}: service CPU per request", Math.Round(w.ServiceCpuMs, 2), "ms"));
            Figures.Add(new($"{key}: database CPU per request", Math.Round(w.Http.DatabaseCpuMs, 2), "ms"));
            Figures.Add(new($"{key}: ceiling's database CPU per request", Math.Round(w.Ceiling.DatabaseCpuMs, 2), "ms"));
            Figures.Add(new($"{key}: capacity share of ceiling", Math.Round(100 * w.CapacityShare, 1), "%"));
            Figures.Add(new($"{key}: ceiling requests/s", Math.Round(w.Ceiling.PerSecond), "requests/s"));
            Figures.Add(new($"{key}: share of ceiling", Math.Round(100 * w.Share, 1), "%"));
            if (w.Http.Errors > 0)
                Notes.Add($"{w.Name} at {w.Connections} connections: answers by status {Histogram(w.Http.Statuses)}.");
        }
        var feed = ways.FirstOrDefault(w => w.Name.StartsWith("feed", StringComparison.Ordinal) && w.Connections == ways.Min(x => x.Connections));
        var put = ways.FirstOrDefault(w => w.Name.StartsWith("interaction", StringComparison.Ordinal));
        if (feed is not null)
            Notes.Add($"Target: the feed over HTTP at {feed.Connections} connections reaches at least 50 % of the raw-SQL rate: {feed.Share:P0} ({(feed.Share >= 0.5 ? "met" : "missed")}); "
                + $"by CPU a request, {feed.CapacityShare:P0}.");
        if (put is not null)
            Notes.Add($"Target: single interaction PUTs at least 1,000/s: {put.Http.PerSecond:N0}/s ({(put.Http.PerSecond >= 1000 ? "met" : "missed")}); "
                + $"by CPU a request, these cores could serve {put.HttpCapacity:N0}/s.");
        Failed |= ways.Any(w => w.Http.Errors > 0);
    }

    public void Restart(RestartOutcome r)
    {
        Figures.Add(new("restart: requests", r.Requests, "requests"));
        Figures.Add(new("restart: failed", r.Failed, "requests"));
        Figures.Add(new("restart: pg_ctl restart took", r.RestartTookSeconds, "s"));
        Figures.Add(new("restart: answers normal again after", r.RecoverySeconds, "s"));
        foreach (var (status, count) in r.Statuses)
            Figures.Add(new($"restart: answered {status}", count, "requests"));
        Notes.Add($"Database restart under load: {r.Requests:N0} feed requests, PostgreSQL restarted at {r.RestartAtSeconds:0.0} s (pg_ctl took {r.RestartTookSeconds:0.0} s); "
            + $"{r.Failed:N0} failed, answers by status {Histogram(r.Statuses)}; "
            + (r.Failed == 0 ? "no request failed." : $"failures from {r.FirstFailureSeconds:0.0} s to {r.LastFailureSeconds:0.0} s: answers were all 2xx again {r.RecoverySeconds:0.0} s after the restart began."));
    }

    public void BatchCrash(BatchCrashOutcome c, int feedAfterRestart)
    {
        Figures.Add(new("crash: batches sent", c.Sent, "batches"));
        Figures.Add(new("crash: batches answered 200", c.Answered200, "batches"));
        Figures.Add(new("crash: batches cut off", c.CutOff, "batches"));
        Figures.Add(new("crash: batches fully there", c.FullyThere, "batches"));
        Figures.Add(new("crash: batches half there", c.HalfThere, "batches"));
        Figures.Add(new("crash: batches answered 200 and missing", c.Missing200, "batches"));
        Figures.Add(new("crash: events without their audit row", c.EventsWithoutAudit, "rows"));
        Figures.Add(new("crash: audit rows without their event", c.AuditWithoutEvent, "rows"));
        Figures.Add(new("crash: notifications without their audit row", c.NotificationsWithoutAudit, "rows"));
        Notes.Add($"Crash in the middle of batch writes (100 events a batch, 4 clients): {c.Sent} batches sent, {c.Answered200} answered 200, {c.CutOff} cut off by SIGKILL; "
            + $"after the restart {c.FullyThere} are there whole, {c.HalfThere} in part, {c.Missing200} answered 200 but missing; "
            + $"events without audit row {c.EventsWithoutAudit}, audit rows without event {c.AuditWithoutEvent}, notifications without audit row {c.NotificationsWithoutAudit}; "
            + $"the restarted service's feed answered {feedAfterRestart}. {(c.Exact && feedAfterRestart == 200 ? "Exact." : "NOT EXACT.")}");
        Failed |= !c.Exact || feedAfterRestart != 200;
    }

    public void ImportCrash(ImportCrashOutcome c)
    {
        Figures.Add(new("crash: legacy events in file", c.FileEvents, "events"));
        Figures.Add(new("crash: import killed after", c.KilledAfterSeconds, "s"));
        Figures.Add(new("crash: tables changed by the killed import", c.TablesChangedByKilledRun.Count, "tables"));
        Figures.Add(new("crash: re-run verified", c.RerunVerified ? 1 : 0, "bool"));
        Notes.Add($"Crash in the middle of `tidings legacy import` ({c.FileEvents:N0} events in the file): killed after {c.KilledAfterSeconds:0.0} s "
            + $"({(c.WasRunning ? "mid-import" : "it had already finished")}); tables changed by the killed run (leaving out the audit entry of its platform scope, "
            + "written before the import's transaction as the record that it ran): "
            + (c.TablesChangedByKilledRun.Count == 0 ? "none" : string.Join(", ", c.TablesChangedByKilledRun))
            + $"; the re-run exited {c.RerunExitCode}, {(c.RerunVerified ? "verified" : "NOT verified")}, {c.EventsAfterRerun:N0} events in the business. {(c.Exact ? "Exact." : "NOT EXACT.")}");
        Failed |= !c.Exact;
    }

    private static string Histogram<T>(SortedDictionary<int, T> statuses) => string.Join(", ", statuses.Select(s => $"{s.Key}: {s.Value:N0}"));
}
