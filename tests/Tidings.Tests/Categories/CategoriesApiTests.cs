using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Tidings.Clients;
using Tidings.Data.Auditing;
using Tidings.Data.SoftDelete;
using Tidings.Events;
using Tidings.Tests.Clients;
using Tidings.Tests.Infrastructure;
using Tidings.Users;

namespace Tidings.Tests.Categories;

public abstract class CategoriesApiTests<TDatabase>(TidingsServer<TDatabase> server) where TDatabase : TestDatabase, new()
{
    [Fact]
    public async Task An_admin_adds_renames_describes_retires_and_restores_a_category()
    {
        var owner = await server.SignUpAsync();
        var admin = await server.AddUserAsync(owner, UserRoles.Admin);

        var created = await admin.Http.CallAsync("POST", "/api/categories", new { key = "zz_supply", name = " Supply chain ", signal = "risk", weight = 0.7 });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var parent = await created.JsonAsync();
        var id = parent.Id();
        Assert.Equal($"/api/categories/{id}", created.Headers.Location?.ToString());
        Assert.Equal("Supply chain", parent.GetProperty("name").GetString());
        Assert.Equal(admin.Id, parent.GetProperty("createdByUserId").GetGuid());
        var child = await admin.Http.CallAsync("POST", "/api/categories", new { key = "zz_shortage", name = "Shortage", parentId = id }).ExpectAsync(HttpStatusCode.Created);
        Assert.Equal("zz_supply", child.GetProperty("parentKey").GetString());
        Assert.Equal("neutral", child.GetProperty("signal").GetString());
        Assert.Equal(0.5, child.GetProperty("weight").GetDouble());

        // Parents before their children, top-level ones by key.
        var keys = (await admin.Http.GetAsync("/api/categories").ExpectAsync()).EnumerateArray().Select(c => c.GetProperty("key").GetString()!).ToList();
        Assert.Equal(["acquisition", "acquirer", "target"], keys.SkipWhile(k => k != "acquisition").Take(3));
        Assert.Equal(["zz_supply", "zz_shortage"], keys.TakeLast(2));
        Assert.Equal(keys.Where(k => k is not ("acquirer" or "target" or "zz_shortage")).Order(StringComparer.Ordinal), keys.Where(k => k is not ("acquirer" or "target" or "zz_shortage")));

        var read = await admin.Http.GetAsync($"/api/categories/{id}");
        Assert.Equal(created.ETag(), read.ETag());
        var patched = await admin.Http.CallAsync("PATCH", $"/api/categories/{id}",
            new { name = "Suppliers", description = "Trouble with suppliers.", signal = "neutral", weight = 0.2 }, ifMatch: read.ETag());
        var after = await patched.JsonAsync();
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        Assert.NotEqual(read.ETag(), patched.ETag());
        Assert.Equal(("Suppliers", "Trouble with suppliers.", "neutral", 0.2),
            (after.GetProperty("name").GetString(), after.GetProperty("description").GetString(), after.GetProperty("signal").GetString(), after.GetProperty("weight").GetDouble()));
        Assert.Equal("zz_supply", after.GetProperty("key").GetString());
        await admin.Http.CallAsync("PATCH", $"/api/categories/{id}", new { name = "Lost update" }, ifMatch: read.ETag()).ExpectAsync(HttpStatusCode.PreconditionFailed);
        var cleared = await admin.Http.CallAsync("PATCH", $"/api/categories/{id}", """{"description":null}""").ExpectAsync();
        Assert.Equal(JsonValueKind.Null, cleared.GetProperty("description").ValueKind);

        // A parent retires after its children; a child comes back only under a live parent.
        await admin.Http.CallAsync("DELETE", $"/api/categories/{id}").ExpectAsync(HttpStatusCode.Conflict);
        await admin.Http.CallAsync("DELETE", $"/api/categories/{child.Id()}").ExpectAsync(HttpStatusCode.NoContent);
        await admin.Http.CallAsync("DELETE", $"/api/categories/{id}").ExpectAsync(HttpStatusCode.NoContent);
        await admin.Http.GetAsync($"/api/categories/{id}").ExpectAsync(HttpStatusCode.NotFound);
        Assert.DoesNotContain(id.ToString(), await admin.Http.GetStringAsync("/api/categories"));
        await admin.Http.CallAsync("POST", $"/api/categories/{child.Id()}/restore").ExpectAsync(HttpStatusCode.Conflict);
        var restored = await admin.Http.CallAsync("POST", $"/api/categories/{id}/restore").ExpectAsync();
        Assert.Equal("Suppliers", restored.GetProperty("name").GetString());
        await admin.Http.CallAsync("POST", $"/api/categories/{child.Id()}/restore").ExpectAsync();
        await admin.Http.CallAsync("POST", $"/api/categories/{id}/restore").ExpectAsync(HttpStatusCode.Conflict);

        await using var db = server.Database.Context(owner.BusinessId);
        Assert.Equal(2, await db.AuditLogs.CountAsync(l => l.TableName == "categories" && l.RecordId == id.ToString() && (l.Action == AuditActions.Delete || l.Action == AuditActions.Restore)));
    }

