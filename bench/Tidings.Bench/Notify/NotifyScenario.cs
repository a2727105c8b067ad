using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Tidings.Bench.Drills;
using Tidings.Bench.Monitor;
using Tidings.Bench.Writes;

namespace Tidings.Bench.Notify;

/// <summary>
/// `notify`: the outbox dispatcher against issue 15's targets, delivering to a receiver on loopback. Latency: events
/// posted to a real `tidings serve` at a steady rate, each timed from its 201 to its webhook's arrival. Drain: a
/// bulk-loaded backlog of pending messages delivered by one `tidings dispatch run --once`. Kill drill: another backlog,
/// `tidings dispatch` killed with SIGKILL a third of the way in and started again; every message delivered, none under
/// two ids. Every `tidings` is a process of its own; the receiver runs in the bench process.
/// </summary>
public static class NotifyScenario
{
    public const string Name = "notify";

    private const double TargetP50Ms = 1000, TargetP99Ms = 3000, TargetDrainPerSecond = 500, TargetRate = 50;
    private const int LatencyBusinesses = 2;
    private const string ShortLease = "00:00:05";

    private static readonly Option<double> RateOption = new("--rate")
    {
        Description = "Events posted per second in the latency phase (default 50).",
        DefaultValueFactory = _ => TargetRate,
    };
    private static readonly Option<int?> DurationOption = new("--duration") { Description = "Seconds of posting in the latency phase (default 60; --quick 10)." };
    private static readonly Option<int> EndpointsOption = new("--endpoints")
    {
        Description = "Businesses, one endpoint each, the drain's and the kill drill's messages are dealt to (default 4).",
        DefaultValueFactory = _ => 4,
    };

    public static Command Create()
    {
        var command = new Command(Name, "Deliver webhooks to a receiver on loopback: latency at a steady event rate, a backlog drained by one process, a dispatcher killed mid-drain.");
        command.Options.Add(RateOption);
        command.Options.Add(DurationOption);
        command.Options.Add(EndpointsOption);
        // --events: the pending messages of the drain, and as many again for the kill drill.
        new ScenarioOptions(defaultEvents: 10_000, quickEvents: 1_000).AddTo(command, RunAsync);
        return command;
    }

    private static async Task RunAsync(ScenarioSettings settings, ParseResult parsed, CancellationToken ct)
    {
        var rate = parsed.GetValue(RateOption);
        var duration = parsed.GetValue(DurationOption) ?? (settings.Quick ? 10 : 60);
        var endpoints = parsed.GetValue(EndpointsOption);
        if (rate is <= 0 or > 2_000 || duration < 1 || endpoints < 1 || endpoints > settings.Events)
            throw new BenchFailedException("--rate must be from 0 to 2,000, --duration at least 1, --endpoints from 1 to --events.");
        foreach (var target in settings.Targets)
            await RunAsync(settings, target, rate, duration, endpoints, ct);
    }

    private static async Task RunAsync(ScenarioSettings settings, BenchTarget target, double rate, int duration, int endpoints, CancellationToken ct)
    {
        var startedAt = DateTimeOffset.UtcNow;
        var loadAtStart = LoadAverage();
        var work = Directory.CreateTempSubdirectory("tidings-notify-").FullName;
        await using var database = await BenchDatabase.CreateAsync(target, settings.Keep, ct);
        // On Citus the tables are placed while empty: everything after goes through the distributed tables.
        await database.DistributeAsync(ct);
        await using var receiver = await WebhookReceiver.StartAsync(ct);
        var probe = new BackendCpu(database);

        var latency = await LatencyAsync(database, receiver, probe, work, rate, duration, settings.Quick, ct);
        var drain = await DrainAsync(database, receiver, probe, work, endpoints, settings.Events, ct);
        var kill = await KillDrillAsync(database, receiver, work, endpoints, settings.Events, ct);

        var result = Report(settings, target, database.Server, startedAt, rate, endpoints, latency, drain, kill, loadAtStart);
        Console.WriteLine();
        Console.WriteLine(result.ToMarkdown());
        Console.WriteLine($"Wrote {await result.SaveAsync(settings.ResultsDirectory, ct)}");
        if (latency.AllOnce && drain.AllOnce && kill.AllDelivered && kill.OneIdEach)
            Directory.Delete(work, recursive: true);
        else
            Console.WriteLine($"Something that must hold did not: the processes' logs are in {work}");
    }

