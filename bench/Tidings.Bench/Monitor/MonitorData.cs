using System.Data.Common;
using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Npgsql;
using Tidings.Businesses;
using Tidings.Categories;
using Tidings.Clients;
using Tidings.Data;
using Tidings.Data.Auditing;
using Tidings.Data.Tenancy;
using Tidings.Events;
using Tidings.Monitoring;
using Tidings.Users;

namespace Tidings.Bench.Monitor;

/// <summary>What was loaded for the monitor: how many of each, and how long it took.</summary>
public sealed record MonitorDataset(int Businesses, int Clients, int Sources, int FreshSources, int SeededEvents, TimeSpan Elapsed);

/// <summary>
/// The monitor's database before its first measured round: businesses with their taxonomy and an owner, clients
/// (one per five feeds of the farm, assigned to the owner, polled daily), and a `feed` source per farm feed kept
/// whole (keep=all). A share of the sources is fresh (never fetched, due now): the first round reads them from
/// nothing. The others are as a monitor leaves them in its steady state: fetched an hour ago, holding the farm's
/// validators, their items already stored as events, next due tomorrow. Rows go in by bulk load as a superuser
/// (COPY on PostgreSQL, with triggers off), as the other scenarios load theirs; the rounds then go through Tidings.
/// </summary>
public static class MonitorData
{
    private const int EventsPerTransaction = 20_000;

    /// <summary>Whether feed <paramref name="feed"/> of <paramref name="sources"/> is one of the <paramref name="fresh"/>, spread evenly.</summary>
    public static bool IsFresh(int feed, int sources, int fresh) => (long)feed * fresh / sources != (long)(feed + 1) * fresh / sources;

    public static async Task<MonitorDataset> LoadAsync(BenchDatabase database, FeedFarm farm, int businesses, int fresh, CancellationToken ct)
    {
        var stopwatch = Stopwatch.StartNew();
        IModel model;
        await using (var context = DatabaseSetup.CreateContext(database.Settings, database.Settings.ConnectionString, new CurrentTenant(), new CurrentActor()))
            model = context.Model;
        await using var connection = await OpenAsync(database, ct);
        var now = DateTime.UtcNow;
        var at = StoredTime.Of(now.AddDays(-30));
        var sources = farm.Feeds;
        var clients = (sources + FeedFarm.FeedsPerClient - 1) / FeedFarm.FeedsPerClient;
        var seeded = 0;
        var events = new List<Event>();
        for (var b = 0; b < businesses; b++)
        {
            var business = new Business { Name = $"Monitor Bench {b:D3}", Slug = $"monitor-bench-{b:D3}", CreatedAt = at, UpdatedAt = at };
            var owner = new User
            {
                BusinessId = business.Id, Email = $"owner@monitor{b:D3}.bench.test", DisplayName = $"Owner of {business.Name}",
                Role = UserRoles.Owner, CreatedAt = at, UpdatedAt = at,
            };
            var categories = DefaultTaxonomy.NewCategories();
            foreach (var category in categories)
            {
                category.BusinessId = business.Id;
                category.CreatedByUserId = owner.Id;
                category.CreatedAt = category.UpdatedAt = at;
            }
            // Clients are dealt to businesses in turn, so every business has about as many sources.
            var ownClients = Enumerable.Range(0, clients).Where(c => c % businesses == b).Select(c => (Number: c, Row: new Client
            {
                BusinessId = business.Id, Name = FarmHeadlines.ClientName(c), Domain = FeedFarm.ClientDomain(c),
                MonitoringFrequency = MonitoringFrequencies.Daily, AssignedToUserId = owner.Id, CreatedByUserId = owner.Id, CreatedAt = at, UpdatedAt = at,
            })).ToList();
            var ownSources = new List<Source>();
            foreach (var (number, client) in ownClients)
            {
                for (var feed = number * FeedFarm.FeedsPerClient; feed < Math.Min(sources, (number + 1) * FeedFarm.FeedsPerClient); feed++)
                {
                    var source = new Source
                    {
                        BusinessId = business.Id, ClientId = client.Id, Kind = SourceKinds.Feed, Url = farm.FeedUrl(feed), Keep = KeepRules.All,
                        CreatedByUserId = owner.Id, CreatedAt = at, UpdatedAt = at, NextDueAt = StoredTime.Of(now.AddMinutes(-1)),
                    };
                    ownSources.Add(source);
                    if (IsFresh(feed, sources, fresh))
                        continue;
                    (source.FeedUrl, source.Title, source.ETag) = (source.Url, FeedFarm.FeedTitle(feed), farm.ETagOf(feed));
                    source.LastFetchedAt = StoredTime.Of(now.AddHours(-1));
                    source.NextDueAt = StoredTime.Of(now.AddDays(1));
                    events.AddRange(farm.Items(feed).Select(item => Stored(item, feed, business, client, source, now)));
                }
            }
            await InTransactionAsync(connection, async transaction =>
            {
                await BulkInsert.LoadAsync(model, transaction, [business], ct);
                await BulkInsert.LoadAsync(model, transaction, [owner], ct);
                await BulkInsert.LoadAsync(model, transaction, categories, ct);
                await BulkInsert.LoadAsync(model, transaction, ownClients.Select(c => c.Row).ToList(), ct);
                await BulkInsert.LoadAsync(model, transaction, ownSources, ct);
            }, ct);
            if (events.Count >= EventsPerTransaction || b == businesses - 1)
            {
                await InTransactionAsync(connection, transaction => BulkInsert.LoadAsync(model, transaction, events, ct), ct);
                seeded += events.Count;
                events.Clear();
            }
        }
        await ExecuteAsync(connection, "ANALYZE", ct);
        await database.DistributeAsync(ct);
        return new MonitorDataset(businesses, clients, sources, fresh, seeded, stopwatch.Elapsed);
    }

