using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Tidings.Interactions;
using Tidings.Tests.Events;
using Tidings.Tests.Infrastructure;
using Tidings.Users;

namespace Tidings.Tests.Interactions;

public abstract class InteractionsApiTests<TDatabase>(TidingsServer<TDatabase> server) where TDatabase : TestDatabase, new()
{
    private static readonly DateTime Day = new(2025, 6, 1, 12, 0, 0, DateTimeKind.Utc);

    private static async Task<InteractionDto> PutAsync(ApiUser user, Guid eventId, object body)
    {
        var response = await user.Http.PutAsJsonAsync($"/api/events/{eventId}/interaction", body);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<InteractionDto>())!;
    }

    private static async Task<MarkReadResult> MarkReadAsync(ApiUser user, object body)
    {
        var response = await user.Http.PostAsJsonAsync("/api/events/mark-read", body);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<MarkReadResult>())!;
    }

    private async Task<List<EventUserInteraction>> RowsAsync(Guid businessId)
    {
        await using var db = server.Database.Context(businessId);
        return await db.EventUserInteractions.ToListAsync();
    }

    [Fact]
    public async Task Putting_an_interaction_creates_the_callers_row_and_stamps_read_and_starred_times()
    {
        var owner = await server.SignUpAsync();
        var ev = await owner.PostEventAsync(await server.Database.AddClientAsync(owner), "News");

        var read = await PutAsync(owner, ev.Id, new { isRead = true });
        Assert.Equal((ev.Id, owner.Id, true, false, (string?)null), (read.EventId, read.UserId, read.IsRead, read.IsStarred, read.Notes));
        Assert.NotNull(read.ReadAt);
        Assert.Null(read.StarredAt);

        // Repeating it changes nothing, not even the time it was read.
        var again = await PutAsync(owner, ev.Id, new { isRead = true });
        Assert.Equal((read.ReadAt, read.UpdatedAt), (again.ReadAt, again.UpdatedAt));

        var starred = await PutAsync(owner, ev.Id, new { isStarred = true, notes = "follow up" });
        Assert.Equal((true, read.ReadAt, true, "follow up"), (starred.IsRead, starred.ReadAt, starred.IsStarred, starred.Notes));
        Assert.NotNull(starred.StarredAt);

        var unread = await PutAsync(owner, ev.Id, new { isRead = false, notes = (string?)null });
        Assert.Equal((false, (DateTime?)null, true, starred.StarredAt, (string?)null), (unread.IsRead, unread.ReadAt, unread.IsStarred, unread.StarredAt, unread.Notes));

        Assert.Single(await RowsAsync(owner.BusinessId));
    }

    [Fact]
    public async Task An_empty_change_answers_400_and_stores_no_row()
    {
        var owner = await server.SignUpAsync();
        var ev = await owner.PostEventAsync(await server.Database.AddClientAsync(owner), "News");

        var response = await owner.Http.PutAsJsonAsync($"/api/events/{ev.Id}/interaction", new { });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(await RowsAsync(owner.BusinessId));
        await PutAsync(owner, ev.Id, new { isStarred = true });
        Assert.Equal(HttpStatusCode.BadRequest, (await owner.Http.PutAsJsonAsync($"/api/events/{ev.Id}/interaction", new { })).StatusCode);
    }

    [Fact]
    public async Task A_viewer_keeps_their_own_state_and_never_touches_anyone_elses()
    {
        var owner = await server.SignUpAsync();
        var viewer = await server.AddUserAsync(owner, UserRoles.Viewer);
        var ev = await owner.PostEventAsync(await server.Database.AddClientAsync(owner), "News");
        await PutAsync(owner, ev.Id, new { isStarred = true, notes = "owner's" });

        var mine = await PutAsync(viewer, ev.Id, new { isRead = true, notes = "viewer's" });
        Assert.Equal(viewer.Id, mine.UserId);

        var rows = (await RowsAsync(owner.BusinessId)).ToDictionary(r => r.UserId);
        Assert.Equal(2, rows.Count);
        Assert.Equal((false, true, "owner's"), (rows[owner.Id].IsRead, rows[owner.Id].IsStarred, rows[owner.Id].UserNotes));
        Assert.Equal((true, false, "viewer's"), (rows[viewer.Id].IsRead, rows[viewer.Id].IsStarred, rows[viewer.Id].UserNotes));
        Assert.Equal(1, (await MarkReadAsync(viewer, new { ids = new[] { ev.Id } })).Marked + (await MarkReadAsync(owner, new { ids = new[] { ev.Id } })).Marked);
    }

    [Fact]
    public async Task Parallel_puts_for_one_user_and_event_leave_exactly_one_row_with_every_change()
    {
        var owner = await server.SignUpAsync();
        var ev = await owner.PostEventAsync(await server.Database.AddClientAsync(owner), "Contended");

        // Half the calls read, half star: a lost update would leave one flag off.
        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
            owner.Http.PutAsJsonAsync($"/api/events/{ev.Id}/interaction", i % 2 == 0 ? (object)new { isRead = true } : new { isStarred = true })));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));

        var row = Assert.Single(await RowsAsync(owner.BusinessId));
        Assert.Equal((owner.Id, ev.Id, true, true), (row.UserId, row.EventId, row.IsRead, row.IsStarred));
        Assert.NotNull(row.ReadAt);
        Assert.NotNull(row.StarredAt);
        var seen = await owner.GetEventAsync(ev.Id);
        Assert.Equal((true, true), (seen.IsRead, seen.IsStarred));
    }

    [Fact]
    public async Task Marking_by_ids_counts_only_what_became_read_and_skips_ids_it_cannot_see()
    {
        var owner = await server.SignUpAsync();
        var other = await server.SignUpAsync();
        var clientId = await server.Database.AddClientAsync(owner);
        var events = new List<Guid>();
        for (var i = 0; i < 4; i++)
            events.Add((await owner.PostEventAsync(clientId, $"Event {i}")).Id);
        await PutAsync(owner, events[0], new { isRead = true, isStarred = true });
        await PutAsync(owner, events[1], new { isStarred = true });
        var theirs = await other.PostEventAsync(await server.Database.AddClientAsync(other), "Not yours");
        var before = await server.Database.CountsAsync(other.BusinessId);

        var result = await MarkReadAsync(owner, new { ids = new[] { events[0], events[1], events[2], events[2], theirs.Id, Guid.NewGuid() } });
        Assert.Equal(new MarkReadResult(2, false), result);
        Assert.Equal([events[3]], (await owner.FeedAsync("?unread=true")).Items.Select(e => e.Id));
        var rows = (await RowsAsync(owner.BusinessId)).ToDictionary(r => r.EventId);
        Assert.Equal(3, rows.Count);
        Assert.True(rows[events[1]].IsStarred); // marking read keeps the star
        Assert.All(rows.Values, r => Assert.NotNull(r.ReadAt));
        Assert.Equal(before, await server.Database.CountsAsync(other.BusinessId));
        Assert.Equal(0, (await MarkReadAsync(owner, new { ids = Array.Empty<Guid>() })).Marked);
    }

    [Fact]
    public async Task Marking_by_filter_reads_the_matching_events_for_the_caller_only()
    {
        var owner = await server.SignUpAsync();
        var viewer = await server.AddUserAsync(owner, UserRoles.Viewer);
        var alpha = await server.Database.AddClientAsync(owner, "Alpha");
        var beta = await server.Database.AddClientAsync(owner, "Beta");
        var a1 = await owner.PostEventAsync(alpha, "Alpha one", eventDate: Day);
        var a2 = await owner.PostEventAsync(alpha, "Alpha two", relevance: 0.9, eventDate: Day.AddHours(-1));
        var b1 = await owner.PostEventAsync(beta, "Beta one", relevance: 0.9, eventDate: Day.AddHours(-2));

        Assert.Equal(new MarkReadResult(2, false), await MarkReadAsync(viewer, new { filter = new { clientId = alpha } }));
        Assert.Equal([b1.Id], (await viewer.FeedAsync("?unread=true")).Items.Select(e => e.Id));
        Assert.Equal([a1.Id, a2.Id, b1.Id], (await owner.FeedAsync("?unread=true")).Items.Select(e => e.Id));

        Assert.Equal(new MarkReadResult(2, false), await MarkReadAsync(owner, new { filter = new { minRelevance = 0.8, to = Day.AddMinutes(-30) } }));
        Assert.Equal([a1.Id], (await owner.FeedAsync("?unread=true")).Items.Select(e => e.Id));
        Assert.Equal(new MarkReadResult(0, false), await MarkReadAsync(viewer, new { filter = new { clientId = alpha } }));
    }

    [Fact]
    public async Task Another_business_event_answers_404_and_nothing_is_written_anywhere()
    {
        var a = await server.SignUpAsync();
        var b = await server.SignUpAsync();
        var bEvent = await b.PostEventAsync(await server.Database.AddClientAsync(b), "B's");
        await a.FeedAsync();
        var beforeA = await server.Database.CountsAsync(a.BusinessId);
        var beforeB = await server.Database.CountsAsync(b.BusinessId);

        Assert.Equal(HttpStatusCode.NotFound, (await a.Http.PutAsJsonAsync($"/api/events/{bEvent.Id}/interaction", new { isRead = true, isStarred = true })).StatusCode);
        Assert.Equal(new MarkReadResult(0, false), await MarkReadAsync(a, new { ids = new[] { bEvent.Id } }));
        Assert.Equal(new MarkReadResult(0, false), await MarkReadAsync(a, new { filter = new { } }));

        Assert.Equal(beforeA, await server.Database.CountsAsync(a.BusinessId));
        Assert.Equal(beforeB, await server.Database.CountsAsync(b.BusinessId));
        Assert.False((await b.GetEventAsync(bEvent.Id)).IsRead);
    }

    public static TheoryData<string, string, string, int, string?> BadPuts => new()
    {
        { "isRead as text", "{event}", """{"isRead":"yes"}""", 400, "isRead" },
        { "isRead null", "{event}", """{"isRead":null}""", 400, "isRead" },
        { "isStarred as number", "{event}", """{"isStarred":1}""", 400, "isStarred" },
        { "notes as number", "{event}", """{"notes":5}""", 400, "notes" },
        { "notes too long", "{event}", $"{{\"notes\":\"{new string('n', InteractionsApi.MaxNotesLength + 1)}\"}}", 400, "notes" },
        { "someone else's userId", "{event}", """{"isRead":true,"userId":"{other}"}""", 400, "userId" },
        { "unknown field", "{event}", """{"isArchived":true}""", 400, "isArchived" },
        { "not an object", "{event}", """[true]""", 400, null },
        { "malformed JSON", "{event}", """{"isRead":""", 400, null },
        { "malformed event id", "not-a-uuid", """{"isRead":true}""", 400, null },
        { "unknown event", "{unknown}", """{"isRead":true}""", 404, null },
        { "deleted event", "{deleted}", """{"isRead":true}""", 404, null },
    };

    [Theory]
    [MemberData(nameof(BadPuts))]
    public async Task Bad_interaction_puts_are_refused_and_write_nothing(string name, string eventId, string json, int status, string? field)
    {
        var owner = await server.SignUpAsync();
        var clientId = await server.Database.AddClientAsync(owner);
        var ev = await owner.PostEventAsync(clientId, "Target");
        var deleted = await owner.PostEventAsync(clientId, "Deleted");
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Http.DeleteAsync($"/api/events/{deleted.Id}")).StatusCode);
        var before = await server.Database.CountsAsync(owner.BusinessId);

        var id = eventId.Replace("{event}", ev.Id.ToString()).Replace("{deleted}", deleted.Id.ToString()).Replace("{unknown}", Guid.NewGuid().ToString());
        var response = await owner.SendAsync("PUT", $"/api/events/{id}/interaction", json.Replace("{other}", Guid.NewGuid().ToString()));
        await EventsTestData.AssertProblemAsync(response, status, field, name);
        Assert.Equal(before, await server.Database.CountsAsync(owner.BusinessId));
    }

    public static TheoryData<string, string, string?> BadMarkReads => new()
    {
        { "neither ids nor filter", "{}", "ids" },
        { "both ids and filter", """{"ids":[],"filter":{}}""", "ids" },
        { "too many ids", "{\"ids\":[" + string.Join(",", Enumerable.Range(0, InteractionsApi.MaxMarkRead + 1).Select(_ => $"\"{Guid.NewGuid()}\"")) + "]}", "ids" },
        { "malformed id", """{"ids":["not-a-uuid"]}""", null },
        { "ids not an array", """{"ids":"all"}""", null },
        { "filter minRelevance out of range", """{"filter":{"minRelevance":2}}""", "filter.minRelevance" },
        { "filter text too long", "{\"filter\":{\"text\":\"" + new string('t', 201) + "\"}}", "filter.text" },
        { "filter from after to", """{"filter":{"from":"2025-02-01T00:00:00Z","to":"2025-01-01T00:00:00Z"}}""", "filter.from" },
        { "filter unknown field", """{"filter":{"everything":true}}""", null },
        { "unknown field", """{"ids":[],"userId":"00000000-0000-0000-0000-000000000001"}""", null },
        { "malformed JSON", """{"ids":[""", null },
    };

    [Theory]
    [MemberData(nameof(BadMarkReads))]
    public async Task Bad_mark_read_requests_answer_400_and_write_nothing(string name, string json, string? field)
    {
        var owner = await server.SignUpAsync();
        await owner.PostEventAsync(await server.Database.AddClientAsync(owner), "Unread");
        var before = await server.Database.CountsAsync(owner.BusinessId);
        var response = await owner.SendAsync("POST", "/api/events/mark-read", json);
        await EventsTestData.AssertProblemAsync(response, 400, field, name);
        Assert.Equal(before, await server.Database.CountsAsync(owner.BusinessId));
    }
}

public sealed class InteractionsApiTests_Sqlite(SqliteApi server) : InteractionsApiTests<SqliteDatabase>(server), IClassFixture<SqliteApi>;
public sealed class InteractionsApiTests_Postgres(PostgresApi server) : InteractionsApiTests<PostgresDatabase>(server), IClassFixture<PostgresApi>;