    // ---- latency ----

    private sealed record LatencyRun(int Posted, int Created, double PostingSeconds, double SendingSeconds, double[] CommitToArrivalMs, double[] SentToArrivalMs, double[] AnswerMs,
        int Lost, int Repeated, int UnderTwoIds, int Unsigned, int ArrivedBeforeAnswer, double ServiceCpu, double? PostgresCpu, int WarmUp)
    {
        public bool AllOnce => Lost == 0 && Repeated == 0 && UnderTwoIds == 0 && Created == Posted;
        /// <summary>The rate the requests went out at (the first to the last sent), whatever the answers took.</summary>
        public double Rate => (Posted - 1) / SendingSeconds;
    }

    private static async Task<LatencyRun> LatencyAsync(BenchDatabase database, WebhookReceiver receiver, BackendCpu probe, string work, double rate, int duration,
        bool quick, CancellationToken ct)
    {
        var port = DrillPostgres.FreePort();
        var address = new Uri($"http://127.0.0.1:{port}");
        Console.Error.WriteLine($"  latency: tidings serve on {address}, {LatencyBusinesses} businesses, {rate:0} events/s for {duration} s");
        await using var service = DispatcherProcess.Start(["serve", "--urls", address.ToString()], database.Settings,
            new Dictionary<string, string> { ["Delivery__Enabled"] = "true" }, work, "serve");
        await WaitReadyAsync(address, service, ct);
        using var posting = await EventPosting.SignUpAsync(address, LatencyBusinesses, receiver.UrlFor("latency"), ct);

        // Unmeasured: the service's and the dispatcher's code compiled and tiered up, connections opened.
        var warmUp = await posting.PostAsync(quick ? (int)rate : (int)(rate * 5), rate, "warm-up", ct);
        var warmIds = warmUp.Where(p => p.EventId is not null).Select(p => p.EventId!.Value).ToHashSet();
        await WaitUntilAsync(() => receiver.Arrivals("latency").Count(a => a.EventId is { } id && warmIds.Contains(id)) >= warmIds.Count,
            TimeSpan.FromSeconds(60), "the warm-up's webhooks", ct);

        var serviceCpu = service.Cpu();
        var backends = await probe.SampleAsync(ct);
        var clock = Stopwatch.StartNew();
        var posted = await posting.PostAsync((int)Math.Round(rate * duration), rate, "measured", ct);
        var postingSeconds = clock.Elapsed.TotalSeconds;
        var created = posted.Where(p => p.EventId is not null).ToDictionary(p => p.EventId!.Value);
        Console.Error.WriteLine($"    {posted.Count:N0} posted in {postingSeconds:0.0} s, {created.Count:N0} created; waiting for their webhooks");
        await WaitUntilAsync(() => receiver.Arrivals("latency").Count(a => a.EventId is { } id && created.ContainsKey(id)) >= created.Count,
            TimeSpan.FromSeconds(60), null, ct);
        // Time for a repeat to show up, had the dispatcher sent one.
        await Task.Delay(TimeSpan.FromSeconds(2), ct);
        var cpu = (service.Cpu() - serviceCpu)?.TotalSeconds ?? double.NaN;
        var postgres = BackendCpu.Spent(backends, await probe.SampleAsync(ct));

        var arrivals = receiver.Arrivals("latency").Where(a => a.EventId is { } id && created.ContainsKey(id)).GroupBy(a => a.EventId!.Value)
            .ToDictionary(g => g.Key, g => g.ToList());
        var commit = new List<double>();
        var sent = new List<double>();
        var before = 0;
        foreach (var (id, post) in created)
        {
            if (!arrivals.TryGetValue(id, out var got))
                continue;
            var first = got.Min(a => a.At);
            if (first < post.AnsweredAt)
                before++;
            commit.Add(Stopwatch.GetElapsedTime(post.AnsweredAt, first).TotalMilliseconds);
            sent.Add(Stopwatch.GetElapsedTime(post.SentAt, first).TotalMilliseconds);
        }
        commit.Sort();
        sent.Sort();
        var answers = posted.Select(p => Stopwatch.GetElapsedTime(p.SentAt, p.AnsweredAt).TotalMilliseconds).Order().ToArray();
        var sending = Stopwatch.GetElapsedTime(posted.Min(p => p.SentAt), posted.Max(p => p.SentAt)).TotalSeconds;
        return new LatencyRun(posted.Count, created.Count, postingSeconds, sending, [.. commit], [.. sent], answers,
            Lost: created.Count - arrivals.Count,
            Repeated: arrivals.Values.Count(a => a.Count > 1),
            UnderTwoIds: arrivals.Values.Count(a => a.Select(x => x.WebhookId).Distinct().Count() > 1),
            Unsigned: arrivals.Values.Sum(a => a.Count(x => !x.Signed)),
            ArrivedBeforeAnswer: before, cpu, postgres, warmUp.Count);
    }

