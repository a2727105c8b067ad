using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Tidings.Data.SoftDelete;
using Tidings.Events;
using Tidings.Tests.Clients;
using Tidings.Tests.Infrastructure;
using Tidings.Users;

namespace Tidings.Tests.Tags;

public abstract class TagsApiTests<TDatabase>(TidingsServer<TDatabase> server) where TDatabase : TestDatabase, new()
{
    [Fact]
    public async Task A_member_creates_edits_deletes_and_restores_a_tag()
    {
        var owner = await server.SignUpAsync();
        var member = await server.AddUserAsync(owner, UserRoles.Member);

        var created = await member.Http.CallAsync("POST", "/api/tags", new { name = " Hot lead ", color = "#ff8800" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var tag = await created.JsonAsync();
        var id = tag.Id();
        Assert.Equal($"/api/tags/{id}", created.Headers.Location?.ToString());
        Assert.Equal("Hot lead", tag.GetProperty("name").GetString());
        Assert.Equal("#FF8800", tag.GetProperty("color").GetString());
        Assert.Equal(member.Id, tag.GetProperty("createdByUserId").GetGuid());

        var read = await member.Http.GetAsync($"/api/tags/{id}");
        Assert.Equal(created.ETag(), read.ETag());
        var patched = await member.Http.CallAsync("PATCH", $"/api/tags/{id}", new { name = "Warm lead" }, ifMatch: read.ETag());
        var after = await patched.JsonAsync();
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        Assert.NotEqual(read.ETag(), patched.ETag());
        Assert.Equal("Warm lead", after.GetProperty("name").GetString());
        Assert.Equal("#FF8800", after.GetProperty("color").GetString());
        var cleared = await member.Http.CallAsync("PATCH", $"/api/tags/{id}", """{"color":null}""").ExpectAsync();
        Assert.Equal(JsonValueKind.Null, cleared.GetProperty("color").ValueKind);

        await member.Http.CallAsync("DELETE", $"/api/tags/{id}").ExpectAsync(HttpStatusCode.NoContent);
        await member.Http.GetAsync($"/api/tags/{id}").ExpectAsync(HttpStatusCode.NotFound);
        Assert.DoesNotContain(id.ToString(), await member.Http.GetStringAsync("/api/tags"));
        var restored = await member.Http.CallAsync("POST", $"/api/tags/{id}/restore").ExpectAsync();
        Assert.Equal("Warm lead", restored.GetProperty("name").GetString());
        Assert.Contains(id.ToString(), await member.Http.GetStringAsync("/api/tags"));
        await member.Http.CallAsync("POST", $"/api/tags/{id}/restore").ExpectAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task A_tag_name_is_unique_among_live_tags_whatever_its_case_and_free_again_once_deleted()
    {
        var owner = await server.SignUpAsync();
        var vip = (await owner.Http.CallAsync("POST", "/api/tags", new { name = "VIP" }).ExpectAsync(HttpStatusCode.Created)).Id();
        var other = (await owner.Http.CallAsync("POST", "/api/tags", new { name = "Other" }).ExpectAsync(HttpStatusCode.Created)).Id();

        var before = await ApiCalls.WritesAsync(server.Database, owner.BusinessId);
        foreach (var name in new[] { "VIP", "vip", "  Vip " })
        {
            var conflict = await owner.Http.CallAsync("POST", "/api/tags", new { name });
            Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
            Assert.Equal("application/problem+json", conflict.Content.Headers.ContentType?.MediaType);
        }
        await owner.Http.CallAsync("PATCH", $"/api/tags/{other}", new { name = "vip" }).ExpectAsync(HttpStatusCode.Conflict);
        Assert.Equal(before, await ApiCalls.WritesAsync(server.Database, owner.BusinessId));
        // Renaming a tag to its own name in another case is no conflict with itself.
        Assert.Equal("Vip", (await owner.Http.CallAsync("PATCH", $"/api/tags/{vip}", new { name = "Vip" }).ExpectAsync()).GetProperty("name").GetString());

        await owner.Http.CallAsync("DELETE", $"/api/tags/{vip}").ExpectAsync(HttpStatusCode.NoContent);
        var reused = (await owner.Http.CallAsync("POST", "/api/tags", new { name = "vip" }).ExpectAsync(HttpStatusCode.Created)).Id();
        // The old tag cannot come back while the new one holds its name.
        await owner.Http.CallAsync("POST", $"/api/tags/{vip}/restore").ExpectAsync(HttpStatusCode.Conflict);
        await owner.Http.CallAsync("DELETE", $"/api/tags/{reused}").ExpectAsync(HttpStatusCode.NoContent);
        await owner.Http.CallAsync("POST", $"/api/tags/{vip}/restore").ExpectAsync();

        // Another business has its own names.
        var stranger = await server.SignUpAsync();
        await stranger.Http.CallAsync("POST", "/api/tags", new { name = "VIP" }).ExpectAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task A_stale_If_Match_on_a_tag_answers_412_and_changes_nothing()
    {
        var owner = await server.SignUpAsync();
        var created = await owner.Http.CallAsync("POST", "/api/tags", new { name = "Versioned" });
        var id = (await created.JsonAsync()).Id();
        var second = (await owner.Http.CallAsync("PATCH", $"/api/tags/{id}", new { color = "#000000" }, ifMatch: created.ETag())).ETag();

        var before = await ApiCalls.WritesAsync(server.Database, owner.BusinessId);
        await owner.Http.CallAsync("PATCH", $"/api/tags/{id}", new { name = "Lost update" }, ifMatch: created.ETag()).ExpectAsync(HttpStatusCode.PreconditionFailed);
        await owner.Http.CallAsync("DELETE", $"/api/tags/{id}", ifMatch: created.ETag()).ExpectAsync(HttpStatusCode.PreconditionFailed);
        Assert.Equal(before, await ApiCalls.WritesAsync(server.Database, owner.BusinessId));
        var current = await owner.Http.GetAsync($"/api/tags/{id}");
        Assert.Equal(second, current.ETag());
        Assert.Equal("Versioned", (await current.JsonAsync()).GetProperty("name").GetString());
        await owner.Http.CallAsync("DELETE", $"/api/tags/{id}", ifMatch: second).ExpectAsync(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task The_tag_list_pages_by_name_and_returns_every_tag_exactly_once()
    {
        var owner = await server.SignUpAsync();
        var names = new[] { "e-tag", "a-tag", "d-tag", "b-tag", "c-tag" };
        foreach (var name in names)
            await owner.Http.CallAsync("POST", "/api/tags", new { name }).ExpectAsync(HttpStatusCode.Created);

        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await owner.Http.GetAsync("/api/tags?limit=2" + (cursor is null ? "" : "&cursor=" + cursor)).ExpectAsync();
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(t => t.GetProperty("name").GetString()!));
            cursor = page.GetProperty("nextCursor").GetString();
        } while (cursor is not null);
        Assert.Equal(names.Order(StringComparer.Ordinal), seen);
    }

    [Fact]
    public async Task Tagging_a_client_is_idempotent_shows_on_the_client_and_hides_with_the_tag_or_client()
    {
        var owner = await server.SignUpAsync();
        var client = (await owner.Http.CallAsync("POST", "/api/clients", new { name = "Tagged" }).ExpectAsync(HttpStatusCode.Created)).Id();
        var tag = (await owner.Http.CallAsync("POST", "/api/tags", new { name = "Key account", color = "#112233" }).ExpectAsync(HttpStatusCode.Created)).Id();

        await owner.Http.CallAsync("PUT", $"/api/clients/{client}/tags/{tag}").ExpectAsync(HttpStatusCode.NoContent);
        await owner.Http.CallAsync("PUT", $"/api/clients/{client}/tags/{tag}").ExpectAsync(HttpStatusCode.NoContent);
        Assert.Equal(1, await ClientLinksAsync(owner, client, tag));
        Assert.Equal(["Key account"], await ClientTagNamesAsync(owner, client));

        // Hidden with the tag, back with it; the same for the client.
        await owner.Http.CallAsync("DELETE", $"/api/tags/{tag}").ExpectAsync(HttpStatusCode.NoContent);
        Assert.Empty(await ClientTagNamesAsync(owner, client));
        await owner.Http.CallAsync("PUT", $"/api/clients/{client}/tags/{tag}").ExpectAsync(HttpStatusCode.NotFound);
        await owner.Http.CallAsync("POST", $"/api/tags/{tag}/restore").ExpectAsync();
        Assert.Equal(["Key account"], await ClientTagNamesAsync(owner, client));
        await owner.Http.CallAsync("DELETE", $"/api/clients/{client}").ExpectAsync(HttpStatusCode.NoContent);
        await owner.Http.CallAsync("PUT", $"/api/clients/{client}/tags/{tag}").ExpectAsync(HttpStatusCode.NotFound);
        var restored = await owner.Http.CallAsync("POST", $"/api/clients/{client}/restore").ExpectAsync();
        Assert.Equal("Key account", restored.GetProperty("tags")[0].GetProperty("name").GetString());

        await owner.Http.CallAsync("DELETE", $"/api/clients/{client}/tags/{tag}").ExpectAsync(HttpStatusCode.NoContent);
        await owner.Http.CallAsync("DELETE", $"/api/clients/{client}/tags/{tag}").ExpectAsync(HttpStatusCode.NoContent);
        Assert.Equal(0, await ClientLinksAsync(owner, client, tag));
        Assert.Empty(await ClientTagNamesAsync(owner, client));
        await owner.Http.CallAsync("PUT", $"/api/clients/{client}/tags/{Guid.NewGuid()}").ExpectAsync(HttpStatusCode.NotFound);
        await owner.Http.CallAsync("PUT", $"/api/clients/{Guid.NewGuid()}/tags/{tag}").ExpectAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Concurrent_puts_of_one_link_all_answer_204_and_store_it_once()
    {
        var owner = await server.SignUpAsync();
        var client = (await owner.Http.CallAsync("POST", "/api/clients", new { name = "Busy" }).ExpectAsync(HttpStatusCode.Created)).Id();
        var tag = (await owner.Http.CallAsync("POST", "/api/tags", new { name = "Busy" }).ExpectAsync(HttpStatusCode.Created)).Id();
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => owner.Http.CallAsync("PUT", $"/api/clients/{client}/tags/{tag}")));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.NoContent, r.StatusCode));
        Assert.Equal(1, await ClientLinksAsync(owner, client, tag));
    }

    [Fact]
    public async Task Tagging_an_event_is_idempotent_and_refuses_a_deleted_event()
    {
        var owner = await server.SignUpAsync();
        var client = (await owner.Http.CallAsync("POST", "/api/clients", new { name = "Newsworthy" }).ExpectAsync(HttpStatusCode.Created)).Id();
        var tag = (await owner.Http.CallAsync("POST", "/api/tags", new { name = "Follow up" }).ExpectAsync(HttpStatusCode.Created)).Id();
        var ev = await NewEventAsync(owner, client);

        await owner.Http.CallAsync("PUT", $"/api/events/{ev}/tags/{tag}").ExpectAsync(HttpStatusCode.NoContent);
        await owner.Http.CallAsync("PUT", $"/api/events/{ev}/tags/{tag}").ExpectAsync(HttpStatusCode.NoContent);
        Assert.Equal(1, await EventLinksAsync(owner, ev, tag));
        await owner.Http.CallAsync("DELETE", $"/api/events/{ev}/tags/{tag}").ExpectAsync(HttpStatusCode.NoContent);
        await owner.Http.CallAsync("DELETE", $"/api/events/{ev}/tags/{tag}").ExpectAsync(HttpStatusCode.NoContent);
        Assert.Equal(0, await EventLinksAsync(owner, ev, tag));
        await owner.Http.CallAsync("PUT", $"/api/events/{ev}/tags/{Guid.NewGuid()}").ExpectAsync(HttpStatusCode.NotFound);
        await owner.Http.CallAsync("PUT", $"/api/events/{Guid.NewGuid()}/tags/{tag}").ExpectAsync(HttpStatusCode.NotFound);

        // An event hidden with its client cannot be tagged either.
        await owner.Http.CallAsync("DELETE", $"/api/clients/{client}").ExpectAsync(HttpStatusCode.NoContent);
        var before = await ApiCalls.WritesAsync(server.Database, owner.BusinessId);
        await owner.Http.CallAsync("PUT", $"/api/events/{ev}/tags/{tag}").ExpectAsync(HttpStatusCode.NotFound);
        Assert.Equal(before, await ApiCalls.WritesAsync(server.Database, owner.BusinessId));
    }

    [Fact]
    public async Task An_event_s_tags_come_by_name_with_their_colors_in_the_feed_and_on_the_event_without_deleted_or_removed_ones()
    {
        var owner = await server.SignUpAsync();
        var client = (await owner.Http.CallAsync("POST", "/api/clients", new { name = "Newsworthy" }).ExpectAsync(HttpStatusCode.Created)).Id();
        var tagged = await NewEventAsync(owner, client);
        var untagged = await NewEventAsync(owner, client);
        var ids = new Dictionary<string, Guid>();
        // Made out of name order, so an order by id or by creation would show.
        foreach (var (name, color) in new[] { ("Zebra", "#112233"), ("Middle", null), ("Deleted", "#445566"), ("Alpha", "#778899"), ("Removed", null) })
        {
            ids[name] = (await owner.Http.CallAsync("POST", "/api/tags", new { name, color }).ExpectAsync(HttpStatusCode.Created)).Id();
            await owner.Http.CallAsync("PUT", $"/api/events/{tagged}/tags/{ids[name]}").ExpectAsync(HttpStatusCode.NoContent);
        }
        await owner.Http.CallAsync("DELETE", $"/api/tags/{ids["Deleted"]}").ExpectAsync(HttpStatusCode.NoContent);
        await owner.Http.CallAsync("DELETE", $"/api/events/{tagged}/tags/{ids["Removed"]}").ExpectAsync(HttpStatusCode.NoContent);

        var feed = (await owner.Http.GetAsync("/api/events").ExpectAsync()).GetProperty("items").EnumerateArray().ToDictionary(e => e.Id());
        (string, string?)[] expected = [("Alpha", "#778899"), ("Middle", null), ("Zebra", "#112233")];
        Assert.Equal(expected, Tags(feed[tagged]));
        Assert.Equal(expected.Select(t => ids[t.Item1]), feed[tagged].GetProperty("eventTags").EnumerateArray().Select(t => t.Id()));
        Assert.Empty(Tags(feed[untagged]));
        Assert.Equal(expected, Tags(await owner.Http.GetAsync($"/api/events/{tagged}").ExpectAsync()));

        static List<(string, string?)> Tags(JsonElement ev) =>
            ev.GetProperty("eventTags").EnumerateArray().Select(t => (t.GetProperty("name").GetString()!, t.GetProperty("color").GetString())).ToList();
    }

    [Fact]
    public async Task A_viewer_reads_tags_but_cannot_change_them_while_members_and_admins_can()
    {
        var owner = await server.SignUpAsync();
        var viewer = await server.AddUserAsync(owner, UserRoles.Viewer);
        var client = (await owner.Http.CallAsync("POST", "/api/clients", new { name = "Seen" }).ExpectAsync(HttpStatusCode.Created)).Id();
        var tag = (await owner.Http.CallAsync("POST", "/api/tags", new { name = "Seen" }).ExpectAsync(HttpStatusCode.Created)).Id();
        var ev = await NewEventAsync(owner, client);

        await viewer.Http.GetAsync("/api/tags").ExpectAsync();
        await viewer.Http.GetAsync($"/api/tags/{tag}").ExpectAsync();
        var before = await ApiCalls.WritesAsync(server.Database, owner.BusinessId);
        foreach (var (method, path, body) in Writes(tag, client, ev).Append(("POST", "/api/tags", new { name = "Mine" })))
            Assert.True(HttpStatusCode.Forbidden == (await viewer.Http.CallAsync(method, path, body)).StatusCode, $"{method} {path}");
        Assert.Equal(before, await ApiCalls.WritesAsync(server.Database, owner.BusinessId));
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Anonymous().GetAsync("/api/tags")).StatusCode);

