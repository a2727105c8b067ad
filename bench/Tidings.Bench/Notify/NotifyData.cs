using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Metadata;
using Npgsql;
using Tidings.Businesses;
using Tidings.Clients;
using Tidings.Data;
using Tidings.Data.Auditing;
using Tidings.Data.Tenancy;
using Tidings.Delivery.Outbox;
using Tidings.Delivery.Webhooks;
using Tidings.Events;
using Tidings.Monitoring;
using Tidings.Users;

namespace Tidings.Bench.Notify;

/// <summary>A backlog loaded for a phase: its businesses and the ids of its outbox messages.</summary>
public sealed record Backlog(IReadOnlyList<Guid> Businesses, IReadOnlySet<Guid> MessageIds, int PayloadBytes, TimeSpan Elapsed);

/// <summary>
/// The pending deliveries the drain and the kill drill work through, bulk loaded as a superuser (COPY on PostgreSQL,
/// triggers off) into a migrated database: businesses with an owner, a client and one enabled json endpoint wanting
/// event.created on the receiver, and outbox messages as OutboxRules writes them for a new event (channel webhook, the
/// endpoint, type event.created, the body WebhookMessages makes for an event, due now, pending).
/// </summary>
public static class NotifyData
{
    private const int RowsPerTransaction = 5_000;

    private static readonly string[] Companies = ["Northwind Traders", "Contoso Pharmaceuticals", "Fabrikam Robotics", "Tailspin Aerospace", "Adventure Works Cycles"];

    private static readonly (string Category, string? Subcategory, string Title, string Description)[] Stories =
    [
        ("funding", "series_b", "{0} raises $48 million Series B led by Meridian Capital",
            "{0} closed a $48 million Series B round led by Meridian Capital to expand its sales teams in Europe."),
        ("acquisition", null, "{0} agrees to buy logistics start-up Parcelwise for an undisclosed sum",
            "{0} will acquire Parcelwise, a Lyon-based routing software company; the deal should close next quarter."),
        ("leadership_change", "new_ceo", "{0} names former Siemens executive Dana Whitfield chief executive",
            "Dana Whitfield becomes chief executive of {0} on March 1, succeeding co-founder Marc Delaunay."),
        ("product_launch", null, "{0} launches Atlas, an analytics suite for mid-sized manufacturers",
            "{0} unveiled Atlas, a subscription suite connecting plant sensors to planning tools, from $2,000 a month."),
    ];

