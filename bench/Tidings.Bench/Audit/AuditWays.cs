using System.Data.Common;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Tidings.Bench.Dataset;
using Tidings.Bench.Writes;
using Tidings.Data;
using Tidings.Data.Auditing;
using Tidings.Data.Postgres;
using Tidings.Data.Sqlite;
using Tidings.Data.Tenancy;
using Tidings.Events;

namespace Tidings.Bench.Audit;

/// <summary>A live event of the business as the bench last wrote it (what a raw audit row records as old values).</summary>
public sealed class AuditTarget(Guid id, string title, double relevance)
{
    public Guid Id { get; } = id;
    public string Title { get; set; } = title;
    public double Relevance { get; set; } = relevance;
}

/// <summary>
/// The four ways of updating one event (title and relevance score) that the audit scenario compares, each
/// one update per call: through a TidingsDbContext of the business with audit rows written or dropped,
/// and by plain SQL as the app role with or without an audit_logs INSERT in the same transaction. Every
/// update really changes the row (a fresh revision in the title), so every audited one writes an audit row.
/// </summary>
public sealed class AuditWays : IAsyncDisposable
{
    public const string ActorOn = "bench: auditing on";
    public const string ActorOff = "bench: auditing off";
    public const string ActorRawOn = "bench: raw SQL with audit";
    public const string TitlePrefix = "Audit bench revision ";

    private readonly BenchDatabase _database;
    private readonly GeneratedBusiness _business;
    private readonly DbContextOptions _on, _off;
    private readonly AuditRowsInterceptor _onWatch = new(dropAuditRows: false), _offWatch = new(dropAuditRows: true);
    private readonly DbConnection _raw;
    private readonly RawStatements _rawUpdate, _rawAudited;
    private readonly IReadOnlyList<ModelColumn> _eventColumns, _auditColumns;
    private readonly long[] _preSaveTicks = new long[2];
    private readonly int[] _saves = new int[2];
    private int _revision;

    private AuditWays(BenchDatabase database, GeneratedBusiness business, IModel model, DbConnection raw, RawStatements update, RawStatements audited,
        IReadOnlyList<ModelColumn> eventColumns, IReadOnlyList<ModelColumn> auditColumns)
    {
        _database = database;
        _business = business;
        _raw = raw;
        _rawUpdate = update;
        _rawAudited = audited;
        _eventColumns = eventColumns;
        _auditColumns = auditColumns;
        _on = Options(database, _onWatch);
        _off = Options(database, _offWatch);
        Model = model;
    }

    public IModel Model { get; }

    /// <summary>Mean time of TidingsDbContext's own rules before EF writes (tenancy, stamping, building the audit description), per context save since the last reset.</summary>
    public TimeSpan PreSave(bool audited)
    {
        var i = audited ? 1 : 0;
        return _saves[i] == 0 ? TimeSpan.Zero : TimeSpan.FromSeconds((double)_preSaveTicks[i] / Stopwatch.Frequency / _saves[i]);
    }

    public void ResetPreSave()
    {
        Array.Clear(_preSaveTicks);
        Array.Clear(_saves);
    }

    public static async Task<AuditWays> CreateAsync(BenchDatabase database, GeneratedBusiness business, CancellationToken ct)
    {
        IModel model;
        await using (var db = DatabaseSetup.CreateContext(database.Settings, database.Settings.ConnectionString, new CurrentTenant(), new CurrentActor()))
            model = db.Model;
        var eventColumns = ModelColumn.Of<Event>(model, nameof(Event.Title), nameof(Event.RelevanceScore), nameof(Event.UpdatedAt), nameof(Event.BusinessId), nameof(Event.Id));
        var auditColumns = ModelColumn.Of<AuditLog>(model);
        var update = $"UPDATE {RawStatements.Quote(ModelColumn.TableOf<Event>(model))} SET " +
            string.Join(", ", eventColumns.Take(3).Select((c, i) => $"{RawStatements.Quote(c.Name)} = @p{i}")) +
            $" WHERE {RawStatements.Quote(eventColumns[3].Name)} = @p3 AND {RawStatements.Quote(eventColumns[4].Name)} = @p4";
        var insert = RawStatements.InsertSql(ModelColumn.TableOf<AuditLog>(model), auditColumns);
        var tenant = database.Provider == DatabaseProvider.Postgres ? business.Id : (Guid?)null;
        var raw = await RawStatements.OpenAsync(database, ct);
        var plain = await RawStatements.PrepareAsync(raw, tenant, [(update, eventColumns)], ct);
        var audited = await RawStatements.PrepareAsync(raw, tenant, [(update, eventColumns), (insert, auditColumns)], ct);
        return new AuditWays(database, business, model, raw, plain, audited, eventColumns, auditColumns);
    }

    private static DbContextOptions Options(BenchDatabase database, AuditRowsInterceptor watch) =>
        database.Provider == DatabaseProvider.Sqlite
            ? DatabaseSetup.SqliteOptions(database.Settings.ConnectionString).AddInterceptors(watch).Options
            : DatabaseSetup.PostgresOptions(database.Settings.ConnectionString).AddInterceptors(watch).Options;