    // ---- drain ----

    private sealed record DrainRun(Backlog Backlog, double Seconds, double? Cpu, double? PostgresCpu, double? MachineCpu, string Totals, double EmptySeconds,
        double DeliveringSeconds, int Arrivals, int Distinct, int Stray, int Missing, int Undelivered, long LogRows)
    {
        public int Messages => Backlog.MessageIds.Count;
        public double PerSecond => Messages / Seconds;
        public bool AllOnce => Arrivals == Messages && Distinct == Messages && Stray == 0 && Missing == 0 && Undelivered == 0;
    }

    private static async Task<DrainRun> DrainAsync(BenchDatabase database, WebhookReceiver receiver, BackendCpu probe, string work, int endpoints, int messages,
        CancellationToken ct)
    {
        // Nothing is due yet: what a `run --once` costs before it delivers anything (host, configuration, the migrations check).
        var emptyClock = Stopwatch.StartNew();
        await using (var empty = DispatcherProcess.Start(["dispatch", "run", "--once"], database.Settings, new Dictionary<string, string>(), work, "drain-empty"))
            await empty.WaitForExitAsync(TimeSpan.FromMinutes(5), ct);
        var emptySeconds = emptyClock.Elapsed.TotalSeconds;

        Console.Error.WriteLine($"  drain: loading {messages:N0} pending messages for {endpoints} endpoints");
        var backlog = await NotifyData.LoadAsync(database, "drain", receiver.UrlFor("drain"), endpoints, messages, ct);
        var logBefore = await NotifyData.DeliveryLogRowsAsync(database, ct);
        Console.Error.WriteLine($"    loaded in {backlog.Elapsed.TotalSeconds:0.0} s ({backlog.PayloadBytes} bytes a payload); tidings dispatch run --once");
        var backends = await probe.SampleAsync(ct);
        var meter = new CpuMeter();
        var clock = Stopwatch.StartNew();
        await using var process = DispatcherProcess.Start(["dispatch", "run", "--once"], database.Settings, new Dictionary<string, string>(), work, "drain", measured: true);
        // The process's backends end with it: their CPU is the last sample taken while they lived.
        var seen = new Dictionary<int, long>();
        var sampling = Task.Run(async () =>
        {
            while (!process.HasExited)
            {
                foreach (var (pid, ticks) in await probe.SampleAsync(ct) ?? [])
                    seen[pid] = ticks;
                await Task.Delay(200, ct);
            }
        }, ct);
        await process.WaitForExitAsync(TimeSpan.FromMinutes(30), ct);
        var seconds = clock.Elapsed.TotalSeconds;
        var machine = meter.Stop().Machine?.TotalSeconds;
        await sampling;
        var postgres = backends is null ? null : BackendCpu.Spent(backends, seen);

        var arrivals = receiver.Arrivals("drain");
        var delivering = arrivals.Count > 1 ? Stopwatch.GetElapsedTime(arrivals.Min(a => a.At), arrivals.Max(a => a.At)).TotalSeconds : 0;
        var (distinct, stray, missing) = Ids(arrivals, backlog);
        var undelivered = (await NotifyData.UndeliveredAsync(database, ct)).Count(r => backlog.MessageIds.Contains(r.Id));
        var run = new DrainRun(backlog, seconds, process.EndedCpu()?.TotalSeconds, postgres, machine, process.LastLogLine(), emptySeconds, delivering,
            arrivals.Count, distinct, stray, missing, undelivered, await NotifyData.DeliveryLogRowsAsync(database, ct) - logBefore);
        Console.Error.WriteLine($"    {run.Totals} in {seconds:0.0} s: {run.PerSecond:0} messages/s");
        return run;
    }

