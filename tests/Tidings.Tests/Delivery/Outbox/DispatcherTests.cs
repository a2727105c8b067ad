using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tidings.Data;
using Tidings.Delivery.Outbox;
using Tidings.Delivery.Webhooks;
using Tidings.Events;
using Tidings.Tests.Clients;
using Tidings.Tests.Infrastructure;
using Tidings.Tests.Monitoring;

namespace Tidings.Tests.Delivery.Outbox;

/// <summary>
/// The outbox and its dispatcher, end to end: changes made through the API queue messages in their own transaction, and
/// rounds of the dispatcher (run by the tests, the loop being off) deliver them to a receiver on loopback that verifies
/// them as a Standard Webhooks receiver does. Time passing is the tests moving a message's next attempt back.
/// </summary>
public abstract class DispatcherTests<TDatabase>(MonitorApi<TDatabase> server) where TDatabase : TestDatabase, new()
{
    private DispatchRound Dispatcher => server.Services.GetRequiredService<DispatchRound>();

    private sealed record Endpoint(ApiUser Owner, Guid ClientId, Guid WebhookId, string Secret, WebhookReceiver Receiver);

    private async Task<Endpoint> EndpointAsync(object? extra = null, string format = "json", params string[] types)
    {
        var owner = await server.SignUpAsync();
        var client = await owner.Http.CallAsync("POST", "/api/clients", new { name = "Hooked " + Guid.NewGuid().ToString("N")[..6] }).ExpectAsync(HttpStatusCode.Created);
        var receiver = new WebhookReceiver(server.Site, $"/hooks/{Guid.NewGuid():N}");
        var body = new Dictionary<string, object?>
        {
            ["url"] = receiver.Url, ["format"] = format,
            ["eventTypes"] = types.Length > 0 ? types : new[] { "event.created", "event.updated", "event.deleted" },
        };
        if (extra is not null)
            foreach (var property in JsonSerializer.SerializeToElement(extra).EnumerateObject())
                body[property.Name] = property.Value;
        var created = await owner.Http.CallAsync("POST", "/api/webhooks", body).ExpectAsync(HttpStatusCode.Created);
        return new Endpoint(owner, client.Id(), created.Id(), created.GetProperty("secret").GetString()!, receiver);
    }

    private static async Task<Guid> PostEventAsync(Endpoint endpoint, string title, double relevance = 0.9) =>
        (await endpoint.Owner.Http.CallAsync("POST", "/api/events", new
        {
            clientId = endpoint.ClientId, title, category = "funding", relevanceScore = relevance, eventDate = DateTime.UtcNow,
            url = $"https://news.example/{Guid.NewGuid():N}",
        }).ExpectAsync(HttpStatusCode.Created)).Id();

    private async Task<List<OutboxMessage>> MessagesAsync(Endpoint endpoint)
    {
        await using var db = server.Database.Context(endpoint.Owner.BusinessId);
        return await db.OutboxMessages.AsNoTracking().Where(m => m.WebhookId == endpoint.WebhookId).OrderBy(m => m.CreatedAt).ThenBy(m => m.Id).ToListAsync();
    }

