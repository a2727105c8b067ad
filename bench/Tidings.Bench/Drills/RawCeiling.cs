using System.Collections.Concurrent;
using System.Data.Common;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Metadata;
using Npgsql;
using Tidings.Bench.Writes;
using Tidings.Data;
using Tidings.Data.Auditing;
using Tidings.Data.Postgres;
using Tidings.Data.Tenancy;
using Tidings.Events;
using Tidings.Interactions;
using Guards = Tidings.Data.Postgres.DatabaseGuards;

namespace Tidings.Bench.Drills;

/// <summary>
/// The raw-SQL ceiling of each load: the same database work with no service in front of it, on as many
/// connections of the app role (row-level security on), each unit a transaction that starts with the tenant's
/// set_config as PostgresTenantSession makes it, each statement prepared and planned as the service plans it (with
/// its values, or once for all when tagged GenericPlan): the feed's own two statements (captured from EventFeed as
/// they went out), an upsert of the interaction, an insert of the event.
/// </summary>
public static class RawCeiling
{
    /// <summary>N connections, each running <paramref name="work"/> back to back for <paramref name="duration"/>, every run timed.</summary>
    public static async Task<LoadFigures> RunAsync(string connectionString, int connections, TimeSpan duration,
        Func<NpgsqlConnection, CancellationToken, Task<Func<long, CancellationToken, Task>>> prepare,
        Func<CancellationToken, Task<Dictionary<int, TimeSpan>>> databaseCpu, CancellationToken ct)
    {
        var opened = new List<NpgsqlConnection>();
        try
        {
            var work = new List<Func<long, CancellationToken, Task>>();
            for (var i = 0; i < connections; i++)
            {
                var connection = new NpgsqlConnection(connectionString);
                opened.Add(connection);
                await connection.OpenAsync(ct);
                // A prepared statement's generic plan guesses "a few rows per business" and can take a thousand times longer
                // for a large one (bench/README.md, feed); a custom plan per run is what Tidings' own unprepared statements get.
                await using (var custom = new NpgsqlCommand("SET plan_cache_mode = force_custom_plan", connection))
                    await custom.ExecuteNonQueryAsync(ct);
                work.Add(await prepare(connection, ct));
            }
            var samples = new ConcurrentBag<double>();
            var errors = 0L;
            var cpuBefore = await databaseCpu(ct);
            var total = Stopwatch.StartNew();
            await Task.WhenAll(work.Select((run, worker) => Task.Run(async () =>
            {
                var local = new List<double>();
                for (long n = worker * 1_000_003L; total.Elapsed < duration; n++)
                {
                    var one = Stopwatch.GetTimestamp();
                    try
                    {
                        await run(n, ct);
                        local.Add(Stopwatch.GetElapsedTime(one).TotalMilliseconds);
                    }
                    catch (DbException)
                    {
                        Interlocked.Increment(ref errors);
                    }
                }
                foreach (var sample in local)
                    samples.Add(sample);
            }, ct)));
            var seconds = total.Elapsed.TotalSeconds;
            var cpu = DrillPostgres.Spent(cpuBefore, await databaseCpu(ct));
            var sorted = samples.Order().ToList();
            var statuses = new SortedDictionary<int, long> { [200] = sorted.Count };
            if (errors > 0)
                statuses[599] = errors;
            return new LoadFigures(sorted.Count + errors, seconds, sorted.Count / seconds, Latency.Percentile(sorted, 0.50), Latency.Percentile(sorted, 0.99), statuses,
                cpu.TotalMilliseconds / Math.Max(1, sorted.Count));
        }
        finally
        {
            foreach (var connection in opened)
                await connection.DisposeAsync();
        }
    }

    private static NpgsqlBatchCommand Tenant(Guid businessId) => new(
        $"SELECT set_config('{Guards.BusinessSetting}', @business, true), set_config('{Guards.PlatformSetting}', 'off', true)")
    {
        Parameters = { new NpgsqlParameter("business", businessId.ToString()) },
    };

    /// <summary>The statements GET /api/events sends for the owner's first page, captured from EventFeed as Tidings runs it.</summary>
    public static async Task<List<(string Sql, List<NpgsqlParameter> Parameters)>> FeedStatementsAsync(DatabaseSettings settings, DrillBusiness business, CancellationToken ct)
    {
        var capture = new StatementCapture();
        var options = DatabaseSetup.PostgresOptions(settings.ConnectionString).AddInterceptors(capture).Options;
        var tenant = new CurrentTenant();
        tenant.Set(business.Id);
        var actor = new CurrentActor();
        actor.SetUser(business.OwnerId, business.Id, "drill");
        await using var db = new PostgresTidingsDbContext(options).Bind(tenant, actor, TimeProvider.System);
        var page = await EventFeed.PageAsync(db, business.OwnerId, new FeedFilter(), Web.Paging.DefaultLimit, null, ct);
        if (page.Items.Count == 0 || capture.Sent.Count == 0)
            throw new BenchFailedException("the feed returned nothing to measure.");
        return capture.Sent;
    }

