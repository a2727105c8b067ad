using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Tidings.Bench.Dataset;
using Tidings.Data;
using Tidings.Data.Auditing;
using Tidings.Data.SoftDelete;
using Tidings.Data.Tenancy;
using Tidings.Events;

namespace Tidings.Bench.Writes;

/// <summary>One way of creating events, measured: events/s, and latency per request (or per transaction for batched ways).</summary>
public sealed record WayResult(string Key, string Label, Latency Latency, double EventsPerSecond, int Sent, long Written)
{
    public IEnumerable<Figure> Figures() =>
    [
        .. Latency.Figures(Key),
        new($"{Key}: events/s", EventsPerSecond, "events/s"),
        new($"{Key}: events sent", Sent, "rows"),
        new($"{Key}: events written", Written, "rows"),
    ];
}

/// <summary>What the API path wrote beside the events, checked against what it should have.</summary>
public sealed record ApiEffects(int Planted, int Marked, long Notifications, long AuditRows, CpuUse Cpu, TimeSpan Jit, int Events)
{
    public IEnumerable<Figure> Figures(string key) =>
    [
        new($"{key}: duplicates planted", Planted, "events"),
        new($"{key}: duplicates marked by the service", Marked, "events"),
        new($"{key}: notifications written", Notifications, "rows"),
        new($"{key}: audit rows written", AuditRows, "rows"),
        new($"{key}: CPU per event, this process (client + service)", Cpu.Process.TotalMilliseconds / Events, "ms"),
        .. Cpu.Others is { } others ? [new Figure($"{key}: CPU per event, rest of the machine (a database server, if local)", others.TotalMilliseconds / Events, "ms")] : Array.Empty<Figure>(),
        new($"{key}: machine CPU busy", 100 * Cpu.Utilisation, "%"),
        new($"{key}: JIT compilation per event (tiering still at work)", Jit.TotalMilliseconds / Events, "ms"),
    ];
}

/// <summary>Row counts of one business, every row (the trash too), read through the business's own context.</summary>
public sealed record BusinessCounts(long Events, long Notifications, long AuditLogs);

/// <summary>
/// The ways of creating events for the large business of a loaded bench database, each checked: the
/// rows it says it wrote are the rows that appeared.
/// </summary>
public sealed class WriteWays(BenchDatabase database, GeneratedBusiness business, IModel model)
{
    private Dictionary<Guid, Guid?> _assignees = [];
    private double _threshold;

    public static async Task<WriteWays> CreateAsync(BenchDatabase database, GeneratedBusiness business, CancellationToken ct)
    {
        await using var db = Context(database, business);
        var ways = new WriteWays(database, business, db.Model)
        {
            _assignees = await db.Clients.IgnoreQueryFilters([SoftDeleteRules.Filter]).ToDictionaryAsync(c => c.Id, c => c.AssignedToUserId, ct),
            _threshold = await db.Businesses.Select(b => b.NotificationRelevanceThreshold).SingleAsync(ct),
        };
        return ways;
    }

    /// <summary>A context of the business as a request of its principal gets one (options built anew, as the service builds them per request).</summary>
    private static TidingsDbContext Context(BenchDatabase database, GeneratedBusiness business)
    {
        var tenant = new CurrentTenant();
        tenant.Set(business.Id);
        var actor = new CurrentActor();
        actor.SetUser(business.PrincipalUserId, business.Id, "bench: write");
        actor.SetConnection("127.0.0.1", "Tidings.Bench");
        return DatabaseSetup.CreateContext(database.Settings, database.Settings.ConnectionString, tenant, actor);
    }

    public async Task<BusinessCounts> CountAsync(CancellationToken ct)
    {
        await using var db = Context(database, business);
        return new BusinessCounts(
            await db.Events.IgnoreQueryFilters([SoftDeleteRules.Filter]).LongCountAsync(ct),
            await db.Notifications.IgnoreQueryFilters([SoftDeleteRules.Filter]).LongCountAsync(ct),
            await db.AuditLogs.LongCountAsync(ct));
    }

    /// <summary>Whether the service should notify someone of this event: not a duplicate, over the threshold, its client assigned to someone other than the poster.</summary>
    public bool Notifies(NewEvent ev, bool duplicate) =>
        !duplicate && ev.RelevanceScore >= _threshold && _assignees.GetValueOrDefault(ev.ClientId) is { } assignee && assignee != business.PrincipalUserId;

