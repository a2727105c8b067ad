using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Tidings.Data.Auditing;
using Tidings.Events;
using Tidings.Notifications;
using Tidings.Tests.Infrastructure;
using Tidings.Users;

namespace Tidings.Tests.Events;

/// <summary>POST /api/events/batch: many events in one request, the same rules as one, all or nothing.</summary>
public abstract class EventBatchTests<TDatabase>(TidingsServer<TDatabase> server) where TDatabase : TestDatabase, new()
{
    private static async Task<List<EventDto>> PostBatchAsync(ApiUser user, IEnumerable<object> events)
    {
        var response = await user.Http.PostAsJsonAsync("/api/events/batch", new { events });
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<CreatedEvents>())!.Events.ToList();
    }

    // 3 events take SaveChanges' INSERTs, 60 the bulk write: both must give the same result.
    [Theory]
    [InlineData(3)]
    [InlineData(60)]
    public async Task A_batch_creates_its_events_in_order_with_duplicates_notifications_and_one_audit_row_each(int count)
    {
        var owner = await server.SignUpAsync();
        var member = await server.AddUserAsync(owner, UserRoles.Member);
        var assignee = await server.AddUserAsync(owner, UserRoles.Member, "Assignee");
        var watched = await server.Database.AddClientAsync(owner, "Watched", assignedTo: assignee.Id);
        var other = await server.Database.AddClientAsync(owner, "Other");
        var stored = await owner.PostEventAsync(other, "Already known", "https://news.example/known");
        var date = new DateTime(2025, 6, 7, 8, 9, 10, DateTimeKind.Utc);

        // Event i: the watched client for even i (relevant when i % 4 == 0), the other for odd; the last
        // two repeat the stored story and the first one of the batch.
        var bodies = Enumerable.Range(0, count - 2)
            .Select(i => EventsTestData.Body(i % 2 == 0 ? watched : other, $"Story {i}", $"https://news.example/{i}",
                relevance: i % 4 == 0 ? 0.9 : 0.3, eventDate: date.AddMinutes(i)))
            .Append(EventsTestData.Body(other, "Known again", "https://NEWS.example/known?utm_source=x", eventDate: date))
            .Append(EventsTestData.Body(watched, "Story 0, retold", "https://news.example/0/", relevance: 0.99, eventDate: date))
            .ToList();
        var created = await PostBatchAsync(member, bodies);

        Assert.Equal(count, created.Count);
        Assert.Equal(Enumerable.Range(0, count - 2).Select(i => $"Story {i}").Append("Known again").Append("Story 0, retold"),
            created.Select(e => e.Title));
        Assert.All(created, e => Assert.Equal(member.Id, e.CreatedByUserId));
        Assert.Equal(Enumerable.Repeat((Guid?)null, count - 2).Append(stored.Id).Append(created[0].Id), created.Select(e => e.DuplicateOfEventId));
        Assert.Equal(("Watched", date), (created[0].ClientName, created[0].EventDate));

        // What the batch answered is what was stored, and the feed shows the originals.
        foreach (var ev in created.Take(2).Concat(created.TakeLast(2)))
        {
            var read = await owner.GetEventAsync(ev.Id);
            Assert.Equal((ev.Title, ev.ContentHash, ev.DuplicateOfEventId, ev.CreatedAt), (read.Title, read.ContentHash, read.DuplicateOfEventId, read.CreatedAt));
        }
        var feed = await owner.FeedAsync("?limit=100");
        Assert.Equal(count - 2 + 1, feed.Items.Count);

        await using var db = server.Database.Context(owner.BusinessId);
        var notified = await db.Notifications.Where(n => n.Type == NotificationTypes.HighRelevanceEvent).Select(n => new { n.UserId, n.RelatedEventId }).ToListAsync();
        var relevant = created.Take(count - 2).Where((_, i) => i % 4 == 0).Select(e => (Guid?)e.Id).ToHashSet();
        Assert.Equal(relevant.Count, notified.Count);
        Assert.All(notified, n => Assert.Equal(assignee.Id, n.UserId));
        Assert.True(relevant.SetEquals(notified.Select(n => n.RelatedEventId)));

        var ids = created.Select(e => e.Id.ToString()).ToList();
        var logs = await db.AuditLogs.Where(a => a.TableName == "events" && ids.Contains(a.RecordId)).ToListAsync();
        Assert.Equal(count, logs.Count);
        Assert.All(logs, log => Assert.Equal((AuditActions.Create, member.Id, owner.BusinessId), (log.Action, log.UserId!.Value, log.BusinessId)));
        var values = JsonDocument.Parse(logs.Single(l => l.RecordId == created[^1].Id.ToString()).NewValues!).RootElement;
        Assert.Equal(created[0].Id.ToString(), values.GetProperty("duplicate_of_event_id").GetString());
        Assert.Equal("Story 0, retold", values.GetProperty("title").GetString());
        Assert.Equal(relevant.Count, await db.AuditLogs.CountAsync(a => a.TableName == "notifications"));
    }

    [Fact]
    public async Task A_batch_audits_each_event_exactly_as_a_single_create_does()
    {
        var owner = await server.SignUpAsync();
        var clientId = await server.Database.AddClientAsync(owner);
        var date = new DateTime(2025, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        object Full(string title) => new
        {
            clientId, title, description = "Series C", url = $"https://news.example/{title}", source = "Example News", sourceType = "news",
            category = "funding", subcategory = "series_c", tags = new[] { "money" }, relevanceScore = 0.4, sentimentScore = 0.2,
            confidenceScore = 0.9, eventDate = date,
        };
        var single = await owner.PostEventAsync(Full("single"));
        var batched = (await PostBatchAsync(owner, Enumerable.Range(0, 30).Select(i => Full($"batched-{i}"))))[7];

        await using var db = server.Database.Context(owner.BusinessId);
        var a = await db.AuditLogs.SingleAsync(l => l.RecordId == single.Id.ToString());
        var b = await db.AuditLogs.SingleAsync(l => l.RecordId == batched.Id.ToString());
        Assert.Equal((a.TableName, a.Action, a.UserId, a.ActorName, a.IpAddress, a.UserAgent, a.ChangedFields, a.OldValues),
            (b.TableName, b.Action, b.UserId, b.ActorName, b.IpAddress, b.UserAgent, b.ChangedFields, b.OldValues));
        var expected = JsonDocument.Parse(a.NewValues!).RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ToString());
        var actual = JsonDocument.Parse(b.NewValues!).RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ToString());
        foreach (var differs in new[] { "id", "title", "url", "content_hash", "created_at", "updated_at", "discovered_at" })
        {
            Assert.NotEqual(expected[differs], actual[differs]);
            expected.Remove(differs);
            actual.Remove(differs);
        }
        Assert.Equal(expected, actual);
        Assert.Equal(b.CreatedAt, batched.CreatedAt);
    }

    [Fact]
    public async Task Bad_batches_answer_400_naming_the_event_and_field_and_write_nothing()
    {
        var owner = await server.SignUpAsync();
        var clientId = await server.Database.AddClientAsync(owner);
        var good = EventsTestData.Body(clientId, "Fine");
        await owner.PostEventAsync(good);
        var before = await server.Database.CountsAsync(owner.BusinessId);

        async Task Refused(string json, string? field, string because) =>
            await EventsTestData.AssertProblemAsync(await owner.SendAsync("POST", "/api/events/batch", json), 400, field, because);
        string Batch(params object?[] events) => JsonSerializer.Serialize(new { events }, JsonSerializerOptions.Web);

        await Refused("""{"events":[]}""", "events", "an empty batch");
        await Refused("{}", "events", "no events at all");
        await Refused(Batch(Enumerable.Repeat(good, EventCreation.MaxBatch + 1).ToArray()), "events", "one more than the limit");
        await Refused(Batch(good, null, good), "events[1]", "a null event");
        await Refused(Batch(good, good, EventsTestData.Body(clientId, " ")), "events[2].title", "a blank title");
        await Refused(Batch(EventsTestData.Body(clientId, "Scored", relevance: 1.5), good), "events[0].relevanceScore", "a score out of range");
        await Refused(Batch(Enumerable.Repeat(good, 40).Append(new { clientId, title = "No date", category = "funding" }).ToArray()),
            "events[40].eventDate", "a missing date in a batch big enough for the bulk write");
        await Refused(Batch(good, new { clientId = Guid.Empty, title = "x", category = "funding", eventDate = DateTime.UtcNow, url = "ftp://x" }), "events[1].url", "a non-http url");
        await Refused("""{"events":[{"clientId":"not-a-guid"}]}""", null, "a malformed body");
        await Refused("""{"events":""", null, "a truncated body");

        Assert.Equal(before, await server.Database.CountsAsync(owner.BusinessId));
        Assert.Equal(EventCreation.MaxBatch, (await PostBatchAsync(owner, Enumerable.Range(0, EventCreation.MaxBatch)
            .Select(i => EventsTestData.Body(clientId, $"At the limit {i}")))).Count);
    }

    [Fact]
    public async Task A_client_of_another_business_or_a_deleted_one_refuses_the_whole_batch_with_422()
    {
        var owner = await server.SignUpAsync();
        var stranger = await server.SignUpAsync();
        var clientId = await server.Database.AddClientAsync(owner);
        var deleted = await server.Database.AddClientAsync(owner, "Gone", deleted: true);
        var theirs = await server.Database.AddClientAsync(stranger, "Theirs");
        await owner.PostEventAsync(clientId, "Warm up");
        var before = await server.Database.CountsAsync(owner.BusinessId);
        var theirsBefore = await server.Database.CountsAsync(stranger.BusinessId);

        foreach (var size in new[] { 3, 50 })
        {
            var bodies = Enumerable.Range(0, size).Select(i => EventsTestData.Body(clientId, $"Mine {i}", relevance: 0.95)).ToList();
            bodies[1] = EventsTestData.Body(theirs, "Into another business");
            bodies[size - 1] = EventsTestData.Body(deleted, "For a deleted client");
            var response = await owner.Http.PostAsJsonAsync("/api/events/batch", new { events = bodies });
            await EventsTestData.AssertProblemAsync(response, 422, null, "another business's client");
            var detail = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString()!;
            Assert.Contains("events[1]", detail);
            Assert.Contains($"events[{size - 1}]", detail);
            Assert.DoesNotContain("events[0]", detail);
        }

        Assert.Equal(before, await server.Database.CountsAsync(owner.BusinessId));
        Assert.Equal(theirsBefore, await server.Database.CountsAsync(stranger.BusinessId));
    }

    [Fact]
    public async Task A_viewer_cannot_post_a_batch()
    {
        var owner = await server.SignUpAsync();
        var viewer = await server.AddUserAsync(owner, UserRoles.Viewer);
        var clientId = await server.Database.AddClientAsync(owner);
        await viewer.FeedAsync();
        var before = await server.Database.CountsAsync(owner.BusinessId);
        var response = await viewer.Http.PostAsJsonAsync("/api/events/batch", new { events = new[] { EventsTestData.Body(clientId, "Not mine to add") } });
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Anonymous().PostAsJsonAsync("/api/events/batch", new { events = Array.Empty<object>() })).StatusCode);
        Assert.Equal(before, await server.Database.CountsAsync(owner.BusinessId));
    }
}

public sealed class EventBatchTests_Sqlite(SqliteApi server) : EventBatchTests<SqliteDatabase>(server), IClassFixture<SqliteApi>;
public sealed class EventBatchTests_Postgres(PostgresApi server) : EventBatchTests<PostgresDatabase>(server), IClassFixture<PostgresApi>;
public sealed class EventBatchTests_Citus(CitusApi server) : EventBatchTests<CitusDatabase>(server), IClassFixture<CitusApi>;
