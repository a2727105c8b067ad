using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Tidings.Notifications;
using Tidings.Tests.Infrastructure;
using Tidings.Users;

namespace Tidings.Tests.Clients;

public abstract class ClientsApiTests<TDatabase>(TidingsServer<TDatabase> server) where TDatabase : TestDatabase, new()
{
    private static readonly object FullClient = new
    {
        name = "Acme Rockets", domain = "acme.example", industry = "Aerospace", description = "Builds rockets.",
        companySize = "51-200", revenueRange = "$10M-$50M", headquartersLocation = "Toulouse, France", foundedYear = 1999,
        searchKeywords = new[] { "acme", "rockets" }, monitoringFrequency = "hourly", isActive = true,
        tier = "Enterprise", healthScore = 72.5, notes = "Renewal in March.",
    };

    [Fact]
    public async Task A_member_creates_reads_edits_deletes_and_restores_a_client()
    {
        var owner = await server.SignUpAsync();
        var member = await server.AddUserAsync(owner, UserRoles.Member);

        var created = await member.Http.CallAsync("POST", "/api/clients", FullClient);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var client = await created.JsonAsync();
        var id = client.Id();
        Assert.Equal($"/api/clients/{id}", created.Headers.Location?.ToString());
        Assert.Equal("Acme Rockets", client.GetProperty("name").GetString());
        Assert.Equal(["acme", "rockets"], client.GetProperty("searchKeywords").EnumerateArray().Select(k => k.GetString()));
        Assert.Equal("hourly", client.GetProperty("monitoringFrequency").GetString());
        Assert.Equal(1999, client.GetProperty("foundedYear").GetInt32());
        Assert.Equal(72.5, client.GetProperty("healthScore").GetDouble());
        Assert.Equal("Toulouse, France", client.GetProperty("headquartersLocation").GetString());
        Assert.Equal(member.Id, client.GetProperty("createdByUserId").GetGuid());
        Assert.False(client.GetProperty("isDeleted").GetBoolean());
        Assert.EndsWith("Z", client.GetProperty("createdAt").GetString());

        var read = await member.Http.GetAsync($"/api/clients/{id}");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(created.ETag(), read.ETag());
        Assert.Empty((await read.JsonAsync()).GetProperty("tags").EnumerateArray());

        var patched = await member.Http.CallAsync("PATCH", $"/api/clients/{id}",
            """{"tier":"SMB","searchKeywords":["acme","launch"],"description":null,"isActive":false}""", ifMatch: read.ETag());
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        Assert.NotEqual(read.ETag(), patched.ETag());
        var after = await patched.JsonAsync();
        Assert.Equal("SMB", after.GetProperty("tier").GetString());
        Assert.Equal(JsonValueKind.Null, after.GetProperty("description").ValueKind);
        Assert.False(after.GetProperty("isActive").GetBoolean());
        Assert.Equal("Acme Rockets", after.GetProperty("name").GetString()); // absent fields stay
        Assert.Equal(["acme", "launch"], after.GetProperty("searchKeywords").EnumerateArray().Select(k => k.GetString()));

        Assert.Equal(HttpStatusCode.NoContent, (await member.Http.DeleteAsync($"/api/clients/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await member.Http.GetAsync($"/api/clients/{id}")).StatusCode);
        Assert.DoesNotContain(id.ToString(), await member.Http.GetStringAsync("/api/clients"));
        Assert.Equal(HttpStatusCode.NotFound, (await member.Http.DeleteAsync($"/api/clients/{id}")).StatusCode);

        var restored = await member.Http.CallAsync("POST", $"/api/clients/{id}/restore").ExpectAsync();
        Assert.False(restored.GetProperty("isDeleted").GetBoolean());
        Assert.Equal("SMB", restored.GetProperty("tier").GetString());
        await member.Http.GetAsync($"/api/clients/{id}").ExpectAsync();
        Assert.Contains(id.ToString(), await member.Http.GetStringAsync("/api/clients"));
    }

    [Fact]
    public async Task Creating_with_only_a_name_takes_the_defaults()
    {
        var owner = await server.SignUpAsync();
        var client = await owner.Http.CallAsync("POST", "/api/clients", new { name = "  Plain  " }).ExpectAsync(HttpStatusCode.Created);
        Assert.Equal("Plain", client.GetProperty("name").GetString());
        Assert.Equal("daily", client.GetProperty("monitoringFrequency").GetString());
        Assert.True(client.GetProperty("isActive").GetBoolean());
        Assert.Empty(client.GetProperty("searchKeywords").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, client.GetProperty("assignedToUserId").ValueKind);
    }

    [Fact]
    public async Task Restoring_a_client_that_is_not_in_the_trash_is_a_conflict_and_a_missing_one_is_404()
    {
        var owner = await server.SignUpAsync();
        var id = (await owner.Http.CallAsync("POST", "/api/clients", new { name = "Live" }).ExpectAsync(HttpStatusCode.Created)).Id();
        var before = await ApiCalls.WritesAsync(server.Database, owner.BusinessId);
        await owner.Http.CallAsync("POST", $"/api/clients/{id}/restore").ExpectAsync(HttpStatusCode.Conflict);
        await owner.Http.CallAsync("POST", $"/api/clients/{Guid.NewGuid()}/restore").ExpectAsync(HttpStatusCode.NotFound);
        Assert.Equal(before, await ApiCalls.WritesAsync(server.Database, owner.BusinessId));
    }

    [Fact]
    public async Task A_stale_If_Match_answers_412_and_changes_nothing()
    {
        var owner = await server.SignUpAsync();
        var member = await server.AddUserAsync(owner, UserRoles.Member);
        var created = await owner.Http.CallAsync("POST", "/api/clients", new { name = "Versioned", tier = "SMB" });
        var id = (await created.JsonAsync()).Id();
        var first = created.ETag();

        var second = (await owner.Http.CallAsync("PATCH", $"/api/clients/{id}", new { tier = "Mid-Market" }, ifMatch: first)).ETag();
        var before = await ApiCalls.WritesAsync(server.Database, owner.BusinessId);
        await owner.Http.CallAsync("PATCH", $"/api/clients/{id}", new { tier = "Enterprise" }, ifMatch: first).ExpectAsync(HttpStatusCode.PreconditionFailed);
        await owner.Http.CallAsync("PUT", $"/api/clients/{id}/assignee", new { userId = member.Id }, ifMatch: first).ExpectAsync(HttpStatusCode.PreconditionFailed);
        await owner.Http.CallAsync("DELETE", $"/api/clients/{id}", ifMatch: first).ExpectAsync(HttpStatusCode.PreconditionFailed);
        Assert.Equal(before, await ApiCalls.WritesAsync(server.Database, owner.BusinessId));

        var current = await owner.Http.GetAsync($"/api/clients/{id}");
        Assert.Equal(second, current.ETag());
        Assert.Equal("Mid-Market", (await current.JsonAsync()).GetProperty("tier").GetString());
        await owner.Http.CallAsync("PATCH", $"/api/clients/{id}", new { tier = "Enterprise" }, ifMatch: "*").ExpectAsync();
        var latest = (await owner.Http.GetAsync($"/api/clients/{id}")).ETag();
        await owner.Http.CallAsync("DELETE", $"/api/clients/{id}", ifMatch: latest).ExpectAsync(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task Listing_searches_name_and_domain_case_insensitively_and_filters()
    {
        var owner = await server.SignUpAsync();
        var member = await server.AddUserAsync(owner, UserRoles.Member);
        async Task<Guid> Create(object body) => (await owner.Http.CallAsync("POST", "/api/clients", body).ExpectAsync(HttpStatusCode.Created)).Id();
        var alpha = await Create(new { name = "Alpha Corp", domain = "alpha.example", tier = "Enterprise" });
        var beta = await Create(new { name = "Beta Labs", domain = "beta.io", tier = "SMB", isActive = false });
        var gamma = await Create(new { name = "Gamma", domain = "ALPHAGAMMA.com", assignedToUserId = member.Id });
        var delta = await Create(new { name = "Delta 100%", tier = "SMB" });
        var tag = (await owner.Http.CallAsync("POST", "/api/tags", new { name = "Watch" }).ExpectAsync(HttpStatusCode.Created)).Id();
        await owner.Http.CallAsync("PUT", $"/api/clients/{delta}/tags/{tag}").ExpectAsync(HttpStatusCode.NoContent);

        async Task<List<Guid>> Ids(string query) =>
            (await owner.Http.GetAsync("/api/clients" + query).ExpectAsync()).GetProperty("items").EnumerateArray().Select(c => c.Id()).ToList();
        Assert.Equal([alpha, gamma], await Ids("?q=aLPHa"));
        Assert.Equal([beta], await Ids("?q=BETA.IO"));
        Assert.Equal([delta], await Ids("?q=100%25"));
        Assert.Equal([beta], await Ids("?active=false"));
        Assert.Equal([alpha, delta, gamma], await Ids("?active=true"));
        Assert.Equal([beta, delta], await Ids("?tier=SMB"));
        Assert.Equal([gamma], await Ids($"?assignedTo={member.Id}"));
        Assert.Equal([delta], await Ids($"?tag={tag}"));
        Assert.Equal([delta], await Ids($"?tier=SMB&active=true"));
        Assert.Empty(await Ids("?q=nothing-like-this"));

        var tagged = (await owner.Http.GetAsync($"/api/clients?tag={tag}").ExpectAsync()).GetProperty("items")[0];
        Assert.Equal("Watch", tagged.GetProperty("tags")[0].GetProperty("name").GetString());
    }

    [Fact]
    public async Task The_list_pages_by_name_and_returns_every_client_exactly_once()
    {
        var owner = await server.SignUpAsync();
        var names = new[] { "Page 5", "Page 1", "Same", "Page 3", "Page 2", "Same", "Page 4", "Page 6", "Same" };
        var ids = new List<Guid>();
        foreach (var name in names)
            ids.Add((await owner.Http.CallAsync("POST", "/api/clients", new { name }).ExpectAsync(HttpStatusCode.Created)).Id());

        var seen = new List<(Guid Id, string Name)>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await owner.Http.GetAsync("/api/clients?limit=2" + (cursor is null ? "" : "&cursor=" + cursor)).ExpectAsync();
            var items = page.GetProperty("items").EnumerateArray().ToList();
            Assert.InRange(items.Count, 1, 2);
            seen.AddRange(items.Select(c => (c.Id(), c.GetProperty("name").GetString()!)));
            cursor = page.GetProperty("nextCursor").GetString();
            pages++;
        } while (cursor is not null);

        Assert.Equal(5, pages);
        Assert.Equal(ids.Order(), seen.Select(s => s.Id).Order());
        Assert.Equal(names.Order(StringComparer.Ordinal), seen.Select(s => s.Name));
    }

    [Fact]
    public async Task History_lists_create_update_delete_and_restore_newest_first_with_ip_and_user_agent_for_the_owner()
    {
        var owner = await server.SignUpAsync();
        var id = (await owner.Http.CallAsync("POST", "/api/clients", new { name = "Tracked", tier = "SMB" }).ExpectAsync(HttpStatusCode.Created)).Id();
        await owner.Http.CallAsync("PATCH", $"/api/clients/{id}", new { tier = "Enterprise" }).ExpectAsync();
        await owner.Http.CallAsync("DELETE", $"/api/clients/{id}").ExpectAsync(HttpStatusCode.NoContent);
        // While in the trash its history stays readable, also to a viewer.
        var viewer = await server.AddUserAsync(owner, UserRoles.Viewer);
        Assert.Equal(3, (await viewer.Http.GetAsync($"/api/clients/{id}/history").ExpectAsync()).GetProperty("items").GetArrayLength());
        await owner.Http.CallAsync("POST", $"/api/clients/{id}/restore").ExpectAsync();

        var entries = (await owner.Http.GetAsync($"/api/clients/{id}/history").ExpectAsync()).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["RESTORE", "DELETE", "UPDATE", "CREATE"], entries.Select(e => e.GetProperty("action").GetString()));
        foreach (var entry in entries)
        {
            Assert.Equal("127.0.0.1", entry.GetProperty("ipAddress").GetString());
            Assert.Equal("Tidings.Tests", entry.GetProperty("userAgent").GetString());
            Assert.Equal(owner.Id, entry.GetProperty("userId").GetGuid());
            Assert.Equal("Owner", entry.GetProperty("actorName").GetString());
            Assert.Equal(JsonValueKind.Array, entry.GetProperty("changedFields").ValueKind);
        }
        var update = entries[2];
        Assert.Equal(["tier"], update.GetProperty("changedFields").EnumerateArray().Select(f => f.GetString()));
        Assert.Equal("SMB", update.GetProperty("oldValues").GetProperty("tier").GetString());
        Assert.Equal("Enterprise", update.GetProperty("newValues").GetProperty("tier").GetString());
        Assert.Equal("Tracked", entries[3].GetProperty("newValues").GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.Null, entries[3].GetProperty("oldValues").ValueKind);

        // One entry per page, four pages, the same order.
        var paged = new List<string>();
        string? cursor = null;
        do
        {
            var page = await viewer.Http.GetAsync($"/api/clients/{id}/history?limit=1" + (cursor is null ? "" : "&cursor=" + cursor)).ExpectAsync();
            paged.AddRange(page.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("action").GetString()!));
            cursor = page.GetProperty("nextCursor").GetString();
        } while (cursor is not null);
        Assert.Equal(["RESTORE", "DELETE", "UPDATE", "CREATE"], paged);
    }

    [Fact]
    public async Task Assigning_notifies_the_new_assignee_once_and_nobody_of_their_own_assignment()
    {
        var owner = await server.SignUpAsync();
        var member = await server.AddUserAsync(owner, UserRoles.Member);
        var admin = await server.AddUserAsync(owner, UserRoles.Admin);

        // Through POST.
        var first = await owner.Http.CallAsync("POST", "/api/clients", new { name = "First", assignedToUserId = member.Id }).ExpectAsync(HttpStatusCode.Created);
        Assert.Equal(member.Id, first.GetProperty("assignedToUserId").GetGuid());
        Assert.Equal(1, await AssignedNotificationsAsync(owner, member.Id, first.Id()));

        // The same assignee again changes nothing and notifies nobody.
        await owner.Http.CallAsync("PUT", $"/api/clients/{first.Id()}/assignee", new { userId = member.Id }).ExpectAsync();
        await owner.Http.CallAsync("PATCH", $"/api/clients/{first.Id()}", new { assignedToUserId = member.Id }).ExpectAsync();
        Assert.Equal(1, await AssignedNotificationsAsync(owner, member.Id, first.Id()));

        // Through PUT /assignee, to someone else, then to nobody.
        var moved = await owner.Http.CallAsync("PUT", $"/api/clients/{first.Id()}/assignee", new { userId = admin.Id }).ExpectAsync();
        Assert.Equal(admin.Id, moved.GetProperty("assignedToUserId").GetGuid());
        Assert.Equal(1, await AssignedNotificationsAsync(owner, admin.Id, first.Id()));
        var cleared = await owner.Http.CallAsync("PUT", $"/api/clients/{first.Id()}/assignee", """{"userId":null}""").ExpectAsync();
        Assert.Equal(JsonValueKind.Null, cleared.GetProperty("assignedToUserId").ValueKind);

        // Through PATCH, back to the member: a second notification for them.
        await owner.Http.CallAsync("PATCH", $"/api/clients/{first.Id()}", new { assignedToUserId = member.Id }).ExpectAsync();
        Assert.Equal(2, await AssignedNotificationsAsync(owner, member.Id, first.Id()));

        // Taking a client oneself, by any route, notifies nobody.
        var second = (await member.Http.CallAsync("POST", "/api/clients", new { name = "Second", assignedToUserId = member.Id }).ExpectAsync(HttpStatusCode.Created)).Id();
        await admin.Http.CallAsync("PUT", $"/api/clients/{second}/assignee", new { userId = admin.Id }).ExpectAsync();
        await owner.Http.CallAsync("PATCH", $"/api/clients/{second}", new { assignedToUserId = owner.Id }).ExpectAsync();
        Assert.Equal(0, await AssignedNotificationsAsync(owner, member.Id, second));
        Assert.Equal(0, await AssignedNotificationsAsync(owner, admin.Id, second));
        Assert.Equal(0, await AssignedNotificationsAsync(owner, owner.Id, second));
        Assert.Equal(0, await AssignedNotificationsAsync(owner, owner.Id, first.Id()));
    }

    [Fact]
    public async Task A_client_cannot_be_assigned_to_an_inactive_deleted_or_unknown_user()
    {
        var owner = await server.SignUpAsync();
        var inactive = await server.AddUserAsync(owner, UserRoles.Member);
        var deleted = await server.AddUserAsync(owner, UserRoles.Member);
        await using (var db = server.Database.Context(owner.BusinessId, TestActors.User(owner.Id, owner.BusinessId)))
        {
            (await db.Users.SingleAsync(u => u.Id == inactive.Id)).IsActive = false;
            db.Users.Remove(await db.Users.SingleAsync(u => u.Id == deleted.Id));
            await db.SaveChangesAsync();
        }
        var created = await owner.Http.CallAsync("POST", "/api/clients", new { name = "Orphan" });
        var id = (await created.JsonAsync()).Id();

        var before = await ApiCalls.WritesAsync(server.Database, owner.BusinessId);
        foreach (var userId in new[] { inactive.Id, deleted.Id, Guid.NewGuid() })
        {
            await owner.Http.CallAsync("PUT", $"/api/clients/{id}/assignee", new { userId }).ExpectAsync(HttpStatusCode.UnprocessableEntity);
            await owner.Http.CallAsync("PATCH", $"/api/clients/{id}", new { assignedToUserId = userId }).ExpectAsync(HttpStatusCode.UnprocessableEntity);
            await owner.Http.CallAsync("POST", "/api/clients", new { name = "Never", assignedToUserId = userId }).ExpectAsync(HttpStatusCode.UnprocessableEntity);
        }
        Assert.Equal(before, await ApiCalls.WritesAsync(server.Database, owner.BusinessId));
        Assert.Equal(created.ETag(), (await owner.Http.GetAsync($"/api/clients/{id}")).ETag());
    }

    [Fact]
    public async Task A_viewer_reads_but_cannot_change_clients_while_members_and_admins_can()
    {
        var owner = await server.SignUpAsync();
        var viewer = await server.AddUserAsync(owner, UserRoles.Viewer);
        var member = await server.AddUserAsync(owner, UserRoles.Member);
        var admin = await server.AddUserAsync(owner, UserRoles.Admin);
        var id = (await owner.Http.CallAsync("POST", "/api/clients", new { name = "Shared" }).ExpectAsync(HttpStatusCode.Created)).Id();
        await owner.Http.CallAsync("POST", "/api/clients", new { name = "Binned" }).ExpectAsync(HttpStatusCode.Created);

        await viewer.Http.GetAsync("/api/clients").ExpectAsync();
        await viewer.Http.GetAsync($"/api/clients/{id}").ExpectAsync();
        await viewer.Http.GetAsync($"/api/clients/{id}/history").ExpectAsync();
        var before = await ApiCalls.WritesAsync(server.Database, owner.BusinessId);
        foreach (var (method, path, body) in Writes(id, viewer.Id).Append(("POST", "/api/clients", new { name = "Intruder" })))
            Assert.Equal(HttpStatusCode.Forbidden, (await viewer.Http.CallAsync(method, path, body)).StatusCode);
        Assert.Equal(before, await ApiCalls.WritesAsync(server.Database, owner.BusinessId));
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Anonymous().GetAsync("/api/clients")).StatusCode);

        foreach (var user in new[] { member, admin })
        {
            var mine = (await user.Http.CallAsync("POST", "/api/clients", new { name = "By " + user.Role }).ExpectAsync(HttpStatusCode.Created)).Id();
            await user.Http.CallAsync("PATCH", $"/api/clients/{mine}", new { notes = "mine" }).ExpectAsync();
            await user.Http.CallAsync("PUT", $"/api/clients/{mine}/assignee", new { userId = viewer.Id }).ExpectAsync();
            await user.Http.CallAsync("DELETE", $"/api/clients/{mine}").ExpectAsync(HttpStatusCode.NoContent);
            await user.Http.CallAsync("POST", $"/api/clients/{mine}/restore").ExpectAsync();
        }
    }