    /// <summary>Time passes: every pending message of the endpoint is due now.</summary>
    private async Task MakeDueAsync(Endpoint endpoint)
    {
        await using var db = server.Database.Context(endpoint.Owner.BusinessId);
        var past = StoredTime.Of(DateTime.UtcNow.AddSeconds(-1));
        using (db.AllowDirectWrites("test: time passes"))
            await db.OutboxMessages.Where(m => m.WebhookId == endpoint.WebhookId && m.State == OutboxStates.Pending)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.NextAttemptAt, past));
    }

    [Fact]
    public async Task An_event_created_through_the_api_reaches_its_endpoint_signed_once_and_its_filters_hold_back_the_rest()
    {
        var endpoint = await EndpointAsync(new { minRelevance = 0.5 });
        var wanted = await PostEventAsync(endpoint, "Hooked raises $10M", 0.9);
        await PostEventAsync(endpoint, "Hooked repaints its lobby", 0.2);

        await Dispatcher.RunAsync(default);

        var received = Assert.Single(endpoint.Receiver.Messages);
        Assert.True(endpoint.Receiver.Verifies(received, endpoint.Secret));
        Assert.False(endpoint.Receiver.Verifies(received with { Body = received.Body.Replace("10M", "90M") }, endpoint.Secret));
        var message = Assert.Single(await MessagesAsync(endpoint));
        Assert.Equal(($"msg_{message.Id:N}", OutboxStates.Delivered, 1), (received.Id, message.State, message.Attempts));
        using var body = JsonDocument.Parse(received.Body);
        Assert.Equal("event.created", body.RootElement.GetProperty("type").GetString());
        var data = body.RootElement.GetProperty("data");
        Assert.Equal((wanted, "Hooked raises $10M"), (data.GetProperty("id").GetGuid(), data.GetProperty("title").GetString()));
        Assert.StartsWith("Hooked ", data.GetProperty("clientName").GetString());

        await Dispatcher.RunAsync(default);
        Assert.Single(endpoint.Receiver.Messages);

        var log = await endpoint.Owner.Http.CallAsync("GET", $"/api/webhooks/{endpoint.WebhookId}/deliveries").ExpectAsync();
        var attempt = Assert.Single(log.GetProperty("items").EnumerateArray());
        Assert.Equal((received.Id, true, 200, "ok", "delivered"), (attempt.GetProperty("messageId").GetString(), attempt.GetProperty("succeeded").GetBoolean(),
            attempt.GetProperty("statusCode").GetInt32(), attempt.GetProperty("responseExcerpt").GetString(), attempt.GetProperty("messageState").GetString()));
    }

    [Fact]
    public async Task Editing_and_deleting_an_event_send_their_own_messages()
    {
        var endpoint = await EndpointAsync();
        var id = await PostEventAsync(endpoint, "Hooked opens in Lyon");
        await endpoint.Owner.Http.CallAsync("PATCH", $"/api/events/{id}", new { title = "Hooked opens in Lille" }).ExpectAsync();
        await endpoint.Owner.Http.CallAsync("DELETE", $"/api/events/{id}").ExpectAsync(HttpStatusCode.NoContent);

        await Dispatcher.RunAsync(default);

        var types = endpoint.Receiver.Messages.Select(m => JsonDocument.Parse(m.Body).RootElement.GetProperty("type").GetString()).Order().ToList();
        Assert.Equal(["event.created", "event.deleted", "event.updated"], types);
        Assert.Equal(3, endpoint.Receiver.Messages.Select(m => m.Id).Distinct().Count());
        Assert.Contains(endpoint.Receiver.Messages, m => m.Body.Contains("Hooked opens in Lille"));
    }

    [Fact]
    public async Task A_failing_endpoint_is_tried_again_after_a_wait_under_the_same_id_and_its_run_of_failures_ends_with_a_success()
    {
        var endpoint = await EndpointAsync();
        endpoint.Receiver.AnswerNext(503);
        await PostEventAsync(endpoint, "Hooked signs a deal");
        var before = DateTime.UtcNow;

        await Dispatcher.RunAsync(default);

        var waiting = Assert.Single(await MessagesAsync(endpoint));
        Assert.Equal((OutboxStates.Pending, 1), (waiting.State, waiting.Attempts));
        Assert.InRange(waiting.NextAttemptAt, before.AddSeconds(4), DateTime.UtcNow.AddSeconds(6));
        Assert.Contains("503", waiting.LastError);
        var webhook = await endpoint.Owner.Http.CallAsync("GET", $"/api/webhooks/{endpoint.WebhookId}").ExpectAsync();
        Assert.Equal(1, webhook.GetProperty("consecutiveFailures").GetInt32());
        var failed = Assert.Single((await endpoint.Owner.Http.CallAsync("GET", $"/api/webhooks/{endpoint.WebhookId}/deliveries").ExpectAsync()).GetProperty("items").EnumerateArray());
        Assert.Equal((false, 503, "not now", "pending"), (failed.GetProperty("succeeded").GetBoolean(), failed.GetProperty("statusCode").GetInt32(),
            failed.GetProperty("responseExcerpt").GetString(), failed.GetProperty("messageState").GetString()));

        await Dispatcher.RunAsync(default);
        Assert.Single(endpoint.Receiver.Messages);

        await MakeDueAsync(endpoint);
        await Dispatcher.RunAsync(default);

        Assert.Equal(2, endpoint.Receiver.Messages.Count);
        Assert.Single(endpoint.Receiver.Messages.Select(m => m.Id).Distinct());
        Assert.All(endpoint.Receiver.Messages, m => Assert.True(endpoint.Receiver.Verifies(m, endpoint.Secret)));
        Assert.Equal((OutboxStates.Delivered, 2), (Assert.Single(await MessagesAsync(endpoint)).State, Assert.Single(await MessagesAsync(endpoint)).Attempts));
        webhook = await endpoint.Owner.Http.CallAsync("GET", $"/api/webhooks/{endpoint.WebhookId}").ExpectAsync();
        Assert.Equal(0, webhook.GetProperty("consecutiveFailures").GetInt32());
    }

    [Fact]
    public async Task An_endpoint_that_answers_gone_is_disabled_with_its_reason_and_the_admins_are_told()
    {
        var endpoint = await EndpointAsync();
        endpoint.Receiver.AnswerNext(410);
        await PostEventAsync(endpoint, "Hooked moves offices");

        await Dispatcher.RunAsync(default);

        Assert.Equal(OutboxStates.Failed, Assert.Single(await MessagesAsync(endpoint)).State);
        var webhook = await endpoint.Owner.Http.CallAsync("GET", $"/api/webhooks/{endpoint.WebhookId}").ExpectAsync();
        Assert.False(webhook.GetProperty("enabled").GetBoolean());
        Assert.Contains("410", webhook.GetProperty("disabledReason").GetString());
        var notifications = await endpoint.Owner.Http.CallAsync("GET", "/api/notifications").ExpectAsync();
        var told = Assert.Single(notifications.GetProperty("items").EnumerateArray(), n => n.GetProperty("type").GetString() == "webhook_disabled");
        Assert.Contains(endpoint.Receiver.Url, told.GetProperty("message").GetString());

        // Disabled: new events are not queued for it, and a retry is refused until it is enabled again.
        await PostEventAsync(endpoint, "Hooked hires a CFO");
        Assert.Single(await MessagesAsync(endpoint));
        var attempt = Assert.Single((await endpoint.Owner.Http.CallAsync("GET", $"/api/webhooks/{endpoint.WebhookId}/deliveries").ExpectAsync()).GetProperty("items").EnumerateArray());
        await endpoint.Owner.Http.CallAsync("POST", $"/api/webhooks/{endpoint.WebhookId}/deliveries/{attempt.Id()}/retry").ExpectAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task A_message_failing_for_a_day_is_given_up_and_its_endpoint_disabled()
    {
        var endpoint = await EndpointAsync();
        await PostEventAsync(endpoint, "Hooked reorganises");
        await using (var db = server.Database.Context(endpoint.Owner.BusinessId))
        using (db.AllowDirectWrites("test: the message failed all day"))
            await db.OutboxMessages.Where(m => m.WebhookId == endpoint.WebhookId)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.Attempts, DeliverySettings.RetryDelays.Count));
        endpoint.Receiver.AnswerNext(500);

        await Dispatcher.RunAsync(default);

        var message = Assert.Single(await MessagesAsync(endpoint));
        Assert.Equal((OutboxStates.Failed, DeliverySettings.RetryDelays.Count + 1), (message.State, message.Attempts));
        var webhook = await endpoint.Owner.Http.CallAsync("GET", $"/api/webhooks/{endpoint.WebhookId}").ExpectAsync();
        Assert.False(webhook.GetProperty("enabled").GetBoolean());
        Assert.Contains("over a day", webhook.GetProperty("disabledReason").GetString());
    }

    [Fact]
    public async Task A_rolled_back_change_queues_nothing_and_a_committed_one_queues_its_message_with_it()
    {
        var endpoint = await EndpointAsync();
        await using var db = server.Database.Context(endpoint.Owner.BusinessId);
        Event NewEvent(string title) => new()
        {
            ClientId = endpoint.ClientId, Title = title, Category = "funding", RelevanceScore = 0.9, EventDate = StoredTime.Of(DateTime.UtcNow),
        };
        await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            await using var rolledBack = await db.Database.BeginTransactionAsync();
            db.Events.Add(NewEvent("Never happened"));
            await db.SaveChangesAsync();
            Assert.Single(await db.OutboxMessages.Where(m => m.WebhookId == endpoint.WebhookId).ToListAsync());
            await rolledBack.RollbackAsync();
        });
        db.ChangeTracker.Clear();
        Assert.Empty(await MessagesAsync(endpoint));

        db.Events.Add(NewEvent("Happened"));
        await db.SaveChangesAsync();
        var queued = Assert.Single(await MessagesAsync(endpoint));
        Assert.Contains("Happened", queued.Payload);
        Assert.Equal(endpoint.Owner.BusinessId, queued.BusinessId);
    }

    [Fact]
    public async Task A_message_held_by_a_process_that_died_waits_for_its_lease_then_goes_out_under_the_same_id()
    {
        var endpoint = await EndpointAsync();
        await PostEventAsync(endpoint, "Hooked expands");
        async Task HoldAsync(DateTime until)
        {
            await using var db = server.Database.Context(endpoint.Owner.BusinessId);
            using (db.AllowDirectWrites("test: a process died holding the message"))
                await db.OutboxMessages.Where(m => m.WebhookId == endpoint.WebhookId)
                    .ExecuteUpdateAsync(s => s.SetProperty(m => m.ClaimedBy, "dead:1:process").SetProperty(m => m.ClaimedUntil, StoredTime.Of(until)));
        }

        await HoldAsync(DateTime.UtcNow.AddMinutes(1));
        await Dispatcher.RunAsync(default);
        Assert.Empty(endpoint.Receiver.Messages);

        await HoldAsync(DateTime.UtcNow.AddSeconds(-1));
        await Dispatcher.RunAsync(default);
        var received = Assert.Single(endpoint.Receiver.Messages);
        Assert.Equal($"msg_{Assert.Single(await MessagesAsync(endpoint)).Id:N}", received.Id);
    }

    [Fact]
    public async Task Two_dispatchers_at_once_deliver_every_message_exactly_once()
    {
        var endpoint = await EndpointAsync();
        var events = Enumerable.Range(0, 120).Select(i => new
        {
            clientId = endpoint.ClientId, title = $"Hooked item {i}", category = "funding", relevanceScore = 0.9, eventDate = DateTime.UtcNow,
            url = $"https://news.example/{Guid.NewGuid():N}",
        }).ToList();
        await endpoint.Owner.Http.CallAsync("POST", "/api/events/batch", new { events }).ExpectAsync();
        var other = ActivatorUtilities.CreateInstance<DispatchRound>(server.Services);
        Assert.NotEqual(Dispatcher.Process, other.Process);

        await Task.WhenAll(Task.Run(() => Dispatcher.RunAsync(default)), Task.Run(() => other.RunAsync(default)));

        Assert.Equal(120, endpoint.Receiver.Messages.Count);
        Assert.Equal(120, endpoint.Receiver.Messages.Select(m => m.Id).Distinct().Count());
        Assert.All(await MessagesAsync(endpoint), m => Assert.Equal((OutboxStates.Delivered, 1), (m.State, m.Attempts)));
    }

    [Fact]
    public async Task A_test_message_goes_out_at_once_and_a_retry_sends_a_message_again_under_its_id()
    {
        var endpoint = await EndpointAsync();
        var test = await endpoint.Owner.Http.CallAsync("POST", $"/api/webhooks/{endpoint.WebhookId}/test").ExpectAsync();
        Assert.Equal((true, 200, true), (test.GetProperty("succeeded").GetBoolean(), test.GetProperty("statusCode").GetInt32(), test.GetProperty("isTest").GetBoolean()));
        var probe = Assert.Single(endpoint.Receiver.Messages);
        Assert.True(endpoint.Receiver.Verifies(probe, endpoint.Secret));
        Assert.Equal("webhook.test", JsonDocument.Parse(probe.Body).RootElement.GetProperty("type").GetString());
        await endpoint.Owner.Http.CallAsync("POST", $"/api/webhooks/{endpoint.WebhookId}/deliveries/{test.Id()}/retry").ExpectAsync(HttpStatusCode.Conflict);

        await PostEventAsync(endpoint, "Hooked wins an award");
        await Dispatcher.RunAsync(default);
        var log = await endpoint.Owner.Http.CallAsync("GET", $"/api/webhooks/{endpoint.WebhookId}/deliveries?limit=1").ExpectAsync();
        var delivered = Assert.Single(log.GetProperty("items").EnumerateArray());
        Assert.False(delivered.GetProperty("isTest").GetBoolean());
        Assert.NotNull(log.GetProperty("nextCursor").GetString());

        var retried = await endpoint.Owner.Http.CallAsync("POST", $"/api/webhooks/{endpoint.WebhookId}/deliveries/{delivered.Id()}/retry").ExpectAsync(HttpStatusCode.Accepted);
        Assert.Equal("pending", retried.GetProperty("messageState").GetString());
        await Dispatcher.RunAsync(default);
        var sends = endpoint.Receiver.Messages.Where(m => m.Id == delivered.GetProperty("messageId").GetString()).ToList();
        Assert.Equal(2, sends.Count);
        Assert.Equal(sends[0].Body, sends[1].Body);

        await endpoint.Owner.Http.CallAsync("POST", $"/api/webhooks/{endpoint.WebhookId}/deliveries/{Guid.NewGuid()}/retry").ExpectAsync(HttpStatusCode.NotFound);
        await endpoint.Owner.Http.CallAsync("GET", $"/api/webhooks/{endpoint.WebhookId}/deliveries?limit=0").ExpectAsync(HttpStatusCode.BadRequest);
        await endpoint.Owner.Http.CallAsync("POST", $"/api/webhooks/{Guid.NewGuid()}/test").ExpectAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_slack_endpoint_gets_a_readable_message_linking_into_the_app()
    {
        var endpoint = await EndpointAsync(format: "slack");
        await PostEventAsync(endpoint, "Hooked <acquires> Widgets & Co");

        await Dispatcher.RunAsync(default);

        var received = Assert.Single(endpoint.Receiver.Messages);
        Assert.Equal("", received.Signature);
        var text = JsonDocument.Parse(received.Body).RootElement.GetProperty("text").GetString()!;
        Assert.Contains("Hooked &lt;acquires&gt; Widgets &amp; Co", text);
        Assert.Contains("/events/", text);
    }

    [Fact]
    public async Task A_notification_and_a_stopped_source_reach_an_endpoint_that_wants_them()
    {
        var endpoint = await EndpointAsync(types: ["notification.created", "source.stopped"]);
        var member = await server.AddUserAsync(endpoint.Owner, Tidings.Users.UserRoles.Member);
        await endpoint.Owner.Http.CallAsync("PATCH", $"/api/clients/{endpoint.ClientId}", new { assignedToUserId = member.Id }).ExpectAsync();
        await using (var db = server.Database.Context(endpoint.Owner.BusinessId))
        {
            var source = new Tidings.Monitoring.Source
            {
                ClientId = endpoint.ClientId, Kind = Tidings.Monitoring.SourceKinds.Feed, Url = "https://hooked.example/feed", FeedUrl = "https://hooked.example/feed",
                Keep = Tidings.Monitoring.KeepRules.All, NextDueAt = StoredTime.Of(DateTime.UtcNow.AddHours(1)),
            };
            db.Sources.Add(source);
            await db.SaveChangesAsync();
            source.StoppedAt = StoredTime.Of(DateTime.UtcNow);
            source.StoppedReason = "Stopped after 10 failed attempts in a row.";
            await db.SaveChangesAsync();
        }
        await PostEventAsync(endpoint, "Not wanted by this endpoint", relevance: 0.2);

        await Dispatcher.RunAsync(default);

        var bodies = endpoint.Receiver.Messages.Select(m => JsonDocument.Parse(m.Body).RootElement).ToList();
        Assert.Equal(["notification.created", "source.stopped"], bodies.Select(b => b.GetProperty("type").GetString()).Order().ToList());
        var notification = bodies.Single(b => b.GetProperty("type").GetString() == "notification.created").GetProperty("data");
        Assert.Equal((member.Id, "client_assigned"), (notification.GetProperty("userId").GetGuid(), notification.GetProperty("type").GetString()));
        var stopped = bodies.Single(b => b.GetProperty("type").GetString() == "source.stopped").GetProperty("data");
        Assert.Equal(("https://hooked.example/feed", "Stopped after 10 failed attempts in a row."), (stopped.GetProperty("url").GetString(), stopped.GetProperty("reason").GetString()));
    }

    [Fact]
    public async Task Delivery_records_past_their_retention_are_removed_and_owed_messages_are_kept()
    {
        var endpoint = await EndpointAsync();
        endpoint.Receiver.AnswerNext(503);
        await PostEventAsync(endpoint, "Hooked, old news");
        await PostEventAsync(endpoint, "Hooked, older news");
        await Dispatcher.RunAsync(default);
        await MakeDueAsync(endpoint);
        await Dispatcher.RunAsync(default);
        endpoint.Receiver.AnswerNext(503);
        var owed = await PostEventAsync(endpoint, "Hooked, still owed");
        await Dispatcher.RunAsync(default);
        Assert.Equal([OutboxStates.Delivered, OutboxStates.Delivered, OutboxStates.Pending], (await MessagesAsync(endpoint)).Select(m => m.State).ToList());
        var settings = server.Services.GetRequiredService<DeliverySettings>();

        // Nothing is old enough yet; fifteen days on, the delivered messages and every attempt's log go, the owed message stays.
        Assert.Equal(0, await server.Services.GetRequiredService<OutboxCleanup>().RunAsync(DateTime.UtcNow, default));
        var removed = await server.Services.GetRequiredService<OutboxCleanup>().RunAsync(DateTime.UtcNow + settings.Retention + TimeSpan.FromDays(1), default);

        var left = Assert.Single(await MessagesAsync(endpoint));
        Assert.Equal(OutboxStates.Pending, left.State);
        Assert.Contains(owed.ToString(), left.Payload);
        // The class's other tests share the database: their old records go too.
        Assert.True(removed >= 2 + 4, $"{removed} removed");
        var log = await endpoint.Owner.Http.CallAsync("GET", $"/api/webhooks/{endpoint.WebhookId}/deliveries").ExpectAsync();
        Assert.Empty(log.GetProperty("items").EnumerateArray());
    }
}

public sealed class DispatcherTests_Sqlite(MonitorSqliteApi server) : DispatcherTests<SqliteDatabase>(server), IClassFixture<MonitorSqliteApi>;
public sealed class DispatcherTests_Postgres(MonitorPostgresApi server) : DispatcherTests<PostgresDatabase>(server), IClassFixture<MonitorPostgresApi>;
public sealed class DispatcherTests_Citus(MonitorCitusApi server) : DispatcherTests<CitusDatabase>(server), IClassFixture<MonitorCitusApi>;