    /// <summary>A context of the business acting as its principal, as a request of that user gets one.</summary>
    private static TidingsDbContext Context(BenchDatabase database, GeneratedBusiness business, DbContextOptions options, string actorName)
    {
        var tenant = new CurrentTenant();
        tenant.Set(business.Id);
        var actor = new CurrentActor();
        actor.SetUser(business.PrincipalUserId, business.Id, actorName);
        actor.SetConnection("127.0.0.1", "Tidings.Bench");
        return database.Provider == DatabaseProvider.Sqlite
            ? new SqliteTidingsDbContext((DbContextOptions<SqliteTidingsDbContext>)options).Bind(tenant, actor, TimeProvider.System)
            : new PostgresTidingsDbContext((DbContextOptions<PostgresTidingsDbContext>)options).Bind(tenant, actor, TimeProvider.System);
    }

    public TidingsDbContext ReadContext() => Context(_database, _business, _on, ActorOn);

    /// <summary>Live events of the business (live client too), spread over its history by id order.</summary>
    public async Task<List<AuditTarget>> PickAsync(int count, CancellationToken ct)
    {
        await using var db = ReadContext();
        var live = await db.Events.OrderBy(e => e.Id).Select(e => new { e.Id, e.Title, e.RelevanceScore }).ToListAsync(ct);
        if (live.Count < count)
            throw new BenchFailedException($"the large business has {live.Count} live events, fewer than the {count} to update: raise --events.");
        var step = live.Count / count;
        return Enumerable.Range(0, count).Select(i => live[i * step]).Select(e => new AuditTarget(e.Id, e.Title, e.RelevanceScore)).ToList();
    }

    private (string Title, double Relevance) Next(AuditTarget target)
    {
        var revision = ++_revision;
        var relevance = Math.Round((revision * 7919 % 1000) / 1000.0, 3);
        return ($"{TitlePrefix}{revision} of {target.Id}", relevance == target.Relevance ? Math.Round(1 - relevance, 3) : relevance);
    }

    /// <summary>The product's path: load the event, change it, SaveChangesAsync (one transaction: UPDATE and, when audited, one audit_logs INSERT).</summary>
    public async Task ThroughContextAsync(bool audited, AuditTarget target, CancellationToken ct)
    {
        await using var db = Context(_database, _business, audited ? _on : _off, audited ? ActorOn : ActorOff);
        var ev = await db.Events.SingleAsync(e => e.Id == target.Id, ct);
        (ev.Title, ev.RelevanceScore) = Next(target);
        var saving = Stopwatch.GetTimestamp();
        var written = await db.SaveChangesAsync(ct);
        _preSaveTicks[audited ? 1 : 0] += (audited ? _onWatch : _offWatch).WritingStartedAt - saving;
        _saves[audited ? 1 : 0]++;
        if (written != (audited ? 2 : 1))
            throw new BenchFailedException($"a context save with auditing {(audited ? "on" : "off")} wrote {written} rows, not {(audited ? 2 : 1)}.");
        (target.Title, target.Relevance) = (ev.Title, ev.RelevanceScore);
    }

    /// <summary>The same UPDATE by plain SQL as the app role with the business set, and when audited an audit_logs INSERT of a like row, in one transaction.</summary>
    public async Task RawAsync(bool audited, AuditTarget target, CancellationToken ct)
    {
        var (title, relevance) = Next(target);
        var now = StoredTime.Of(DateTime.UtcNow);
        var statements = audited ? _rawAudited : _rawUpdate;
        object?[] update = [title, relevance, now, _business.Id, target.Id];
        for (var i = 0; i < update.Length; i++)
            statements.Bind(0, i, _eventColumns[i], update[i]);
        if (audited)
            statements.Bind(1, _auditColumns, AuditRow(target, title, relevance, now));
        await using var transaction = await _raw.BeginTransactionAsync(ct);
        var written = await statements.ExecuteAsync(transaction, ct);
        await transaction.CommitAsync(ct);
        if (written != (audited ? 2 : 1))
            throw new BenchFailedException($"a raw update {(audited ? "with" : "without")} audit wrote {written} rows, not {(audited ? 2 : 1)}.");
        (target.Title, target.Relevance) = (title, relevance);
    }

    /// <summary>An audit row shaped like the one TidingsDbContext writes for this change: the changed columns' old and new values.</summary>
    private AuditLog AuditRow(AuditTarget target, string title, double relevance, DateTime now) => new()
    {
        BusinessId = _business.Id,
        UserId = _business.PrincipalUserId,
        ActorName = ActorRawOn,
        TableName = ModelColumn.TableOf<Event>(Model),
        RecordId = target.Id.ToString(),
        Action = AuditActions.Update,
        OldValues = JsonSerializer.Serialize(new Dictionary<string, object> { ["relevance_score"] = target.Relevance, ["title"] = target.Title }),
        NewValues = JsonSerializer.Serialize(new Dictionary<string, object> { ["relevance_score"] = relevance, ["title"] = title }),
        ChangedFields = JsonSerializer.Serialize(new[] { "relevance_score", "title" }),
        IpAddress = "127.0.0.1",
        UserAgent = "Tidings.Bench",
        CreatedAt = now,
    };

    public async ValueTask DisposeAsync()
    {
        await _rawUpdate.DisposeAsync();
        await _rawAudited.DisposeAsync();
        await _raw.DisposeAsync();
    }
}