        foreach (var role in new[] { UserRoles.Member, UserRoles.Admin })
        {
            var user = await server.AddUserAsync(owner, role);
            var mine = (await user.Http.CallAsync("POST", "/api/tags", new { name = "By " + role }).ExpectAsync(HttpStatusCode.Created)).Id();
            await user.Http.CallAsync("PATCH", $"/api/tags/{mine}", new { color = "#ABCDEF" }).ExpectAsync();
            await user.Http.CallAsync("PUT", $"/api/clients/{client}/tags/{mine}").ExpectAsync(HttpStatusCode.NoContent);
            await user.Http.CallAsync("DELETE", $"/api/clients/{client}/tags/{mine}").ExpectAsync(HttpStatusCode.NoContent);
            await user.Http.CallAsync("PUT", $"/api/events/{ev}/tags/{mine}").ExpectAsync(HttpStatusCode.NoContent);
            await user.Http.CallAsync("DELETE", $"/api/events/{ev}/tags/{mine}").ExpectAsync(HttpStatusCode.NoContent);
            await user.Http.CallAsync("DELETE", $"/api/tags/{mine}").ExpectAsync(HttpStatusCode.NoContent);
            await user.Http.CallAsync("POST", $"/api/tags/{mine}/restore").ExpectAsync();
        }
    }

    [Fact]
    public async Task Another_business_s_tags_clients_and_events_answer_404_and_stay_unchanged()
    {
        var a = await server.SignUpAsync();
        var b = await server.SignUpAsync();
        var aClient = (await a.Http.CallAsync("POST", "/api/clients", new { name = "A's" }).ExpectAsync(HttpStatusCode.Created)).Id();
        var aTag = (await a.Http.CallAsync("POST", "/api/tags", new { name = "A's" }).ExpectAsync(HttpStatusCode.Created)).Id();
        var aEvent = await NewEventAsync(a, aClient);
        var bClient = (await b.Http.CallAsync("POST", "/api/clients", new { name = "B's" }).ExpectAsync(HttpStatusCode.Created)).Id();
        var bTagResponse = await b.Http.CallAsync("POST", "/api/tags", new { name = "B's" });
        var bTag = (await bTagResponse.JsonAsync()).Id();
        var bBinnedTag = (await b.Http.CallAsync("POST", "/api/tags", new { name = "B's binned" }).ExpectAsync(HttpStatusCode.Created)).Id();
        await b.Http.CallAsync("DELETE", $"/api/tags/{bBinnedTag}").ExpectAsync(HttpStatusCode.NoContent);
        var bEvent = await NewEventAsync(b, bClient);
        await b.Http.CallAsync("PUT", $"/api/clients/{bClient}/tags/{bTag}").ExpectAsync(HttpStatusCode.NoContent);
        await b.Http.CallAsync("PUT", $"/api/events/{bEvent}/tags/{bTag}").ExpectAsync(HttpStatusCode.NoContent);

        var bBefore = await ApiCalls.WritesAsync(server.Database, b.BusinessId);
        var aBefore = await ApiCalls.WritesAsync(server.Database, a.BusinessId);
        var attempts = new List<(string Method, string Path, object? Body)>
        {
            ("GET", $"/api/tags/{bTag}", null),
            ("POST", $"/api/tags/{bBinnedTag}/restore", null),
        };
        // Every combination with at least one of B's ids: B's tag, B's client or event, or all of B's.
        attempts.AddRange(Writes(bTag, aClient, aEvent));
        attempts.AddRange(Writes(aTag, bClient, bEvent).Where(w => w.Path.Contains("/clients/") || w.Path.Contains("/events/")));
        attempts.AddRange(Writes(bTag, bClient, bEvent));
        foreach (var (method, path, body) in attempts)
            Assert.True(HttpStatusCode.NotFound == (await a.Http.CallAsync(method, path, body)).StatusCode, $"{method} {path}");
        Assert.DoesNotContain("B's", await a.Http.GetStringAsync("/api/tags"));
        Assert.Empty((await a.Http.GetAsync($"/api/clients?tag={bTag}").ExpectAsync()).GetProperty("items").EnumerateArray());

        Assert.Equal(bBefore, await ApiCalls.WritesAsync(server.Database, b.BusinessId));
        Assert.Equal(aBefore, await ApiCalls.WritesAsync(server.Database, a.BusinessId));
        Assert.Equal(bTagResponse.ETag(), (await b.Http.GetAsync($"/api/tags/{bTag}")).ETag());
        Assert.Equal(1, await ClientLinksAsync(b, bClient, bTag));
        Assert.Equal(1, await EventLinksAsync(b, bEvent, bTag));
    }

    /// <summary>Every route that changes a tag or its links, with a valid body.</summary>
    private static IEnumerable<(string Method, string Path, object? Body)> Writes(Guid tag, Guid client, Guid ev) =>
    [
        ("PATCH", $"/api/tags/{tag}", new { name = "Renamed" }),
        ("DELETE", $"/api/tags/{tag}", null),
        ("POST", $"/api/tags/{tag}/restore", null),
        ("PUT", $"/api/clients/{client}/tags/{tag}", null),
        ("DELETE", $"/api/clients/{client}/tags/{tag}", null),
        ("PUT", $"/api/events/{ev}/tags/{tag}", null),
        ("DELETE", $"/api/events/{ev}/tags/{tag}", null),
    ];

    public static TheoryData<string, string, string?, int> BadRequests()
    {
        var n101 = new string('n', 101);
        var unknown = Guid.NewGuid();
        var data = new TheoryData<string, string, string?, int>();
        void Add(string method, string path, string? body, int status = 400) => data.Add(method, path, body, status);

        // POST /api/tags
        foreach (var body in new[]
        {
            "{}", """{"name":""}""", """{"name":"  "}""", """{"name":null}""", $$"""{"name":"{{n101}}"}""", """{"name":7}""",
            """{"name":"x","color":"red"}""", """{"name":"x","color":"#FFF"}""", """{"name":"x","color":"#GGGGGG"}""", """{"name":"x","color":"#FF00001"}""",
            """{"name":"x","color":"FF0000"}""", """{"name":"x","color":"#FF0000\n"}""", """{"name":"x","color":16711680}""",
            """{"name":"x","businessId":"00000000-0000-0000-0000-000000000001"}""", """{"name":"x","isDeleted":true}""", """{"name":""", "[]", "",
        })
            Add("POST", "/api/tags", body);
        Add("POST", "/api/tags", """{"name":"existing"}""", 409);

        // GET /api/tags
        foreach (var query in new[] { "limit=0", "limit=201", "limit=x", "cursor=garbage", "cursor=e30" })
            Add("GET", "/api/tags?" + query, null);

        // GET, PATCH, DELETE /api/tags/{id}, POST .../restore
        Add("GET", "/api/tags/not-a-uuid", null);
        Add("GET", $"/api/tags/{unknown}", null, 404);
        foreach (var body in new[]
        {
            """{"name":null}""", """{"name":""}""", $$"""{"name":"{{n101}}"}""", """{"name":1}""", """{"color":"blue"}""", """{"color":"#12345"}""",
            """{"colour":"#123456"}""", """{"id":"00000000-0000-0000-0000-000000000001"}""", "[]", """{"name":""", "",
        })
            Add("PATCH", "/api/tags/{tag}", body);
        Add("PATCH", "/api/tags/{tag}", """{"name":"EXISTING"}""", 409);
        Add("PATCH", "/api/tags/not-a-uuid", """{"name":"x"}""");
        Add("PATCH", $"/api/tags/{unknown}", """{"name":"x"}""", 404);
        Add("DELETE", "/api/tags/not-a-uuid", null);
        Add("DELETE", $"/api/tags/{unknown}", null, 404);
        Add("POST", "/api/tags/not-a-uuid/restore", null);
        Add("POST", $"/api/tags/{unknown}/restore", null, 404);
        Add("POST", "/api/tags/{tag}/restore", null, 409);

        // PUT, DELETE /api/clients/{id}/tags/{tagId} and /api/events/{id}/tags/{tagId}
        foreach (var owner in new[] { "clients/{client}", "events/{event}" })
            foreach (var method in new[] { "PUT", "DELETE" })
            {
                Add(method, $"/api/{owner}/tags/not-a-uuid", null);
                Add(method, $"/api/{owner.Split('/')[0]}/not-a-uuid/tags/{{tag}}", null);
                Add(method, $"/api/{owner}/tags/{unknown}", null, 404);
                Add(method, $"/api/{owner.Split('/')[0]}/{unknown}/tags/{{tag}}", null, 404);
            }
        return data;
    }

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task Bad_input_is_refused_with_a_problem_and_writes_nothing(string method, string path, string? body, int status)
    {
        var owner = await server.SignUpAsync();
        var client = (await owner.Http.CallAsync("POST", "/api/clients", new { name = "Client" }).ExpectAsync(HttpStatusCode.Created)).Id();
        var created = await owner.Http.CallAsync("POST", "/api/tags", new { name = "Tag", color = "#123456" });
        var tag = (await created.JsonAsync()).Id();
        await owner.Http.CallAsync("POST", "/api/tags", new { name = "Existing" }).ExpectAsync(HttpStatusCode.Created);
        var ev = await NewEventAsync(owner, client);
        var before = await ApiCalls.WritesAsync(server.Database, owner.BusinessId);

        var response = await owner.Http.CallAsync(method,
            path.Replace("{client}", client.ToString()).Replace("{tag}", tag.ToString()).Replace("{event}", ev.ToString()), body);

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == (int)response.StatusCode, $"Expected {status}, got {(int)response.StatusCode}: {text}");
        if (text.Length > 0)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.DoesNotContain("   at ", text);
        }
        Assert.Equal(before, await ApiCalls.WritesAsync(server.Database, owner.BusinessId));
        Assert.Equal(created.ETag(), (await owner.Http.GetAsync($"/api/tags/{tag}")).ETag());
    }

    private async Task<Guid> NewEventAsync(ApiUser user, Guid clientId)
    {
        // The events routes are another feature's; the row is made through the data layer, as its owner.
        await using var db = server.Database.Context(user.BusinessId, TestActors.User(user.Id, user.BusinessId));
        var ev = new Event { ClientId = clientId, Title = "Something happened", Category = "news", EventDate = DateTime.UtcNow };
        db.Events.Add(ev);
        await db.SaveChangesAsync();
        return ev.Id;
    }

    private async Task<int> ClientLinksAsync(ApiUser user, Guid clientId, Guid tagId)
    {
        await using var db = server.Database.Context(user.BusinessId);
        return await db.ClientTags.IgnoreQueryFilters([SoftDeleteRules.Filter]).CountAsync(l => l.ClientId == clientId && l.TagId == tagId);
    }

    private async Task<int> EventLinksAsync(ApiUser user, Guid eventId, Guid tagId)
    {
        await using var db = server.Database.Context(user.BusinessId);
        return await db.EventTags.IgnoreQueryFilters([SoftDeleteRules.Filter]).CountAsync(l => l.EventId == eventId && l.TagId == tagId);
    }

    private async Task<List<string>> ClientTagNamesAsync(ApiUser user, Guid clientId) =>
        (await user.Http.GetAsync($"/api/clients/{clientId}").ExpectAsync()).GetProperty("tags").EnumerateArray()
            .Select(t => t.GetProperty("name").GetString()!).ToList();
}

public sealed class TagsApiTests_Sqlite(SqliteApi server) : TagsApiTests<SqliteDatabase>(server), IClassFixture<SqliteApi>;
public sealed class TagsApiTests_Postgres(PostgresApi server) : TagsApiTests<PostgresDatabase>(server), IClassFixture<PostgresApi>;
