using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;
using Tidings.Bench.Dataset;
using Tidings.Data;
using Tidings.Data.Auditing;
using Tidings.Data.Postgres;
using Tidings.Data.Sqlite;
using Tidings.Data.Tenancy;
using Tidings.Events;

namespace Tidings.Bench.Feed;

/// <summary>
/// One reader of one business's feed, three ways: Tidings' own query code (EventFeed.PageAsync on a new
/// context per page, as a request gets), GET /api/events against the running service, and the hand-written
/// SQL ceiling; plus the cases worth measuring and the plans that explain them.
/// </summary>
public sealed class FeedProbe(BenchDatabase database, GeneratedBusiness business, FeedCeiling ceiling, HttpClient? http) : IAsyncDisposable
{
    private readonly StatementCapture _capture = new();
    private DbContextOptions? _options;

    public GeneratedBusiness Business => business;

    /// <summary>How many LINQ queries EF has compiled: steady while measuring, or the feed misses EF's query cache.</summary>
    public int Compilations { get; private set; }

    public static async Task<FeedProbe> OpenAsync(BenchDatabase database, GeneratedBusiness business, BenchService? service, CancellationToken ct)
    {
        var ceiling = await FeedCeiling.OpenAsync(database.Settings, database.Citus, business.Id, business.PrincipalUserId, ct);
        var http = service is null ? null : await service.SignInAsync(business.PrincipalEmail, DatasetGenerator.Password, ct);
        return new FeedProbe(database, business, ceiling, http);
    }

    /// <summary>First page, the 200th page through the keyset cursor (or the deepest there is), unread only, one client, one category.</summary>
    public async Task<List<FeedCase>> CasesAsync(CancellationToken ct)
    {
        var first = new FeedCase("first page", new FeedFilter());
        var (deepPage, cursor) = await CursorBeforePageAsync(first.Filter, 200, ct);
        return
        [
            first,
            new FeedCase($"page {deepPage} (keyset cursor)", first.Filter, cursor),
            new FeedCase("unread=true", new FeedFilter(Unread: true)),
            new FeedCase("client filter (busiest client)", new FeedFilter(ClientId: business.BusiestClientId)),
            new FeedCase($"category={business.CommonCategory}", new FeedFilter(Category: business.CommonCategory)),
        ];
    }

    /// <summary>The cursor a reader holds after paging to page <paramref name="page"/> - 1, or to the last full page when there are fewer.</summary>
    private async Task<(int Page, FeedCursor? Cursor)> CursorBeforePageAsync(FeedFilter filter, int page, CancellationToken ct)
    {
        await using var db = Context();
        var rows = EventFeed.Matching(db, business.PrincipalUserId, filter).NewestFirst();
        var total = await rows.CountAsync(ct);
        page = Math.Max(1, Math.Min(page, (total - 1) / FeedCase.PageSize + 1));
        if (page == 1)
            return (1, null);
        var last = await rows.Skip((page - 1) * FeedCase.PageSize - 1).Select(x => new FeedCursor(x.Event.EventDate, x.Event.Id)).FirstAsync(ct);
        return (page, last);
    }

    /// <summary>Tidings' query code, as GET /api/events runs it, on a fresh context (a request's own); answers the page's event ids.</summary>
    public async Task<List<Guid>> TidingsAsync(FeedCase feedCase, CancellationToken ct)
    {
        await using var db = Context();
        var page = await EventFeed.PageAsync(db, business.PrincipalUserId, feedCase.Filter, FeedCase.PageSize, feedCase.Cursor, ct);
        return page.Items.Select(e => e.Id).ToList();
    }

    /// <summary>
    /// Fails the run unless the ceiling returns exactly Tidings' page (the same events in the same order,
    /// plus the one extra row that says a next page exists): a faster query for other rows is no ceiling.
    /// </summary>
    public async Task CheckSamePageAsync(FeedCase feedCase, CancellationToken ct)
    {
        var tidings = await TidingsAsync(feedCase, ct);
        var raw = await ceiling.IdsAsync(feedCase, ct);
        if (!tidings.SequenceEqual(raw.Take(FeedCase.PageSize)) || tidings.Count == 0 && raw.Count > 0)
            throw new BenchFailedException($"the ceiling SQL and Tidings disagree on '{feedCase.Name}' ({raw.Count} rows against {tidings.Count}).");
    }