    // ---- kill drill ----

    private sealed record KillRun(Backlog Backlog, double KilledAfter, int ReceivedAtKill, int ReceivedAfterKill, int PendingAtKill, int ClaimedAtKill,
        double RestartToDone, int Undelivered, int Arrivals, int Distinct, int Stray, int Missing, int Twice, int UnderTwoIds)
    {
        public int Messages => Backlog.MessageIds.Count;
        public int Delivered => Messages - Undelivered;
        public bool AllDelivered => Undelivered == 0 && Missing == 0;
        public bool OneIdEach => Distinct == Messages && Stray == 0 && UnderTwoIds == 0;
    }

    private static async Task<KillRun> KillDrillAsync(BenchDatabase database, WebhookReceiver receiver, string work, int endpoints, int messages, CancellationToken ct)
    {
        Console.Error.WriteLine($"  kill drill: loading {messages:N0} pending messages for {endpoints} endpoints");
        var backlog = await NotifyData.LoadAsync(database, "kill", receiver.UrlFor("kill"), endpoints, messages, ct);
        // A short lease for both processes: the claims the killed one held lapse in seconds rather than two minutes.
        var lease = new Dictionary<string, string> { ["Delivery__ClaimLease"] = ShortLease };
        var clock = Stopwatch.StartNew();
        var third = messages / 3;
        double killedAfter;
        int atKill;
        await using (var first = DispatcherProcess.Start(["dispatch"], database.Settings, lease, work, "kill-first"))
        {
            await WaitUntilAsync(() => first.HasExited ? throw new BenchFailedException($"tidings dispatch exited before it was killed; see {first.LogPath}.")
                : receiver.Count("kill") >= third, TimeSpan.FromMinutes(10), "a third of the kill drill's messages", ct);
            atKill = receiver.Count("kill");
            killedAfter = clock.Elapsed.TotalSeconds;
            await first.KillAsync();
        }
        // Requests already on the wire when the process died still land.
        await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
        var afterKill = receiver.Count("kill");
        var left = (await NotifyData.UndeliveredAsync(database, ct)).Where(r => backlog.MessageIds.Contains(r.Id)).ToList();
        Console.Error.WriteLine($"    killed after {killedAfter:0.0} s: {atKill:N0} received, {left.Count:N0} not delivered ({left.Count(r => r.Claimed):N0} held by the dead process); restarting");

        var restart = Stopwatch.StartNew();
        var undelivered = left.Count;
        await using (var second = DispatcherProcess.Start(["dispatch"], database.Settings, lease, work, "kill-second"))
        {
            var deadline = Stopwatch.StartNew();
            while (undelivered > 0 && deadline.Elapsed < TimeSpan.FromMinutes(10))
            {
                if (second.HasExited)
                    throw new BenchFailedException($"the restarted tidings dispatch exited; see {second.LogPath}.");
                await Task.Delay(TimeSpan.FromMilliseconds(250), ct);
                undelivered = (await NotifyData.UndeliveredAsync(database, ct)).Count(r => backlog.MessageIds.Contains(r.Id));
            }
        }
        var restartToDone = restart.Elapsed.TotalSeconds;
        var arrivals = receiver.Arrivals("kill");
        var (distinct, stray, missing) = Ids(arrivals, backlog);
        var run = new KillRun(backlog, killedAfter, atKill, afterKill, left.Count, left.Count(r => r.Claimed), restartToDone, undelivered,
            arrivals.Count, distinct, stray, missing, arrivals.GroupBy(a => a.WebhookId).Count(g => g.Count() > 1),
            arrivals.Where(a => a.EventId is not null).GroupBy(a => a.EventId).Count(g => g.Select(a => a.WebhookId).Distinct().Count() > 1));
        Console.Error.WriteLine($"    after the restart: {run.Delivered:N0} of {messages:N0} delivered in {restartToDone:0.0} s; {arrivals.Count:N0} received, {distinct:N0} distinct ids, {run.Twice:N0} received twice");
        return run;
    }