    public static async Task<Backlog> LoadAsync(BenchDatabase database, string phase, string endpointUrl, int businesses, int messages, CancellationToken ct)
    {
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        IModel model;
        await using (var context = DatabaseSetup.CreateContext(database.Settings, database.Settings.ConnectionString, new CurrentTenant(), new CurrentActor()))
            model = context.Model;
        await using var connection = await OpenAsync(database, ct);
        var now = DateTime.UtcNow;
        var at = StoredTime.Of(now.AddDays(-30));
        var due = StoredTime.Of(now);
        var ids = new HashSet<Guid>();
        var businessIds = new List<Guid>();
        long payloadBytes = 0;
        for (var b = 0; b < businesses; b++)
        {
            var business = new Business { Name = $"Notify Bench {phase} {b:D2}", Slug = $"notify-bench-{phase}-{b:D2}", CreatedAt = at, UpdatedAt = at };
            var owner = new User
            {
                BusinessId = business.Id, Email = $"owner@notify-{phase}-{b:D2}.bench.test", DisplayName = $"Owner of {business.Name}",
                Role = UserRoles.Owner, CreatedAt = at, UpdatedAt = at,
            };
            var company = Companies[b % Companies.Length];
            var client = new Client
            {
                BusinessId = business.Id, Name = company, Domain = $"{company.Split(' ')[0].ToLowerInvariant()}.example", AssignedToUserId = owner.Id,
                CreatedByUserId = owner.Id, CreatedAt = at, UpdatedAt = at,
            };
            var webhook = new Webhook
            {
                BusinessId = business.Id, Url = endpointUrl, Format = WebhookFormats.Json, EventTypes = [WebhookEventTypes.EventCreated],
                Secret = WebhookSecret.New(), CreatedByUserId = owner.Id, CreatedAt = at, UpdatedAt = at,
            };
            await InTransactionAsync(connection, async transaction =>
            {
                await BulkInsert.LoadAsync(model, transaction, [business], ct);
                await BulkInsert.LoadAsync(model, transaction, [owner], ct);
                await BulkInsert.LoadAsync(model, transaction, [client], ct);
                await BulkInsert.LoadAsync(model, transaction, [webhook], ct);
            }, ct);
            businessIds.Add(business.Id);
            // The messages are dealt to the businesses in turn.
            var own = messages / businesses + (b < messages % businesses ? 1 : 0);
            for (var done = 0; done < own; done += RowsPerTransaction)
            {
                var rows = Enumerable.Range(done, Math.Min(RowsPerTransaction, own - done)).Select(i =>
                {
                    var payload = Payload(i, business.Id, client, due);
                    payloadBytes += System.Text.Encoding.UTF8.GetByteCount(payload);
                    var message = new OutboxMessage
                    {
                        BusinessId = business.Id, Channel = OutboxChannels.Webhook, WebhookId = webhook.Id, Type = WebhookEventTypes.EventCreated,
                        Payload = payload, NextAttemptAt = due, CreatedAt = due,
                    };
                    ids.Add(message.Id);
                    return message;
                }).ToList();
                await InTransactionAsync(connection, transaction => BulkInsert.LoadAsync(model, transaction, rows, ct), ct);
            }
        }
        await ExecuteAsync(connection, "ANALYZE", ct);
        return new Backlog(businessIds, ids, (int)(payloadBytes / Math.Max(1, messages)), stopwatch.Elapsed);
    }

    /// <summary>The body OutboxRules would write for event number <paramref name="i"/> of a client: a news story, about 600 bytes.</summary>
    private static string Payload(int i, Guid businessId, Client client, DateTime now)
    {
        var story = Stories[i % Stories.Length];
        var ev = new Event
        {
            BusinessId = businessId, ClientId = client.Id,
            Title = string.Format(System.Globalization.CultureInfo.InvariantCulture, story.Title, client.Name),
            Description = string.Format(System.Globalization.CultureInfo.InvariantCulture, story.Description, client.Name),
            Url = $"https://news.example/{now:yyyy/MM/dd}/{client.Domain}-{i}", Source = "Example Business Wire", SourceType = SourceTypes.News,
            Category = story.Category, Subcategory = story.Subcategory, RelevanceScore = 0.55 + i % 40 / 100.0, SentimentScore = 0.4,
            ConfidenceScore = 0.87, EventDate = now.Date, DiscoveredAt = now, CreatedAt = now, UpdatedAt = now,
        };
        return WebhookMessages.Payload(WebhookEventTypes.EventCreated, ev, new Dictionary<Guid, string> { [client.Id] = client.Name }, now);
    }

    /// <summary>The outbox messages not delivered yet, with whether a process holds them: id, state, claimed.</summary>
    public static async Task<List<(Guid Id, string State, bool Claimed)>> UndeliveredAsync(BenchDatabase database, CancellationToken ct)
    {
        await using var connection = await OpenAsync(database, ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, state, claimed_by FROM outbox_messages WHERE state <> 'delivered'";
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = new List<(Guid, string, bool)>();
        while (await reader.ReadAsync(ct))
            rows.Add((reader.GetGuid(0), reader.GetString(1), !reader.IsDBNull(2)));
        return rows;
    }

    /// <summary>Rows of the delivery log (webhook_deliveries): one per attempt the dispatcher wrote down.</summary>
    public static async Task<long> DeliveryLogRowsAsync(BenchDatabase database, CancellationToken ct)
    {
        await using var connection = await OpenAsync(database, ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM webhook_deliveries";
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
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