    public async Task<int> HttpAsync(FeedCase feedCase, CancellationToken ct)
    {
        using var response = await http!.GetAsync(feedCase.QueryString(), ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
            throw new BenchFailedException($"GET {feedCase.QueryString()} answered {(int)response.StatusCode}: {body}");
        return body.Length;
    }

    public Task<int> CeilingAsync(FeedCase feedCase, CancellationToken ct) => ceiling.PageAsync(feedCase, ct);

    public Task<string> CeilingPlanAsync(FeedCase feedCase, CancellationToken ct) => ceiling.PlanAsync(feedCase, ct);

    /// <summary>The plans of the very statements Tidings sends for the case (the page, then its tags), captured as they go out.</summary>
    public async Task<List<(string Sql, string Plan)>> TidingsPlansAsync(FeedCase feedCase, CancellationToken ct)
    {
        _capture.Sent.Clear();
        await TidingsAsync(feedCase, ct);
        if (_capture.Sent.Count == 0)
            throw new BenchFailedException("no statement was captured for the feed page.");
        var plans = new List<(string, string)>();
        foreach (var (sql, parameters) in _capture.Sent.ToList())
            plans.Add((sql, await ceiling.PlanAsync(sql, command => command.Parameters.AddRange(parameters.ToArray()), ct)));
        return plans;
    }

    public async ValueTask DisposeAsync()
    {
        http?.Dispose();
        await ceiling.DisposeAsync();
    }

    private TidingsDbContext Context()
    {
        var tenant = new CurrentTenant();
        tenant.Set(business.Id);
        var actor = new CurrentActor();
        actor.SetUser(business.PrincipalUserId, business.Id, "bench reader");
        // Options are built once and shared by every context, as the service's dependency injection does.
        var settings = database.Settings;
        _options ??= settings.Provider == DatabaseProvider.Sqlite
            ? DatabaseSetup.SqliteOptions(settings.ConnectionString).AddInterceptors(_capture).LogTo(_ => Compilations++, [CoreEventId.QueryCompilationStarting]).Options
            : DatabaseSetup.PostgresOptions(settings.ConnectionString).AddInterceptors(_capture).LogTo(_ => Compilations++, [CoreEventId.QueryCompilationStarting]).Options;
        return settings.Provider == DatabaseProvider.Sqlite
            ? new SqliteTidingsDbContext((DbContextOptions<SqliteTidingsDbContext>)_options).Bind(tenant, actor, TimeProvider.System)
            : new PostgresTidingsDbContext((DbContextOptions<PostgresTidingsDbContext>)_options).Bind(tenant, actor, TimeProvider.System);
    }

    /// <summary>Keeps the statements contexts send, without the tenant settings PostgresTenantSession puts in front of them.</summary>
    private sealed class StatementCapture : DbCommandInterceptor
    {
        private const int Kept = 10;

        public List<(string Sql, List<DbParameter> Parameters)> Sent { get; } = [];

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            var sql = PostgresTenantSession.StatementOf(command.CommandText);
            // Only the few statements of the page being explained are wanted; measured runs must not pile up.
            if (Sent.Count < Kept)
                Sent.Add((sql, command.Parameters.Cast<DbParameter>().Where(p => !PostgresTenantSession.IsSettingsParameter(p.ParameterName)).Select(Clone).ToList()));
            return base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
        }

        private static DbParameter Clone(DbParameter parameter) => parameter switch
        {
            NpgsqlParameter npgsql => npgsql.Clone(),
            Microsoft.Data.Sqlite.SqliteParameter sqlite => new Microsoft.Data.Sqlite.SqliteParameter(sqlite.ParameterName, sqlite.Value ?? DBNull.Value),
            _ => throw new NotSupportedException(parameter.GetType().Name),
        };
    }
}