    /// <summary>Distinct webhook-ids received; those that name no message of the backlog; the backlog's messages never received.</summary>
    private static (int Distinct, int Stray, int Missing) Ids(IReadOnlyList<Arrival> arrivals, Backlog backlog)
    {
        var ids = arrivals.Select(a => a.WebhookId).ToHashSet();
        var messages = ids.Select(MessageOf).Where(m => m is { } id && backlog.MessageIds.Contains(id)).Select(m => m!.Value).ToHashSet();
        return (ids.Count, ids.Count - messages.Count, backlog.MessageIds.Count - messages.Count);
    }

    /// <summary>The outbox message a webhook-id names ("msg_" and the id's 32 hex digits), or null.</summary>
    private static Guid? MessageOf(string webhookId) =>
        webhookId.StartsWith("msg_", StringComparison.Ordinal) && Guid.TryParseExact(webhookId[4..], "N", out var id) ? id : null;

    // ---- the result ----

    private static BenchResult Report(ScenarioSettings settings, BenchTarget target, string server, DateTimeOffset startedAt, double rate, int endpoints,
        LatencyRun latency, DrainRun drain, KillRun kill, string loadAtStart)
    {
        double P(double[] sorted, double p) => sorted.Length == 0 ? double.NaN : Latency.Percentile(sorted, p);
        var targets = new List<IReadOnlyList<string>>
        {
            Target($"event committed (201 read) → webhook received, p50 ms, at {latency.Rate:0.0} events/s", P(latency.CommitToArrivalMs, 0.5), TargetP50Ms, atLeast: false),
            Target($"event committed (201 read) → webhook received, p99 ms, at {latency.Rate:0.0} events/s", P(latency.CommitToArrivalMs, 0.99), TargetP99Ms, atLeast: false),
            Target("latency phase: events not received exactly once, under one id", latency.Posted - latency.Created + latency.Lost + latency.Repeated + latency.UnderTwoIds, 0, atLeast: false),
            Target($"{drain.Messages:N0} pending deliveries drained by one `dispatch run --once`, messages/s (process start to exit)", drain.PerSecond, TargetDrainPerSecond, atLeast: true),
            Target("drain: messages not received exactly once (never, again, under a stray id, or not marked delivered)",
                drain.Missing + drain.Arrivals - drain.Distinct + drain.Stray + drain.Undelivered, 0, atLeast: false),
            Target($"kill -9 mid-drain, then restart: messages delivered of {kill.Messages:N0}", kill.Delivered, kill.Messages, atLeast: true),
            Target("kill -9 mid-drain: events received under two webhook-ids, or ids naming no outbox message", kill.UnderTwoIds + kill.Stray, 0, atLeast: false),
        };
        var latencyRows = new List<IReadOnlyList<string>>
        {
            Row("201 read → webhook received (the commit → delivered figure)", latency.CommitToArrivalMs),
            Row("POST sent → webhook received (an upper bound)", latency.SentToArrivalMs),
            Row("POST /api/events round trip", latency.AnswerMs),
        };
        List<IReadOnlyList<string>> killRows =
        [
            ["messages", N(kill.Messages)],
            ["received when killed (SIGKILL)", N(kill.ReceivedAtKill)],
            ["received 0.5 s after the kill", N(kill.ReceivedAfterKill)],
            ["not delivered at the kill / of them held by the dead process's claims", $"{N(kill.PendingAtKill)} / {N(kill.ClaimedAtKill)}"],
            ["restart → every message delivered (s)", S(kill.RestartToDone)],
            ["delivered (outbox state) after the restart", N(kill.Delivered)],
            ["webhooks received in all", N(kill.Arrivals)],
            ["distinct webhook-ids received", N(kill.Distinct)],
            ["messages received twice (re-sent after the kill, same id)", N(kill.Twice)],
            ["events (data.id) received under two webhook-ids", N(kill.UnderTwoIds)],
            ["ids naming no message of the backlog", N(kill.Stray)],
            ["messages never received", N(kill.Missing)],
        ];

        var figures = new List<Figure>
        {
            new("latency: target rate", rate, "events/s"),
            new("latency: events posted (measured)", latency.Posted, "events"),
            new("latency: events created (201)", latency.Created, "events"),
            new("latency: achieved sending rate (first to last request sent)", latency.Rate, "events/s"),
            new("latency: first request sent to last answer", latency.PostingSeconds, "s"),
            new("latency: warm-up events (unmeasured)", latency.WarmUp, "events"),
            new("latency: 201 → received p50", P(latency.CommitToArrivalMs, 0.5), "ms"),
            new("latency: 201 → received p95", P(latency.CommitToArrivalMs, 0.95), "ms"),
            new("latency: 201 → received p99", P(latency.CommitToArrivalMs, 0.99), "ms"),
            new("latency: 201 → received max", latency.CommitToArrivalMs.LastOrDefault(), "ms"),
            new("latency: sent → received p50", P(latency.SentToArrivalMs, 0.5), "ms"),
            new("latency: sent → received p99", P(latency.SentToArrivalMs, 0.99), "ms"),
            new("latency: POST round trip p50", P(latency.AnswerMs, 0.5), "ms"),
            new("latency: POST round trip p99", P(latency.AnswerMs, 0.99), "ms"),
            new("latency: webhooks that arrived before the 201 was read", latency.ArrivedBeforeAnswer, "events"),
            new("latency: events never received", latency.Lost, "events"),
            new("latency: events received more than once", latency.Repeated, "events"),
            new("latency: events received under two ids", latency.UnderTwoIds, "events"),
            new("latency: webhooks received unsigned", latency.Unsigned, "webhooks"),
            new("latency: tidings serve CPU while posting", latency.ServiceCpu, "s"),
            new("latency: tidings serve CPU per event", latency.ServiceCpu * 1000 / Math.Max(1, latency.Posted), "ms"),
            new("drain: messages", drain.Messages, "messages"),
            new("drain: endpoints (businesses)", endpoints, "endpoints"),
            new("drain: payload size", drain.Backlog.PayloadBytes, "bytes"),
            new("drain: backlog load", drain.Backlog.Elapsed.TotalSeconds, "s"),
            new("drain: `dispatch run --once` with nothing due (start-up cost)", drain.EmptySeconds, "s"),
            new("drain: process start to exit", drain.Seconds, "s"),
            new("drain: messages per second (process start to exit)", drain.PerSecond, "messages/s"),
            new("drain: first to last webhook received", drain.DeliveringSeconds, "s"),
            new("drain: messages per second while delivering", drain.DeliveringSeconds > 0 ? drain.Messages / drain.DeliveringSeconds : double.NaN, "messages/s"),
            new("drain: webhooks received", drain.Arrivals, "webhooks"),
            new("drain: distinct webhook-ids", drain.Distinct, "ids"),
            new("drain: ids naming no message", drain.Stray, "ids"),
            new("drain: messages never received", drain.Missing, "messages"),
            new("drain: messages not delivered (outbox state)", drain.Undelivered, "messages"),
            new("drain: delivery log rows written", drain.LogRows, "rows"),
            new("kill: messages", kill.Messages, "messages"),
            new("kill: seconds until the kill", kill.KilledAfter, "s"),
            new("kill: received at the kill", kill.ReceivedAtKill, "webhooks"),
            new("kill: received 0.5 s after the kill", kill.ReceivedAfterKill, "webhooks"),
            new("kill: not delivered at the kill", kill.PendingAtKill, "messages"),
            new("kill: held by the dead process's claims", kill.ClaimedAtKill, "messages"),
            new("kill: restart to every message delivered", kill.RestartToDone, "s"),
            new("kill: delivered", kill.Delivered, "messages"),
            new("kill: webhooks received", kill.Arrivals, "webhooks"),
            new("kill: distinct webhook-ids", kill.Distinct, "ids"),
            new("kill: messages received twice", kill.Twice, "messages"),
            new("kill: events received under two webhook-ids", kill.UnderTwoIds, "events"),
            new("kill: ids naming no message", kill.Stray, "ids"),
            new("kill: messages never received", kill.Missing, "messages"),
        };
        if (latency.PostgresCpu is { } pgLatency)
            figures.Add(new("latency: PostgreSQL backends CPU while posting", pgLatency, "s"));
        if (drain.Cpu is { } cpu)
        {
            figures.Add(new("drain: `dispatch run --once` CPU", cpu, "s"));
            figures.Add(new("drain: dispatcher CPU per message", cpu * 1000 / drain.Messages, "ms"));
        }
        if (drain.PostgresCpu is { } pgDrain)
        {
            figures.Add(new("drain: PostgreSQL backends CPU (sampled every 0.2 s while they lived)", pgDrain, "s"));
            figures.Add(new("drain: PostgreSQL CPU per message", pgDrain * 1000 / drain.Messages, "ms"));
        }
        if (drain.MachineCpu is { } machine)
            figures.Add(new("drain: whole machine CPU (receiver, dispatcher, database, other work)", machine, "s"));

        var scale = drain.Messages >= 10_000 && Math.Abs(rate - TargetRate) < 0.01 && latency.SendingSeconds >= 59
            ? "" : " The targets are set for 10,000 messages and 50 events/s for a minute; this run is smaller, shown for comparison.";
        var notes = new List<string>
        {
            $"Receiver: Kestrel in the bench process on loopback, answering 200 at once and keeping each arrival's webhook-id, the event's id (data.id) and " +
            $"when it came. Every `tidings` is the built executable in a process of its own, configured by environment variables: Monitoring:Enabled=false, " +
            $"Monitoring:AllowPrivateAddresses=true, the other Delivery settings at their defaults (ClaimBatch 50, Concurrency 32, PollInterval 1 s).{scale}",
            $"Latency: `tidings serve` (Delivery:Enabled=true); {LatencyBusinesses} businesses signed up through the API, each with a client and a json endpoint " +
            $"wanting event.created made by POST /api/webhooks; their owners post `POST /api/events` in turn at {rate:0.#} events/s, each on its schedule " +
            $"(an open loop: a slow answer does not delay the next request), after {latency.WarmUp} unmeasured events. The latency of an event is its " +
            $"webhook's arrival minus the moment its 201 was read, which came after the commit: so it can only overstate how long the dispatcher took " +
            $"once the event was committed, except that a webhook may arrive before the 201 is read (the service wakes its dispatcher after the save, " +
            $"while the answer is being written): {latency.ArrivedBeforeAnswer} did, counted as negative. Sent → received is the upper bound.",
            $"Drain: {drain.Messages:N0} outbox messages bulk-loaded (COPY on PostgreSQL) as OutboxRules writes them for a new event: channel webhook, " +
            $"type event.created, a {drain.Backlog.PayloadBytes}-byte body made by WebhookMessages.Payload, due now, pending, dealt to {endpoints} businesses " +
            $"with one endpoint each; then one `tidings dispatch run --once`, timed from process start to exit (its start-up, {S(drain.EmptySeconds)} s " +
            $"with nothing due, is in the figure). It printed: \"{drain.Totals}\".",
            $"Kill drill: another {kill.Messages:N0} messages; `tidings dispatch` (continuous) with Delivery:ClaimLease={ShortLease}, killed with SIGKILL " +
            $"once the receiver had a third; a new `tidings dispatch`, same settings, run until every message's outbox state is delivered. A message the " +
            $"receiver got twice was re-sent after the kill under its own id, as the outbox allows (a receiver drops the repeat by its webhook-id); one " +
            $"event under two webhook-ids would be a second outbox row for one change, which a receiver could not recognise.",
            $"Load average {loadAtStart} at the start, {LoadAverage()} at the end (other sessions share the 2 cores).",
        };
        var tables = new[]
        {
            new BenchTable("Targets (issue 15)", ["target", "measured", "wanted", ""], targets),
            new BenchTable($"Latency phase: {latency.Posted:N0} events at {latency.Rate:0.0}/s, ms", ["interval", "p50", "p95", "p99", "max"], latencyRows),
            new BenchTable("Kill drill", ["", ""], killRows),
        };
        return new BenchResult(Name, target.Name, server, startedAt, drain.Messages, settings.Quick, MachineInfo.Current(), figures, tables, notes);
    }