    /// <summary>
    /// POST /api/events (<paramref name="batchSize"/> 1) or /api/events/batch by the first <paramref name="clients"/>
    /// of the signed-in clients at once, after untimed requests for <paramref name="warmup"/> (each token's first use,
    /// which records it, and the runtime's tiered JIT, which keeps recompiling hot code for the first minute
    /// or so of a fresh service). Latency is per request.
    /// </summary>
    public async Task<(WayResult Way, ApiEffects Effects)> ApiAsync(ApiClients signedIn, string key, string label, int clients,
        int events, TimeSpan warmup, CancellationToken ct, int batchSize = 1)
    {
        using var api = signedIn.First(clients);
        Task<ApiRun> Post(IReadOnlyList<NewEvent> sent, CancellationToken token) =>
            batchSize == 1 ? api.PostAsync(sent, token) : api.PostBatchesAsync(sent, batchSize, token);
        var warming = System.Diagnostics.Stopwatch.StartNew();
        for (var round = 0; round == 0 || warming.Elapsed < warmup; round++)
            await Post(ClassifierEvents.Make(business, $"{key}-warmup-{round}", clients * (batchSize == 1 ? 10 : 2 * batchSize)), ct);
        var before = await CountAsync(ct);
        var sent = ClassifierEvents.Make(business, key, events);
        var jit = System.Runtime.JitInfo.GetCompilationTime();
        var run = await Post(sent, ct);
        jit = System.Runtime.JitInfo.GetCompilationTime() - jit;
        var after = await CountAsync(ct);

        var written = after.Events - before.Events;
        var notifications = after.Notifications - before.Notifications;
        var audit = after.AuditLogs - before.AuditLogs;
        var expected = sent.Where((e, i) => Notifies(e, run.Duplicates[i])).Count();
        if (written != sent.Count)
            throw new BenchFailedException($"{label}: {sent.Count} POSTs answered 201 but events went up by {written}.");
        if (notifications != expected)
            throw new BenchFailedException($"{label}: {notifications} notifications were written, {expected} expected.");
        if (audit != written + notifications)
            throw new BenchFailedException($"{label}: {audit} audit rows for {written} events and {notifications} notifications.");
        var effects = new ApiEffects(sent.Count(e => e.IsRepeat), run.Duplicates.Count(d => d), notifications, audit, run.Cpu, jit, sent.Count);
        return (new WayResult(key, label, run.Latency, run.Latency.PerSecond * sent.Count / run.Latency.Runs, sent.Count, written), effects);
    }

    /// <summary>
    /// The service's own save path without HTTP or lookups: a context of the business per save, <paramref name="perSave"/>
    /// events added, SaveChangesAsync (stamped, checked, one audit row per event, one transaction). With many events
    /// per save it is what a batch endpoint would run. Latency is per save; the first save warms up untimed.
    /// </summary>
    public async Task<WayResult> ContextSavesAsync(string key, string label, int perSave, int saves, CancellationToken ct)
    {
        var events = ClassifierEvents.Rows(ClassifierEvents.Make(business, key, perSave * (saves + 1)), business);
        var before = await CountAsync(ct);
        var batches = events.Chunk(perSave).ToList();
        async Task SaveAsync(Event[] batch, CancellationToken token)
        {
            await using var db = Context(database, business);
            db.Events.AddRange(batch);
            var written = await db.SaveChangesAsync(token);
            if (written != 2 * batch.Length)
                throw new BenchFailedException($"{label}: a save of {batch.Length} events wrote {written} rows, not {2 * batch.Length} (events and their audit rows).");
        }
        await SaveAsync(batches[0], ct);
        var latency = await ConcurrentRun.MeasureAsync(saves, 1, (_, i, token) => SaveAsync(batches[i + 1], token), ct);
        var after = await CountAsync(ct);
        if (after.Events - before.Events != events.Count || after.AuditLogs - before.AuditLogs != events.Count)
            throw new BenchFailedException($"{label}: {events.Count} events saved, but events went up by {after.Events - before.Events} and audit rows by {after.AuditLogs - before.AuditLogs}.");
        return new WayResult(key, label, latency, latency.PerSecond * perSave, events.Count, after.Events - before.Events);
    }

    /// <summary>One audited save of one new event through a fresh context (for the per-request split).</summary>
    public async Task SaveOneAsync(Event ev, CancellationToken ct)
    {
        await using var db = Context(database, business);
        db.Events.Add(ev);
        await db.SaveChangesAsync(ct);
    }

    public Task<WayResult> InsertPerRowAsync(string key, string label, int rows, CancellationToken ct) =>
        CheckedAsync(key, label, rows, 1, events => PlainWrites.InsertPerRowAsync(database, model, business.Id, events, warmup: Math.Min(20, rows / 10), ct), ct);

    public Task<WayResult> InsertBatchesAsync(string key, string label, int batchSize, int batches, CancellationToken ct) =>
        CheckedAsync(key, label, batchSize * batches, batchSize, events => PlainWrites.InsertBatchesAsync(database, model, business.Id, events, batchSize, ct), ct);

    public Task<WayResult> CopyAsync(string key, string label, int batchSize, int batches, CancellationToken ct) =>
        CheckedAsync(key, label, batchSize * batches, batchSize, events => PlainWrites.CopyAsync(database, model, events, batchSize, ct), ct);

    public Task<WayResult> StagedCopyAsync(string key, string label, int batchSize, int batches, CancellationToken ct) =>
        CheckedAsync(key, label, batchSize * batches, batchSize, events => PlainWrites.StagedCopyAsync(database, business, events, batchSize, ct), ct);

    private async Task<WayResult> CheckedAsync(string key, string label, int rows, int rowsPerSample, Func<List<Event>, Task<Latency>> write, CancellationToken ct)
    {
        var events = ClassifierEvents.Rows(ClassifierEvents.Make(business, key, rows), business);
        var before = await CountAsync(ct);
        var latency = await write(events);
        var after = await CountAsync(ct);
        if (after.Events - before.Events != rows)
            throw new BenchFailedException($"{label}: events went up by {after.Events - before.Events}, not the {rows} written.");
        if (after.AuditLogs != before.AuditLogs)
            throw new BenchFailedException($"{label}: a plain write added audit rows.");
        return new WayResult(key, label, latency, latency.PerSecond * rowsPerSample, rows, after.Events - before.Events);
    }
}