    [Fact]
    public async Task Another_business_s_clients_answer_404_to_every_route_and_stay_unchanged()
    {
        var a = await server.SignUpAsync();
        var b = await server.SignUpAsync();
        var bMember = await server.AddUserAsync(b, UserRoles.Member);
        var bLive = await b.Http.CallAsync("POST", "/api/clients", new { name = "B's client", assignedToUserId = bMember.Id });
        var bLiveId = (await bLive.JsonAsync()).Id();
        var bBinned = (await b.Http.CallAsync("POST", "/api/clients", new { name = "B's binned" }).ExpectAsync(HttpStatusCode.Created)).Id();
        await b.Http.CallAsync("DELETE", $"/api/clients/{bBinned}").ExpectAsync(HttpStatusCode.NoContent);
        var aClient = (await a.Http.CallAsync("POST", "/api/clients", new { name = "A's client" }).ExpectAsync(HttpStatusCode.Created)).Id();

        var bBefore = await ApiCalls.WritesAsync(server.Database, b.BusinessId);
        foreach (var bId in new[] { bLiveId, bBinned })
        {
            foreach (var (method, path, body) in Writes(bId, a.Id).Append(("GET", $"/api/clients/{bId}", null)).Append(("GET", $"/api/clients/{bId}/history", null)))
                Assert.True(HttpStatusCode.NotFound == (await a.Http.CallAsync(method, path, body)).StatusCode, $"{method} {path}");
            // Also with If-Match, which must not reveal a version.
            await a.Http.CallAsync("PATCH", $"/api/clients/{bId}", new { name = "x" }, ifMatch: bLive.ETag()).ExpectAsync(HttpStatusCode.NotFound);
        }
        // B's people are nobody A can assign to, and B's ids filter nothing in A's list.
        await a.Http.CallAsync("PUT", $"/api/clients/{aClient}/assignee", new { userId = bMember.Id }).ExpectAsync(HttpStatusCode.UnprocessableEntity);
        await a.Http.CallAsync("PATCH", $"/api/clients/{aClient}", new { assignedToUserId = b.Id }).ExpectAsync(HttpStatusCode.UnprocessableEntity);
        await a.Http.CallAsync("POST", "/api/clients", new { name = "Poach", assignedToUserId = bMember.Id }).ExpectAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Empty((await a.Http.GetAsync($"/api/clients?assignedTo={bMember.Id}").ExpectAsync()).GetProperty("items").EnumerateArray());
        Assert.DoesNotContain("B's", await a.Http.GetStringAsync("/api/clients?q=B"));

        Assert.Equal(bBefore, await ApiCalls.WritesAsync(server.Database, b.BusinessId));
        var bNow = await b.Http.GetAsync($"/api/clients/{bLiveId}");
        Assert.Equal(bLive.ETag(), bNow.ETag());
        Assert.Equal("B's client", (await bNow.JsonAsync()).GetProperty("name").GetString());
        await b.Http.GetAsync($"/api/clients/{bBinned}").ExpectAsync(HttpStatusCode.NotFound);
        Assert.Equal(2, (await b.Http.GetAsync($"/api/clients/{bBinned}/history").ExpectAsync()).GetProperty("items").GetArrayLength());
    }