    private static IReadOnlyList<string> Row(string name, double[] sorted) => sorted.Length == 0
        ? [name, "–", "–", "–", "–"]
        : [name, Ms(Latency.Percentile(sorted, 0.5)), Ms(Latency.Percentile(sorted, 0.95)), Ms(Latency.Percentile(sorted, 0.99)), Ms(sorted[^1])];

    private static IReadOnlyList<string> Target(string name, double value, double wanted, bool atLeast) =>
        [name, value.ToString(value >= 100 || value == Math.Floor(value) ? "N0" : "0.00", CultureInfo.InvariantCulture),
            (atLeast ? "≥ " : "≤ ") + wanted.ToString("N0", CultureInfo.InvariantCulture),
            (atLeast ? value >= wanted : value <= wanted) ? "met" : "MISSED"];

    private static string Ms(double value) => value.ToString(Math.Abs(value) >= 100 ? "N0" : "0.0", CultureInfo.InvariantCulture);

    private static string N(double value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string S(double value) => value.ToString("0.0", CultureInfo.InvariantCulture);

    private static async Task WaitReadyAsync(Uri address, DispatcherProcess service, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(5) };
        await WaitUntilAsync(() =>
        {
            if (service.HasExited)
                throw new BenchFailedException($"tidings serve exited before it was ready; see {service.LogPath}.");
            try
            {
                using var response = http.GetAsync("/health/ready", ct).GetAwaiter().GetResult();
                return response.IsSuccessStatusCode;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(90), "tidings serve to be ready", ct);
    }

    /// <summary>Polls <paramref name="done"/> every 20 ms; past the timeout, fails the run when <paramref name="what"/> is given, else returns.</summary>
    private static async Task WaitUntilAsync(Func<bool> done, TimeSpan timeout, string? what, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (!done())
        {
            if (clock.Elapsed > timeout)
            {
                if (what is null)
                    return;
                throw new BenchFailedException($"waited {timeout.TotalSeconds:0} s for {what}.");
            }
            await Task.Delay(20, ct);
        }
    }

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}