    [Fact]
    public async Task A_key_is_unique_among_live_categories_cannot_change_and_is_free_again_once_retired()
    {
        var owner = await server.SignUpAsync();
        var before = await StateAsync(owner);
        await owner.Http.CallAsync("POST", "/api/categories", new { key = "funding", name = "Funding again" }).ExpectAsync(HttpStatusCode.Conflict);
        var funding = await CategoryIdAsync(owner, "funding");
        var refused = await owner.Http.CallAsync("PATCH", $"/api/categories/{funding}", new { key = "financing" }).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Contains("merge", refused.GetProperty("errors").GetProperty("key")[0].GetString());
        Assert.Equal(before, await StateAsync(owner));
        // The key it already has is no change.
        await owner.Http.CallAsync("PATCH", $"/api/categories/{funding}", new { key = "funding", name = "Money raised" }).ExpectAsync();

        await owner.Http.CallAsync("DELETE", $"/api/categories/{funding}").ExpectAsync(HttpStatusCode.NoContent);
        var reused = (await owner.Http.CallAsync("POST", "/api/categories", new { key = "funding", name = "Funding" }).ExpectAsync(HttpStatusCode.Created)).Id();
        await owner.Http.CallAsync("POST", $"/api/categories/{funding}/restore").ExpectAsync(HttpStatusCode.Conflict);
        await owner.Http.CallAsync("DELETE", $"/api/categories/{reused}").ExpectAsync(HttpStatusCode.NoContent);
        await owner.Http.CallAsync("POST", $"/api/categories/{funding}/restore").ExpectAsync();

        // Another business has its own keys.
        var stranger = await server.SignUpAsync();
        await stranger.Http.CallAsync("POST", "/api/categories", new { key = "zz_own", name = "Own" }).ExpectAsync(HttpStatusCode.Created);
        await owner.Http.CallAsync("POST", "/api/categories", new { key = "zz_own", name = "Own" }).ExpectAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task Bad_input_answers_problem_details_and_changes_nothing()
    {
        var owner = await server.SignUpAsync();
        var stranger = await server.SignUpAsync();
        var funding = await CategoryIdAsync(owner, "funding");
        var acquirer = await CategoryIdAsync(owner, "acquirer");
        var retired = (await owner.Http.CallAsync("POST", "/api/categories", new { key = "zz_retired", name = "Retired" }).ExpectAsync(HttpStatusCode.Created)).Id();
        await owner.Http.CallAsync("DELETE", $"/api/categories/{retired}").ExpectAsync(HttpStatusCode.NoContent);
        var theirs = await CategoryIdAsync(stranger, "funding");

        var calls = new (string Method, string Path, string Body, HttpStatusCode Status, string? Field)[]
        {
            ("POST", "/api/categories", """{"name":"No key"}""", HttpStatusCode.BadRequest, "key"),
            ("POST", "/api/categories", """{"key":"Upper","name":"x"}""", HttpStatusCode.BadRequest, "key"),
            ("POST", "/api/categories", """{"key":"1st","name":"x"}""", HttpStatusCode.BadRequest, "key"),
            ("POST", "/api/categories", """{"key":"has space","name":"x"}""", HttpStatusCode.BadRequest, "key"),
            ("POST", "/api/categories", $$"""{"key":"{{new string('k', 51)}}","name":"x"}""", HttpStatusCode.BadRequest, "key"),
            ("POST", "/api/categories", """{"key":"zz_a"}""", HttpStatusCode.BadRequest, "name"),
            ("POST", "/api/categories", $$"""{"key":"zz_a","name":"{{new string('n', 101)}}"}""", HttpStatusCode.BadRequest, "name"),
            ("POST", "/api/categories", $$"""{"key":"zz_a","name":"x","description":"{{new string('d', 1001)}}"}""", HttpStatusCode.BadRequest, "description"),
            ("POST", "/api/categories", """{"key":"zz_a","name":"x","signal":"good"}""", HttpStatusCode.BadRequest, "signal"),
            ("POST", "/api/categories", """{"key":"zz_a","name":"x","weight":1.5}""", HttpStatusCode.BadRequest, "weight"),
            ("POST", "/api/categories", """{"key":"zz_a","name":"x","weight":-0.1}""", HttpStatusCode.BadRequest, "weight"),
            ("POST", "/api/categories", """{"key":"zz_a","name":"x","weight":"high"}""", HttpStatusCode.BadRequest, null),
            ("POST", "/api/categories", """not json""", HttpStatusCode.BadRequest, null),
            ("POST", "/api/categories", $$"""{"key":"zz_a","name":"x","parentId":"{{acquirer}}"}""", HttpStatusCode.UnprocessableEntity, null),
            ("POST", "/api/categories", $$"""{"key":"zz_a","name":"x","parentId":"{{retired}}"}""", HttpStatusCode.UnprocessableEntity, null),
            ("POST", "/api/categories", $$"""{"key":"zz_a","name":"x","parentId":"{{theirs}}"}""", HttpStatusCode.UnprocessableEntity, null),
            ("POST", "/api/categories", $$"""{"key":"zz_a","name":"x","parentId":"{{Guid.NewGuid()}}"}""", HttpStatusCode.UnprocessableEntity, null),
            ("PATCH", $"/api/categories/{funding}", """{"name":null}""", HttpStatusCode.BadRequest, "name"),
            ("PATCH", $"/api/categories/{funding}", """{"name":"  "}""", HttpStatusCode.BadRequest, "name"),
            ("PATCH", $"/api/categories/{funding}", """{"signal":null}""", HttpStatusCode.BadRequest, "signal"),
            ("PATCH", $"/api/categories/{funding}", """{"signal":"up"}""", HttpStatusCode.BadRequest, "signal"),
            ("PATCH", $"/api/categories/{funding}", """{"weight":null}""", HttpStatusCode.BadRequest, "weight"),
            ("PATCH", $"/api/categories/{funding}", """{"weight":2}""", HttpStatusCode.BadRequest, "weight"),
            ("PATCH", $"/api/categories/{funding}", """{"key":"money"}""", HttpStatusCode.BadRequest, "key"),
            ("PATCH", $"/api/categories/{funding}", $$"""{"parentId":"{{await CategoryIdAsync(owner, "acquisition")}}"}""", HttpStatusCode.BadRequest, "parentId"),
            ("PATCH", $"/api/categories/{funding}", """{"events":3}""", HttpStatusCode.BadRequest, "events"),
            ("PATCH", $"/api/categories/{funding}", """[1]""", HttpStatusCode.BadRequest, null),
            ("POST", $"/api/categories/{funding}/merge", """{}""", HttpStatusCode.BadRequest, "into"),
            ("POST", $"/api/categories/{funding}/merge", """{"into":"not-a-uuid"}""", HttpStatusCode.BadRequest, null),
        };
        var before = await StateAsync(owner);
        foreach (var (method, path, body, status, field) in calls)
        {
            var response = await owner.Http.CallAsync(method, path, body);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(status == response.StatusCode, $"{method} {path} {body}: expected {(int)status}, got {(int)response.StatusCode}: {text}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            if (field is not null)
                Assert.True(JsonDocument.Parse(text).RootElement.GetProperty("errors").TryGetProperty(field, out _), $"{method} {path} {body}: no error for {field}: {text}");
        }
        Assert.Equal(before, await StateAsync(owner));
    }

    [Fact]
    public async Task Merging_moves_every_event_audited_one_by_one_and_retires_the_source()
    {
        var owner = await server.SignUpAsync();
        var client = await NewClientAsync(owner);
        var moving = new[] { await NewEventAsync(owner, client, "ipo"), await NewEventAsync(owner, client, "ipo", trashed: true) };
        var staying = await NewEventAsync(owner, client, "funding");
        var ipo = await CategoryIdAsync(owner, "ipo");
        var funding = await CategoryIdAsync(owner, "funding");
        Assert.Equal(1, (await owner.Http.GetAsync($"/api/categories/{ipo}").ExpectAsync()).GetProperty("events").GetInt32());

        var merged = await owner.Http.CallAsync("POST", $"/api/categories/{ipo}/merge", new { into = funding }).ExpectAsync();
        Assert.Equal(2, merged.GetProperty("moved").GetInt32());
        Assert.Equal("funding", merged.GetProperty("into").GetProperty("key").GetString());
        Assert.Equal(2, merged.GetProperty("into").GetProperty("events").GetInt32());
        await owner.Http.GetAsync($"/api/categories/{ipo}").ExpectAsync(HttpStatusCode.NotFound);
        var listed = (await owner.Http.GetAsync("/api/categories").ExpectAsync()).EnumerateArray().Single(c => c.GetProperty("key").GetString() == "funding");
        Assert.Equal(2, listed.GetProperty("events").GetInt32());

        await using (var db = server.Database.Context(owner.BusinessId))
        {
            var events = await db.Events.IgnoreQueryFilters([SoftDeleteRules.Filter]).AsNoTracking().ToListAsync();
            Assert.All(events, e => Assert.Equal("funding", e.Category));
            foreach (var ev in moving)
                Assert.Equal(1, await db.AuditLogs.CountAsync(l => l.TableName == "events" && l.RecordId == ev.ToString() && l.Action == AuditActions.Update && l.UserId == owner.Id));
            Assert.Equal(0, await db.AuditLogs.CountAsync(l => l.TableName == "events" && l.RecordId == staying.ToString() && l.Action == AuditActions.Update));
            Assert.Equal(1, await db.AuditLogs.CountAsync(l => l.TableName == "categories" && l.RecordId == ipo.ToString() && l.Action == AuditActions.Delete));
        }

        // A subcategory merges into another parent's subcategory: its events follow it under that parent.
        var legal = await CategoryIdAsync(owner, "legal");
        var lawsuit = (await owner.Http.CallAsync("POST", "/api/categories", new { key = "zz_lawsuit", name = "Lawsuit", parentId = legal }).ExpectAsync(HttpStatusCode.Created)).Id();
        var sub = await NewEventAsync(owner, client, "legal", "zz_lawsuit");
        var target = await CategoryIdAsync(owner, "target");
        Assert.Equal(1, (await owner.Http.CallAsync("POST", $"/api/categories/{lawsuit}/merge", new { into = target }).ExpectAsync()).GetProperty("moved").GetInt32());
        await using (var db = server.Database.Context(owner.BusinessId))
        {
            var ev = await db.Events.AsNoTracking().SingleAsync(e => e.Id == sub);
            Assert.Equal(("acquisition", "target"), (ev.Category, ev.Subcategory));
        }
    }

    [Fact]
    public async Task Merging_moves_the_labelled_examples_of_the_source_too()
    {
        var owner = await server.SignUpAsync();
        var client = await NewClientAsync(owner);
        var recall = (await owner.Http.CallAsync("POST", "/api/categories", new { key = "zz_recall", name = "Recall" }).ExpectAsync(HttpStatusCode.Created)).Id();
        var legal = await CategoryIdAsync(owner, "legal");
        var lawsuit = (await owner.Http.CallAsync("POST", "/api/categories", new { key = "zz_lawsuit", name = "Lawsuit", parentId = legal }).ExpectAsync(HttpStatusCode.Created)).Id();
        var recalled = await NewEventAsync(owner, client, "funding");
        var sued = await NewEventAsync(owner, client, "funding");
        var other = await NewEventAsync(owner, client, "funding");
        await owner.Http.CallAsync("POST", $"/api/events/{recalled}/review", new { category = "zz_recall" }).ExpectAsync();
        await owner.Http.CallAsync("POST", $"/api/events/{sued}/review", new { category = "legal", subcategory = "zz_lawsuit" }).ExpectAsync();
        await owner.Http.CallAsync("POST", $"/api/events/{other}/review", new { category = "earnings" }).ExpectAsync();

        await owner.Http.CallAsync("POST", $"/api/categories/{recall}/merge", new { into = await CategoryIdAsync(owner, "regulatory") }).ExpectAsync();
        await owner.Http.CallAsync("POST", $"/api/categories/{lawsuit}/merge", new { into = await CategoryIdAsync(owner, "target") }).ExpectAsync();

        await using var db = server.Database.Context(owner.BusinessId);
        var examples = await db.ClassificationExamples.AsNoTracking().ToDictionaryAsync(x => x.EventId, x => (x.Category, x.Subcategory));
        Assert.Equal(("regulatory", (string?)null), examples[recalled]);
        Assert.Equal(("acquisition", "target"), examples[sued]);
        Assert.Equal(("earnings", (string?)null), examples[other]);
        Assert.Equal(2, await db.AuditLogs.CountAsync(l => l.TableName == "classification_examples" && l.Action == AuditActions.Update));
    }

    [Fact]
    public async Task A_merge_is_refused_into_itself_a_retired_missing_or_foreign_category_across_levels_or_with_subcategories()
    {
        var owner = await server.SignUpAsync();
        var stranger = await server.SignUpAsync();
        var client = await NewClientAsync(owner);
        await NewEventAsync(owner, client, "ipo");
        await NewEventAsync(owner, client, "acquisition", "target");
        var ipo = await CategoryIdAsync(owner, "ipo");
        var acquisition = await CategoryIdAsync(owner, "acquisition");
        var target = await CategoryIdAsync(owner, "target");
        var retired = await CategoryIdAsync(owner, "award");
        await owner.Http.CallAsync("DELETE", $"/api/categories/{retired}").ExpectAsync(HttpStatusCode.NoContent);
        var theirs = await CategoryIdAsync(stranger, "funding");

        var read = await owner.Http.GetAsync($"/api/categories/{ipo}");
        await owner.Http.CallAsync("PATCH", $"/api/categories/{ipo}", new { weight = 0.9 }).ExpectAsync();

        var before = await StateAsync(owner);
        var theirsBefore = await StateAsync(stranger);
        await owner.Http.CallAsync("POST", $"/api/categories/{ipo}/merge", new { into = acquisition }, ifMatch: read.ETag()).ExpectAsync(HttpStatusCode.PreconditionFailed);
        await owner.Http.CallAsync("POST", $"/api/categories/{ipo}/merge", new { into = ipo }).ExpectAsync(HttpStatusCode.UnprocessableEntity);
        await owner.Http.CallAsync("POST", $"/api/categories/{ipo}/merge", new { into = retired }).ExpectAsync(HttpStatusCode.NotFound);
        await owner.Http.CallAsync("POST", $"/api/categories/{ipo}/merge", new { into = Guid.NewGuid() }).ExpectAsync(HttpStatusCode.NotFound);
        await owner.Http.CallAsync("POST", $"/api/categories/{ipo}/merge", new { into = theirs }).ExpectAsync(HttpStatusCode.NotFound);
        await owner.Http.CallAsync("POST", $"/api/categories/{theirs}/merge", new { into = ipo }).ExpectAsync(HttpStatusCode.NotFound);
        await owner.Http.CallAsync("POST", $"/api/categories/{retired}/merge", new { into = ipo }).ExpectAsync(HttpStatusCode.NotFound);
        await owner.Http.CallAsync("POST", $"/api/categories/{ipo}/merge", new { into = target }).ExpectAsync(HttpStatusCode.UnprocessableEntity);
        await owner.Http.CallAsync("POST", $"/api/categories/{target}/merge", new { into = ipo }).ExpectAsync(HttpStatusCode.UnprocessableEntity);
        await owner.Http.CallAsync("POST", $"/api/categories/{acquisition}/merge", new { into = ipo }).ExpectAsync(HttpStatusCode.Conflict);
        Assert.Equal(theirsBefore, await StateAsync(stranger));
        Assert.Equal(before, await StateAsync(owner));
    }

    [Fact]
    public async Task Another_business_category_answers_404_on_every_route_and_is_left_alone()
    {
        var owner = await server.SignUpAsync();
        var stranger = await server.SignUpAsync();
        var theirs = await CategoryIdAsync(stranger, "ipo");
        var mine = await CategoryIdAsync(owner, "funding");
        var before = await StateAsync(stranger);

        await owner.Http.GetAsync($"/api/categories/{theirs}").ExpectAsync(HttpStatusCode.NotFound);
        await owner.Http.CallAsync("PATCH", $"/api/categories/{theirs}", new { name = "Mine now" }).ExpectAsync(HttpStatusCode.NotFound);
        await owner.Http.CallAsync("DELETE", $"/api/categories/{theirs}").ExpectAsync(HttpStatusCode.NotFound);
        await owner.Http.CallAsync("POST", $"/api/categories/{theirs}/restore").ExpectAsync(HttpStatusCode.NotFound);
        await owner.Http.CallAsync("POST", $"/api/categories/{theirs}/merge", new { into = mine }).ExpectAsync(HttpStatusCode.NotFound);
        Assert.DoesNotContain(theirs.ToString(), await owner.Http.GetStringAsync("/api/categories"));
        Assert.Equal(before, await StateAsync(stranger));
    }

    [Fact]
    public async Task Viewers_and_members_read_the_taxonomy_but_only_admins_change_it()
    {
        var owner = await server.SignUpAsync();
        var funding = await CategoryIdAsync(owner, "funding");
        var ipo = await CategoryIdAsync(owner, "ipo");
        var award = await CategoryIdAsync(owner, "award");
        await owner.Http.CallAsync("DELETE", $"/api/categories/{award}").ExpectAsync(HttpStatusCode.NoContent);
        var before = await StateAsync(owner);
        foreach (var role in new[] { UserRoles.Viewer, UserRoles.Member })
        {
            var user = await server.AddUserAsync(owner, role);
            await user.Http.GetAsync("/api/categories").ExpectAsync();
            await user.Http.GetAsync($"/api/categories/{funding}").ExpectAsync();
            await user.Http.CallAsync("POST", "/api/categories", new { key = "zz_new", name = "New" }).ExpectAsync(HttpStatusCode.Forbidden);
            await user.Http.CallAsync("PATCH", $"/api/categories/{funding}", new { name = "Renamed" }).ExpectAsync(HttpStatusCode.Forbidden);
            await user.Http.CallAsync("DELETE", $"/api/categories/{funding}").ExpectAsync(HttpStatusCode.Forbidden);
            await user.Http.CallAsync("POST", $"/api/categories/{award}/restore").ExpectAsync(HttpStatusCode.Forbidden);
            await user.Http.CallAsync("POST", $"/api/categories/{ipo}/merge", new { into = funding }).ExpectAsync(HttpStatusCode.Forbidden);
        }
        Assert.Equal(before.Split(" audit=")[0], (await StateAsync(owner)).Split(" audit=")[0]);
    }

    private async Task<Guid> CategoryIdAsync(ApiUser user, string key) =>
        (await user.Http.GetAsync("/api/categories").ExpectAsync()).EnumerateArray().Single(c => c.GetProperty("key").GetString() == key).Id();

    private async Task<Guid> NewClientAsync(ApiUser user)
    {
        await using var db = server.Database.Context(user.BusinessId, TestActors.User(user.Id, user.BusinessId));
        var client = new Client { Name = "Acme" };
        db.Clients.Add(client);
        await db.SaveChangesAsync();
        return client.Id;
    }

    /// <summary>An event made through the data layer, as its owner: the events routes are another feature's.</summary>
    private async Task<Guid> NewEventAsync(ApiUser user, Guid clientId, string category, string? subcategory = null, bool trashed = false)
    {
        await using var db = server.Database.Context(user.BusinessId, TestActors.User(user.Id, user.BusinessId));
        var ev = new Event { ClientId = clientId, Title = "Something happened", Category = category, Subcategory = subcategory, EventDate = DateTime.UtcNow };
        db.Events.Add(ev);
        await db.SaveChangesAsync();
        if (trashed)
        {
            db.Events.Remove(ev);
            await db.SaveChangesAsync();
        }
        return ev.Id;
    }

    /// <summary>Every category (retired ones too), every event's category and the audit trail's size: equal means nothing was written.</summary>
    private async Task<string> StateAsync(ApiUser user)
    {
        await using var db = server.Database.Context(user.BusinessId);
        var categories = await db.Categories.IgnoreQueryFilters([SoftDeleteRules.Filter]).AsNoTracking().OrderBy(c => c.Id).ToListAsync();
        var events = await db.Events.IgnoreQueryFilters([SoftDeleteRules.Filter]).AsNoTracking().OrderBy(e => e.Id).ToListAsync();
        var audit = await db.AuditLogs.CountAsync(a => a.TableName != "api_tokens");
        return string.Join(" ", categories.Select(c => $"{c.Key}:{c.Weight}:{c.Name}:{c.Description}:{c.Signal}:{c.ParentId}:{c.IsDeleted}"))
            + " | " + string.Join(" ", events.Select(e => $"{e.Id}:{e.Category}:{e.Subcategory}:{e.IsDeleted}")) + $" audit={audit}";
    }
}

public sealed class CategoriesApiTests_Sqlite(SqliteApi server) : CategoriesApiTests<SqliteDatabase>(server), IClassFixture<SqliteApi>;
public sealed class CategoriesApiTests_Postgres(PostgresApi server) : CategoriesApiTests<PostgresDatabase>(server), IClassFixture<PostgresApi>;
public sealed class CategoriesApiTests_Citus(CitusApi server) : CategoriesApiTests<CitusDatabase>(server), IClassFixture<CitusApi>;