    /// <summary>One transaction: the tenant setting and the page in one round trip, then the page's tags, as the feed sends them.</summary>
    public static Func<NpgsqlConnection, CancellationToken, Task<Func<long, CancellationToken, Task>>> Feed(Guid businessId, List<(string Sql, List<NpgsqlParameter> Parameters)> statements) =>
        async (connection, ct) =>
        {
            var batches = new List<NpgsqlBatch>();
            for (var i = 0; i < statements.Count; i++)
            {
                var batch = new NpgsqlBatch(connection);
                if (i == 0)
                    batch.BatchCommands.Add(Tenant(businessId));
                // Planned as the service plans it: with its values, or once for all when Tidings tags it so (GenericPlan).
                batch.BatchCommands.Add(new NpgsqlBatchCommand(
                    $"SELECT set_config('plan_cache_mode', '{GenericPlan.PlanCacheModeOf(statements[i].Sql)}', true)"));
                var command = new NpgsqlBatchCommand(statements[i].Sql);
                command.Parameters.AddRange(statements[i].Parameters.Select(p => p.Clone()).ToArray());
                batch.BatchCommands.Add(command);
                await batch.PrepareAsync(ct);
                batches.Add(batch);
            }
            return async (_, token) =>
            {
                await using var transaction = await connection.BeginTransactionAsync(token);
                foreach (var batch in batches)
                {
                    batch.Transaction = transaction;
                    await using var reader = await batch.ExecuteReaderAsync(token);
                    do
                    {
                        while (await reader.ReadAsync(token))
                        {
                        }
                    } while (await reader.NextResultAsync(token));
                }
                await transaction.CommitAsync(token);
            };
        };

    /// <summary>An upsert of the caller's interaction with one event, flipping read and starred as the load's PUTs do.</summary>
    public static Func<NpgsqlConnection, CancellationToken, Task<Func<long, CancellationToken, Task>>> Interactions(DrillBusiness business, IModel model) =>
        async (connection, ct) =>
        {
            var table = ModelColumn.TableOf<EventUserInteraction>(model);
            var columns = ModelColumn.Of<EventUserInteraction>(model, nameof(EventUserInteraction.Id), nameof(EventUserInteraction.BusinessId),
                nameof(EventUserInteraction.EventId), nameof(EventUserInteraction.UserId), nameof(EventUserInteraction.IsRead), nameof(EventUserInteraction.ReadAt),
                nameof(EventUserInteraction.IsStarred), nameof(EventUserInteraction.StarredAt), nameof(EventUserInteraction.CreatedAt), nameof(EventUserInteraction.UpdatedAt));
            string Set(string column) => $"{RawStatements.Quote(column)} = excluded.{RawStatements.Quote(column)}";
            var sql = RawStatements.InsertSql(table, columns) + " ON CONFLICT (business_id, event_id, user_id) DO UPDATE SET "
                + string.Join(", ", columns.Skip(4).Where(c => c.Name != "created_at").Select(c => Set(c.Name)));
            var upsert = await RawStatements.PrepareAsync(connection, business.Id, [(sql, columns)], ct);
            return async (n, token) =>
            {
                var now = StoredTime.Now(TimeProvider.System);
                var pass = n / business.EventIds.Count % 2 == 0;
                upsert.Bind(0, columns, new EventUserInteraction
                {
                    BusinessId = business.Id, EventId = business.EventIds[(int)(n % business.EventIds.Count)], UserId = business.OwnerId,
                    IsRead = pass, ReadAt = pass ? now : null, IsStarred = !pass, StarredAt = pass ? null : now, CreatedAt = now, UpdatedAt = now,
                });
                await using var transaction = await connection.BeginTransactionAsync(token);
                await upsert.ExecuteAsync(transaction, token);
                await transaction.CommitAsync(token);
            };
        };

    /// <summary>An insert of one new event with every column the API fills.</summary>
    public static Func<NpgsqlConnection, CancellationToken, Task<Func<long, CancellationToken, Task>>> Events(DrillBusiness business, IModel model, string runTag) =>
        async (connection, ct) =>
        {
            var columns = ModelColumn.Of<Event>(model);
            var insert = await RawStatements.PrepareAsync(connection, business.Id, [(RawStatements.InsertSql(ModelColumn.TableOf<Event>(model), columns), columns)], ct);
            return async (n, token) =>
            {
                var now = StoredTime.Now(TimeProvider.System);
                var clientId = business.ClientIds[(int)(n % business.ClientIds.Count)];
                var (title, url) = ($"Ceiling {runTag} {n}", $"https://news.example/ceiling/{runTag}/{n}");
                insert.Bind(0, columns, new Event
                {
                    BusinessId = business.Id, ClientId = clientId, Title = title, Url = url, Category = "funding", SourceType = "news",
                    RelevanceScore = 0.5, EventDate = new DateTime(2026, 6, 1, 9, 0, 0, DateTimeKind.Utc), DiscoveredAt = now,
                    ContentHash = ContentHash.Of(url, title, clientId), CreatedByUserId = business.OwnerId, CreatedAt = now, UpdatedAt = now,
                });
                await using var transaction = await connection.BeginTransactionAsync(token);
                await insert.ExecuteAsync(transaction, token);
                await transaction.CommitAsync(token);
            };
        };

    /// <summary>Keeps the statements a context sends, without the tenant setting PostgresTenantSession puts in front of them.</summary>
    private sealed class StatementCapture : DbCommandInterceptor
    {
        public List<(string Sql, List<NpgsqlParameter> Parameters)> Sent { get; } = [];

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            Sent.Add((PostgresTenantSession.StatementOf(command.CommandText),
                command.Parameters.Cast<NpgsqlParameter>().Where(p => !PostgresTenantSession.IsSettingsParameter(p.ParameterName)).Select(p => p.Clone()).ToList()));
            return base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
        }
    }
}
