using System.Buffers.Text;
using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using System.Text;
using Tidings.Events;
using Tidings.Tests.Infrastructure;
using Tidings.Users;

namespace Tidings.Tests.Events;

public abstract class FeedTests<TDatabase>(TidingsServer<TDatabase> server) where TDatabase : TestDatabase, new()
{
    private static readonly DateTime Day = new(2025, 6, 1, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task Walking_the_feed_by_cursor_returns_every_event_once_while_events_keep_arriving()
    {
        var owner = await server.SignUpAsync();
        var member = await server.AddUserAsync(owner, UserRoles.Member);
        var clientId = await server.Database.AddClientAsync(owner);
        // Groups of three share an event date, so the id has to break ties.
        var originals = new List<Guid>();
        for (var i = 0; i < 13; i++)
            originals.Add((await owner.PostEventAsync(clientId, $"Event {i}", eventDate: Day.AddHours(-(i / 3)))).Id);
        var expected = (await owner.FeedAsync("?limit=200")).Items.Select(e => e.Id).ToList();
        Assert.Equal(originals.Order(), expected.Order());

        var walked = new List<EventDto>();
        var newer = new List<Guid>();
        var older = new List<Guid>();
        Task<List<Guid>>? arriving = null;
        string? cursor = null;
        while (true)
        {
            var page = await owner.FeedAsync("?limit=4" + (cursor is null ? "" : "&cursor=" + cursor));
            Assert.True(page.Items.Count <= 4);
            walked.AddRange(page.Items);
            cursor = page.NextCursor;
            if (cursor is null)
                break;
            // Once the walk has begun (not before its first page, which would rightly show them), someone else
            // keeps adding newer events while it goes on.
            arriving ??= Task.Run(async () =>
            {
                var breaking = new List<Guid>();
                for (var i = 0; i < 6; i++)
                    breaking.Add((await member.PostEventAsync(clientId, $"Breaking {i}", eventDate: Day.AddDays(1).AddMinutes(i))).Id);
                return breaking;
            });
            // Between pages: one newer than everything (must not show up) and one older than everything (must, once).
            newer.Add((await owner.PostEventAsync(clientId, $"Newer {walked.Count}", eventDate: Day.AddDays(2).AddMinutes(walked.Count))).Id);
            older.Add((await owner.PostEventAsync(clientId, $"Older {walked.Count}", eventDate: Day.AddDays(-30).AddMinutes(-walked.Count))).Id);
        }
        newer.AddRange(await arriving!);

        var ids = walked.Select(e => e.Id).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal(expected, ids.Take(expected.Count));
        Assert.Equal(older, ids.Skip(expected.Count));
        Assert.Empty(ids.Intersect(newer));
        Assert.Equal(walked.OrderByDescending(e => e.EventDate).Select(e => e.EventDate), walked.Select(e => e.EventDate));
    }

    private sealed record Dataset(ApiUser Owner, Guid Alpha, Guid Beta, Guid Tag, EventDto E1, EventDto E2, EventDto E3, EventDto E4, EventDto Duplicate);

    private async Task<Dataset> DatasetAsync()
    {
        var owner = await server.SignUpAsync();
        var alpha = await server.Database.AddClientAsync(owner, "Alpha");
        var beta = await server.Database.AddClientAsync(owner, "Beta");
        var e1 = await owner.PostEventAsync(new { clientId = alpha, title = "Alpha raises money", url = "https://a.example/raise", category = "funding", subcategory = "series_a", relevanceScore = 0.9, eventDate = Day.AddDays(-1) });
        var e2 = await owner.PostEventAsync(new { clientId = alpha, title = "Court case", description = "A LAWSUIT about Money", category = "legal", relevanceScore = 0.3, eventDate = Day.AddDays(-2) });
        var e3 = await owner.PostEventAsync(new { clientId = beta, title = "Beta seed round", category = "funding", subcategory = "seed", relevanceScore = 0.6, eventDate = Day.AddDays(-3) });
        var e4 = await owner.PostEventAsync(new { clientId = beta, title = "Beta hires a CTO", category = "leadership_change", relevanceScore = 0.85, eventDate = Day.AddDays(-4) });
        var duplicate = await owner.PostEventAsync(new { clientId = alpha, title = "Alpha raised money", url = "https://a.example/raise/?utm_source=x", category = "funding", relevanceScore = 0.9, eventDate = Day.AddDays(-1.5) });
        Assert.True(duplicate.IsDuplicate);
        var tag = await server.Database.AddTagAsync(owner, "Watch", e2.Id, e3.Id);
        Assert.Equal(HttpStatusCode.OK, (await owner.Http.PutAsJsonAsync($"/api/events/{e1.Id}/interaction", new { isRead = true })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await owner.Http.PutAsJsonAsync($"/api/events/{e3.Id}/interaction", new { isStarred = true, notes = "ask them" })).StatusCode);
        return new Dataset(owner, alpha, beta, tag, e1, e2, e3, e4, duplicate);
    }

    [Fact]
    public async Task Filters_narrow_the_feed_and_combine()
    {
        var d = await DatasetAsync();
        async Task Expect(string query, params EventDto[] events) =>
            Assert.True(events.Select(e => e.Id).SequenceEqual((await d.Owner.FeedAsync(query)).Items.Select(e => e.Id)),
                $"{query}: expected {string.Join(", ", events.Select(e => e.Title))}; got {string.Join(", ", (await d.Owner.FeedAsync(query)).Items.Select(e => e.Title))}");

        await Expect("", d.E1, d.E2, d.E3, d.E4);
        await Expect($"?clientId={d.Alpha}", d.E1, d.E2);
        await Expect("?category=funding", d.E1, d.E3);
        await Expect("?subcategory=seed", d.E3);
        await Expect($"?tag={d.Tag}", d.E2, d.E3);
        await Expect($"?from={Iso(Day.AddDays(-3))}&to={Iso(Day.AddDays(-2))}", d.E2, d.E3);
        await Expect($"?from={Iso(Day.AddDays(-2).AddSeconds(1))}", d.E1);
        await Expect("?minRelevance=0.85", d.E1, d.E4);
        await Expect("?text=money", d.E1, d.E2);
        await Expect("?text=MONEY", d.E1, d.E2);
        await Expect("?text=nothing%20like%20it");
        await Expect("?unread=true", d.E2, d.E3, d.E4);
        await Expect("?starred=true", d.E3);
        await Expect($"?clientId={d.Beta}&minRelevance=0.5&unread=true", d.E3, d.E4);
        await Expect($"?category=funding&tag={d.Tag}", d.E3);
        await Expect($"?includeDuplicates=true&clientId={d.Alpha}", d.E1, d.Duplicate, d.E2);
        await Expect($"?clientId={Guid.NewGuid()}");
    }

    [Fact]
    public async Task Feed_items_carry_the_client_the_tags_and_the_callers_own_state()
    {
        var d = await DatasetAsync();
        var items = (await d.Owner.FeedAsync()).Items.ToDictionary(e => e.Id);
        Assert.Equal(("Alpha", "Beta"), (items[d.E1.Id].ClientName, items[d.E3.Id].ClientName));
        Assert.Equal(["Watch"], items[d.E2.Id].EventTags.Select(t => t.Name));
        Assert.Equal(d.Tag, items[d.E3.Id].EventTags.Single().Id);
        Assert.Empty(items[d.E1.Id].EventTags);
        Assert.True(items[d.E1.Id].IsRead);
        Assert.NotNull(items[d.E1.Id].ReadAt);
        Assert.Equal((true, "ask them", false), (items[d.E3.Id].IsStarred, items[d.E3.Id].Notes, items[d.E3.Id].IsRead));
        Assert.NotNull(items[d.E3.Id].StarredAt);
        Assert.Equal((false, false, (string?)null), (items[d.E4.Id].IsRead, items[d.E4.Id].IsStarred, items[d.E4.Id].Notes));
    }

    [Fact]
    public async Task Deleted_events_events_of_deleted_clients_and_deleted_tags_stay_out_of_the_feed()
    {
        var owner = await server.SignUpAsync();
        var kept = await server.Database.AddClientAsync(owner, "Kept");
        var dropped = await server.Database.AddClientAsync(owner, "Dropped");
        var visible = await owner.PostEventAsync(kept, "Visible", eventDate: Day);
        var deleted = await owner.PostEventAsync(kept, "Deleted", eventDate: Day.AddHours(-1));
        var orphan = await owner.PostEventAsync(dropped, "Client deleted", eventDate: Day.AddHours(-2));
        var liveTag = await server.Database.AddTagAsync(owner, "Live", visible.Id);
        var deadTag = await server.Database.AddTagAsync(owner, "Dead", visible.Id, orphan.Id);
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Http.DeleteAsync($"/api/events/{deleted.Id}")).StatusCode);
        await using (var db = server.Database.Context(owner.BusinessId, TestActors.User(owner.Id, owner.BusinessId)))
        {
            db.Clients.Remove(await db.Clients.SingleAsync(c => c.Id == dropped));
            db.Tags.Remove(await db.Tags.SingleAsync(t => t.Id == deadTag));
            await db.SaveChangesAsync();
        }