    /// <summary>
    /// Makes every source due (since its creation, a month ago: a value already stored in each provider's format), as a
    /// backlog the monitor must work through, so processes share the round by their claims alone.
    /// </summary>
    public static async Task MakeEverySourceDueAsync(BenchDatabase database, CancellationToken ct)
    {
        await using var connection = await OpenAsync(database, ct);
        await ExecuteAsync(connection, "UPDATE sources SET next_due_at = created_at", ct);
    }

    /// <summary>An item as the monitor stored it an hour ago, labelled with the category its template was written for.</summary>
    private static Event Stored(PublishedItem item, int feed, Business business, Client client, Source source, DateTime now)
    {
        var discovered = StoredTime.Of(now.AddHours(-1));
        return new Event
        {
            BusinessId = business.Id, ClientId = client.Id, SourceId = source.Id,
            Title = item.Item.Title, Description = item.Item.Description, Url = item.Link,
            Source = FeedFarm.FeedTitle(feed), SourceType = feed % FeedFarm.FeedsPerClient == 0 ? SourceTypes.PressRelease : SourceTypes.News,
            KeptBecause = "every item of this source", Category = item.Item.Category,
            EventDate = StoredTime.Of(item.Published), DiscoveredAt = discovered, CreatedAt = discovered, UpdatedAt = discovered,
            ContentHash = ContentHash.Of(item.Link, item.Item.Title, client.Id),
        };
    }

    private static async Task<DbConnection> OpenAsync(BenchDatabase database, CancellationToken ct)
    {
        if (database.Provider == DatabaseProvider.Sqlite)
        {
            var sqlite = new SqliteConnection(database.LoaderConnectionString);
            await sqlite.OpenAsync(ct);
            await ExecuteAsync(sqlite, "PRAGMA foreign_keys=OFF", ct);
            return sqlite;
        }
        var npgsql = new NpgsqlConnection(database.LoaderConnectionString);
        await npgsql.OpenAsync(ct);
        // replica: no triggers, so no per-row foreign-key checks (the rows are consistent by construction).
        await ExecuteAsync(npgsql, "SET session_replication_role = replica", ct);
        return npgsql;
    }

    private static async Task InTransactionAsync(DbConnection connection, Func<DbTransaction, Task> write, CancellationToken ct)
    {
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await write(transaction);
        await transaction.CommitAsync(ct);
    }

    private static async Task ExecuteAsync(DbConnection connection, string sql, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.CommandTimeout = 0;
        await command.ExecuteNonQueryAsync(ct);
    }
}