    /// <summary>Every route that writes an existing client, with a valid body.</summary>
    private static IEnumerable<(string Method, string Path, object? Body)> Writes(Guid id, Guid userId) =>
    [
        ("PATCH", $"/api/clients/{id}", new { name = "Renamed" }),
        ("PUT", $"/api/clients/{id}/assignee", new { userId }),
        ("DELETE", $"/api/clients/{id}", null),
        ("POST", $"/api/clients/{id}/restore", null),
    ];

    public static TheoryData<string, string, string?, int> BadRequests()
    {
        var n201 = new string('n', 201);
        var n101 = new string('n', 101);
        var n51 = new string('n', 51);
        var unknown = Guid.NewGuid();
        var data = new TheoryData<string, string, string?, int>();
        void Add(string method, string path, string? body, int status = 400) => data.Add(method, path, body, status);

        // POST /api/clients
        foreach (var body in new[]
        {
            "{}", """{"name":""}""", """{"name":"   "}""", $$"""{"name":"{{n201}}"}""", """{"name":42}""", """{"name":null}""",
            $$"""{"name":"A","domain":"{{n201}}"}""", $$"""{"name":"A","industry":"{{n101}}"}""",
            $$"""{"name":"A","companySize":"{{n51}}"}""", $$"""{"name":"A","revenueRange":"{{n51}}"}""",
            $$"""{"name":"A","headquartersLocation":"{{n201}}"}""", $$"""{"name":"A","tier":"{{n51}}"}""",
            """{"name":"A","foundedYear":1799}""", """{"name":"A","foundedYear":9999}""", """{"name":"A","foundedYear":1999.5}""",
            """{"name":"A","searchKeywords":"acme"}""", """{"name":"A","searchKeywords":[""]}""", """{"name":"A","searchKeywords":[null]}""",
            """{"name":"A","searchKeywords":[1,2]}""", $$"""{"name":"A","searchKeywords":["{{n201}}"]}""",
            "{\"name\":\"A\",\"searchKeywords\":[" + string.Join(",", Enumerable.Range(0, 101).Select(i => $"\"k{i}\"")) + "]}",
            """{"name":"A","monitoringFrequency":"monthly"}""", """{"name":"A","monitoringFrequency":"Daily"}""",
            """{"name":"A","isActive":"yes"}""", """{"name":"A","healthScore":-0.1}""", """{"name":"A","healthScore":100.1}""", """{"name":"A","healthScore":"high"}""",
            """{"name":"A","assignedToUserId":"nobody"}""", """{"name":"A","owner":"me"}""", $$"""{"name":"A","businessId":"{{unknown}}"}""",
            """{"name":"A","isDeleted":true}""", """{"name":""", "[]", "null", "",
        })
            Add("POST", "/api/clients", body);
        Add("POST", "/api/clients", $$"""{"name":"A","assignedToUserId":"{{unknown}}"}""", 422);

        // GET /api/clients
        foreach (var query in new[] { "limit=0", "limit=201", "limit=ten", "cursor=garbage", "cursor=e30", "active=maybe", "assignedTo=someone", "tag=x", "q=" + n201 })
            Add("GET", "/api/clients?" + query, null);

        // GET, PATCH, DELETE /api/clients/{id}
        Add("GET", "/api/clients/not-a-uuid", null);
        Add("GET", $"/api/clients/{unknown}", null, 404);
        foreach (var body in new[]
        {
            """{"name":null}""", """{"name":""}""", $$"""{"name":"{{n201}}"}""", """{"monitoringFrequency":null}""", """{"monitoringFrequency":"yearly"}""",
            """{"isActive":null}""", """{"isActive":1}""", """{"foundedYear":1700}""", """{"healthScore":101}""", """{"healthScore":"x"}""",
            """{"searchKeywords":"x"}""", """{"searchKeywords":[""]}""", $$"""{"domain":"{{n201}}"}""", """{"id":"00000000-0000-0000-0000-000000000001"}""",
            """{"createdAt":"2020-01-01T00:00:00Z"}""", """{"isDeleted":true}""", """{"nmae":"typo"}""", "[]", "\"name\"", """{"name":""", "",
            """{"assignedToUserId":"nobody"}""",
        })
            Add("PATCH", "/api/clients/{client}", body);
        Add("PATCH", "/api/clients/{client}", $$"""{"assignedToUserId":"{{unknown}}"}""", 422);
        Add("PATCH", "/api/clients/not-a-uuid", """{"name":"x"}""");
        Add("PATCH", $"/api/clients/{unknown}", """{"name":"x"}""", 404);
        Add("DELETE", "/api/clients/not-a-uuid", null);
        Add("DELETE", $"/api/clients/{unknown}", null, 404);

        // POST /api/clients/{id}/restore
        Add("POST", "/api/clients/not-a-uuid/restore", null);
        Add("POST", "/api/clients/{client}/restore", null, 409);

        // PUT /api/clients/{id}/assignee
        foreach (var body in new[] { "{}", """{"userId":"nobody"}""", """{"userId":null,"extra":1}""", """{"user":null}""", """{"userId":""", "[]", "" })
            Add("PUT", "/api/clients/{client}/assignee", body);
        Add("PUT", "/api/clients/{client}/assignee", $$"""{"userId":"{{unknown}}"}""", 422);
        Add("PUT", "/api/clients/not-a-uuid/assignee", """{"userId":null}""");
        Add("PUT", $"/api/clients/{unknown}/assignee", """{"userId":null}""", 404);

        // GET /api/clients/{id}/history
        foreach (var query in new[] { "limit=0", "limit=201", "cursor=garbage", "cursor=e30" })
            Add("GET", "/api/clients/{client}/history?" + query, null);
        Add("GET", "/api/clients/not-a-uuid/history", null);
        Add("GET", $"/api/clients/{unknown}/history", null, 404);
        return data;
    }

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task Bad_input_is_refused_with_a_problem_and_writes_nothing(string method, string path, string? body, int status)
    {
        var owner = await server.SignUpAsync();
        var created = await owner.Http.CallAsync("POST", "/api/clients", FullClient);
        var id = (await created.JsonAsync()).Id();
        var before = await ApiCalls.WritesAsync(server.Database, owner.BusinessId);

        var response = await owner.Http.CallAsync(method, path.Replace("{client}", id.ToString()), body);

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == (int)response.StatusCode, $"Expected {status}, got {(int)response.StatusCode}: {text}");
        if (text.Length > 0)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.DoesNotContain("   at ", text);
        }
        if (status == 400 && body is not null && body.StartsWith('{') && !path.Contains("not-a-uuid") && text.Contains("\"errors\""))
            Assert.NotEmpty(JsonDocument.Parse(text).RootElement.GetProperty("errors").EnumerateObject());
        Assert.Equal(before, await ApiCalls.WritesAsync(server.Database, owner.BusinessId));
        Assert.Equal(created.ETag(), (await owner.Http.GetAsync($"/api/clients/{id}")).ETag());
    }

    private async Task<int> AssignedNotificationsAsync(ApiUser colleague, Guid userId, Guid clientId)
    {
        await using var db = server.Database.Context(colleague.BusinessId);
        return await db.Notifications.CountAsync(n => n.UserId == userId && n.RelatedClientId == clientId && n.Type == NotificationTypes.ClientAssigned);
    }
}

public sealed class ClientsApiTests_Sqlite(SqliteApi server) : ClientsApiTests<SqliteDatabase>(server), IClassFixture<SqliteApi>;
public sealed class ClientsApiTests_Postgres(PostgresApi server) : ClientsApiTests<PostgresDatabase>(server), IClassFixture<PostgresApi>;