        var feed = await owner.FeedAsync("?includeDuplicates=true");
        Assert.Equal([visible.Id], feed.Items.Select(e => e.Id));
        Assert.Equal([liveTag], feed.Items[0].EventTags.Select(t => t.Id));
        Assert.Empty((await owner.FeedAsync($"?tag={deadTag}")).Items);
        Assert.Empty((await owner.FeedAsync($"?clientId={dropped}")).Items);
        Assert.Equal([visible.Id], (await owner.FeedAsync("?unread=true")).Items.Select(e => e.Id));
        Assert.Equal(HttpStatusCode.NotFound, (await owner.Http.GetAsync($"/api/events/{orphan.Id}")).StatusCode);
        Assert.Equal([liveTag], (await owner.GetEventAsync(visible.Id)).EventTags.Select(t => t.Id));
    }

    [Fact]
    public async Task Each_person_reads_and_stars_for_themselves()
    {
        var owner = await server.SignUpAsync();
        var member = await server.AddUserAsync(owner, UserRoles.Member);
        var viewer = await server.AddUserAsync(owner, UserRoles.Viewer);
        var clientId = await server.Database.AddClientAsync(owner);
        var first = await owner.PostEventAsync(clientId, "First", eventDate: Day);
        var second = await owner.PostEventAsync(clientId, "Second", eventDate: Day.AddHours(-1));

        Assert.Equal(HttpStatusCode.OK, (await viewer.Http.PutAsJsonAsync($"/api/events/{first.Id}/interaction", new { isRead = true, isStarred = true, notes = "viewer's" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await member.Http.PutAsJsonAsync($"/api/events/{second.Id}/interaction", new { isStarred = true })).StatusCode);

        Assert.Equal([second.Id], (await viewer.FeedAsync("?unread=true")).Items.Select(e => e.Id));
        Assert.Equal([first.Id, second.Id], (await member.FeedAsync("?unread=true")).Items.Select(e => e.Id));
        Assert.Equal([first.Id, second.Id], (await owner.FeedAsync("?unread=true")).Items.Select(e => e.Id));
        Assert.Equal([first.Id], (await viewer.FeedAsync("?starred=true")).Items.Select(e => e.Id));
        Assert.Equal([second.Id], (await member.FeedAsync("?starred=true")).Items.Select(e => e.Id));
        Assert.Empty((await owner.FeedAsync("?starred=true")).Items);

        var ownersView = await owner.GetEventAsync(first.Id);
        Assert.Equal((false, false, (string?)null), (ownersView.IsRead, ownersView.IsStarred, ownersView.Notes));
        var viewersView = await viewer.GetEventAsync(first.Id);
        Assert.Equal((true, true, "viewer's"), (viewersView.IsRead, viewersView.IsStarred, viewersView.Notes));
    }

    [Fact]
    public async Task The_last_page_has_no_cursor_and_the_default_page_is_50()
    {
        var owner = await server.SignUpAsync();
        var clientId = await server.Database.AddClientAsync(owner);
        await using (var db = server.Database.Context(owner.BusinessId, TestActors.User(owner.Id, owner.BusinessId)))
        {
            db.Events.AddRange(Enumerable.Range(0, 51).Select(i => new Event { ClientId = clientId, Title = $"Bulk {i}", Category = "news", EventDate = Day.AddMinutes(-i) }));
            await db.SaveChangesAsync();
        }
        var first = await owner.FeedAsync();
        Assert.Equal(50, first.Items.Count);
        Assert.NotNull(first.NextCursor);
        var last = await owner.FeedAsync("?cursor=" + first.NextCursor);
        Assert.Equal("Bulk 50", Assert.Single(last.Items).Title);
        Assert.Null(last.NextCursor);
    }

    public static TheoryData<string, string, string?> BadQueries => new()
    {
        { "limit zero", "?limit=0", "limit" },
        { "limit above 200", "?limit=201", "limit" },
        { "limit not a number", "?limit=ten", null },
        { "cursor garbage", "?cursor=garbage!", null },
        { "cursor of another shape", "?cursor=" + Base64Url.EncodeToString(Encoding.UTF8.GetBytes("[1,2]")), null },
        { "cursor without a UTC date", "?cursor=" + Base64Url.EncodeToString(Encoding.UTF8.GetBytes($$"""{"EventDate":"2025-01-01T00:00:00","Id":"{{Guid.NewGuid()}}"}""")), null },
        { "minRelevance above 1", "?minRelevance=1.5", "minRelevance" },
        { "minRelevance below 0", "?minRelevance=-0.5", "minRelevance" },
        { "minRelevance not a number", "?minRelevance=high", null },
        { "category too long", "?category=" + new string('c', 51), "category" },
        { "subcategory too long", "?subcategory=" + new string('s', 51), "subcategory" },
        { "text too long", "?text=" + new string('t', 201), "text" },
        { "from after to", $"?from={Iso(Day)}&to={Iso(Day.AddDays(-1))}", "from" },
        { "from not a date", "?from=last-week", null },
        { "clientId malformed", "?clientId=acme", null },
        { "tag malformed", "?tag=watch", null },
        { "unread not a boolean", "?unread=maybe", null },
        { "starred not a boolean", "?starred=2", null },
        { "needsReview not a boolean", "?needsReview=perhaps", null },
    };

    [Theory]
    [MemberData(nameof(BadQueries))]
    public async Task Bad_feed_queries_answer_400(string name, string query, string? field)
    {
        var owner = await server.SignUpAsync();
        await owner.PostEventAsync(await server.Database.AddClientAsync(owner), "Bystander");
        var before = await server.Database.CountsAsync(owner.BusinessId);
        var response = await owner.Http.GetAsync("/api/events" + query);
        await EventsTestData.AssertProblemAsync(response, 400, field, name);
        Assert.Equal(before, await server.Database.CountsAsync(owner.BusinessId));
    }

    private static string Iso(DateTime utc) => Uri.EscapeDataString(utc.ToString("yyyy-MM-ddTHH:mm:ssZ"));
}

public sealed class FeedTests_Sqlite(SqliteApi server) : FeedTests<SqliteDatabase>(server), IClassFixture<SqliteApi>;
public sealed class FeedTests_Postgres(PostgresApi server) : FeedTests<PostgresDatabase>(server), IClassFixture<PostgresApi>;
public sealed class FeedTests_Citus(CitusApi server) : FeedTests<CitusDatabase>(server), IClassFixture<CitusApi>;
