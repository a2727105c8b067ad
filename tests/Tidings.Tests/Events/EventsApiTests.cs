using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Tidings.Data.SoftDelete;
using Tidings.Events;
using Tidings.Notifications;
using Tidings.Tests.Infrastructure;
using Tidings.Users;

namespace Tidings.Tests.Events;

public abstract class EventsApiTests<TDatabase>(TidingsServer<TDatabase> server) where TDatabase : TestDatabase, new()
{
    [Fact]
    public async Task A_member_creates_reads_edits_deletes_and_restores_an_event()
    {
        var owner = await server.SignUpAsync();
        var member = await server.AddUserAsync(owner, UserRoles.Member);
        var clientId = await server.Database.AddClientAsync(owner, "Initech");
        var date = new DateTime(2025, 3, 4, 5, 6, 7, DateTimeKind.Utc);

        var created = await member.Http.PostAsJsonAsync("/api/events", new
        {
            clientId, title = "  Initech raises $40M ", description = "Series C", url = "https://news.example/initech", source = "Example News",
            sourceType = "news", category = "funding", subcategory = "series_c", tags = new[] { "money", "growth" },
            relevanceScore = 0.7, sentimentScore = 0.4, confidenceScore = 0.9, eventDate = date,
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var ev = (await created.Content.ReadFromJsonAsync<EventDto>())!;
        Assert.Equal($"/api/events/{ev.Id}", created.Headers.Location?.OriginalString);
        Assert.Equal(("Initech raises $40M", "Initech", clientId, member.Id), (ev.Title, ev.ClientName, ev.ClientId, ev.CreatedByUserId));
        Assert.Equal(["money", "growth"], ev.Tags);
        Assert.Equal((0.7, 0.4, 0.9, date), (ev.RelevanceScore, ev.SentimentScore, ev.ConfidenceScore, ev.EventDate));
        Assert.Equal(ContentHash.Of("https://news.example/initech", "", clientId), ev.ContentHash);
        Assert.False(ev.IsDuplicate);
        Assert.Null(ev.DuplicateOfEventId);

        var get = await owner.Http.GetAsync($"/api/events/{ev.Id}");
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        var etag = get.Headers.ETag?.Tag;
        Assert.NotNull(etag);
        Assert.Equal(created.Headers.ETag?.Tag, etag);

        var patched = await member.SendAsync("PATCH", $"/api/events/{ev.Id}", """{"title":"Initech raises $50M","url":"https://news.example/initech-50","description":null}""", etag);
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        var after = (await patched.Content.ReadFromJsonAsync<EventDto>())!;
        Assert.Equal(("Initech raises $50M", (string?)null, "funding"), (after.Title, after.Description, after.Category));
        Assert.Equal(ContentHash.Of("https://news.example/initech-50", "", clientId), after.ContentHash);
        Assert.NotEqual(etag, patched.Headers.ETag?.Tag);

        Assert.Equal(HttpStatusCode.NoContent, (await member.SendAsync("DELETE", $"/api/events/{ev.Id}", ifMatch: patched.Headers.ETag!.Tag)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await owner.Http.GetAsync($"/api/events/{ev.Id}")).StatusCode);
        Assert.Empty((await owner.FeedAsync()).Items);
        Assert.Equal(HttpStatusCode.NotFound, (await member.SendAsync("DELETE", $"/api/events/{ev.Id}")).StatusCode);

        var restored = await member.Http.PostAsync($"/api/events/{ev.Id}/restore", null);
        Assert.Equal(HttpStatusCode.OK, restored.StatusCode);
        Assert.False((await restored.Content.ReadFromJsonAsync<EventDto>())!.IsDeleted);
        Assert.Equal([ev.Id], (await owner.FeedAsync()).Items.Select(e => e.Id));

        await using var db = server.Database.Context(owner.BusinessId);
        var actions = await db.AuditLogs.Where(a => a.TableName == "events" && a.RecordId == ev.Id.ToString()).OrderBy(a => a.CreatedAt).Select(a => a.Action).ToListAsync();
        Assert.Equal(["CREATE", "UPDATE", "DELETE", "RESTORE"], actions);
    }

    [Fact]
    public async Task The_same_url_modulo_tracking_slash_and_case_is_stored_as_a_duplicate_of_the_first_and_kept_out_of_the_feed()
    {
        var owner = await server.SignUpAsync();
        var clientId = await server.Database.AddClientAsync(owner);
        var other = await server.Database.AddClientAsync(owner, "Other");
        var first = await owner.PostEventAsync(clientId, "Acme buys Beta", "https://News.Example.com/story/1?b=2&a=1");
        var second = await owner.PostEventAsync(clientId, "Acme acquires Beta", "HTTPS://news.example.com/story/1/?a=1&utm_source=feed&b=2&utm_medium=rss#top");
        var third = await owner.PostEventAsync(clientId, "Beta bought", "https://news.example.com/story/1?a=1&b=2");
        // Another URL with the same words is the same story told again (NearDuplicates); another story has other words.
        var distinct = await owner.PostEventAsync(clientId, "Acme buys Gamma", "https://news.example.com/story/2");
        // The same article about another client is that client's story.
        var otherStory = await owner.PostEventAsync(other, "Beta bought", "https://news.example.com/story/1?a=1&b=2");

        Assert.False(first.IsDuplicate);
        Assert.Equal((true, first.Id), (second.IsDuplicate, second.DuplicateOfEventId));
        Assert.Equal((true, first.Id), (third.IsDuplicate, third.DuplicateOfEventId)); // the oldest, not the latest duplicate
        Assert.False(distinct.IsDuplicate);
        Assert.False(otherStory.IsDuplicate);
        Assert.Equal(first.ContentHash, second.ContentHash);

        Assert.Equal(new[] { distinct.Id, first.Id, otherStory.Id }.Order(), (await owner.FeedAsync()).Items.Select(e => e.Id).Order());
        Assert.Equal(5, (await owner.FeedAsync("?includeDuplicates=true")).Items.Count);
        Assert.True((await owner.GetEventAsync(second.Id)).IsDuplicate);

        // Without a URL the title decides, per client, whatever its case and spacing.
        var titled = await owner.PostEventAsync(clientId, "Quarterly   Results  ");
        var sameTitle = await owner.PostEventAsync(clientId, "quarterly results");
        var otherClient = await owner.PostEventAsync(other, "Quarterly results");
        Assert.Equal(titled.Id, sameTitle.DuplicateOfEventId);
        Assert.False(otherClient.IsDuplicate);

        // Once the original is deleted, its oldest live copy is the story's original, and a repeat points at it.
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Http.DeleteAsync($"/api/events/{titled.Id}")).StatusCode);
        var again = await owner.PostEventAsync(clientId, "QUARTERLY RESULTS");
        Assert.Equal(sameTitle.Id, again.DuplicateOfEventId);
    }

    [Fact]
    public async Task The_assignee_is_notified_once_of_a_high_relevance_event_but_not_of_their_own_low_ones_or_duplicates()
    {
        var owner = await server.SignUpAsync();
        var assignee = await server.AddUserAsync(owner, UserRoles.Member, "Assignee");
        var clientId = await server.Database.AddClientAsync(owner, "Watched", assignedTo: assignee.Id);
        var unassigned = await server.Database.AddClientAsync(owner, "Nobody's");

        var high = await owner.PostEventAsync(clientId, "Big news", "https://news.example/big", relevance: 0.95);
        var atThreshold = await owner.PostEventAsync(clientId, "Exactly at the threshold", relevance: 0.8);
        await owner.PostEventAsync(clientId, "Big news again", "https://news.example/big/?utm_campaign=x", relevance: 0.99); // duplicate
        await owner.PostEventAsync(clientId, "Small news", relevance: 0.79);
        await assignee.PostEventAsync(clientId, "Found it myself", relevance: 0.97);
        await owner.PostEventAsync(unassigned, "Nobody to tell", relevance: 0.99);

        await using var db = server.Database.Context(owner.BusinessId);
        var notifications = await db.Notifications.OrderBy(n => n.CreatedAt).ToListAsync();
        Assert.Equal([high.Id, atThreshold.Id], notifications.Select(n => n.RelatedEventId!.Value));
        Assert.All(notifications, n => Assert.Equal((assignee.Id, NotificationTypes.HighRelevanceEvent, clientId), (n.UserId, n.Type, n.RelatedClientId!.Value)));
    }

    [Fact]
    public async Task A_stale_if_match_answers_412_and_changes_nothing()
    {
        var owner = await server.SignUpAsync();
        var member = await server.AddUserAsync(owner, UserRoles.Member);
        var ev = await owner.PostEventAsync(await server.Database.AddClientAsync(owner), "Original");
        var etag = (await owner.Http.GetAsync($"/api/events/{ev.Id}")).Headers.ETag!.Tag;

        Assert.Equal(HttpStatusCode.OK, (await member.SendAsync("PATCH", $"/api/events/{ev.Id}", """{"title":"Member's edit"}""", etag)).StatusCode);
        var stale = await owner.SendAsync("PATCH", $"/api/events/{ev.Id}", """{"title":"Owner's edit"}""", etag);
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        Assert.Equal("application/problem+json", stale.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await owner.SendAsync("DELETE", $"/api/events/{ev.Id}", ifMatch: etag)).StatusCode);

        var now = await owner.GetEventAsync(ev.Id);
        Assert.Equal(("Member's edit", false), (now.Title, now.IsDeleted));
        Assert.Equal(HttpStatusCode.OK, (await owner.SendAsync("PATCH", $"/api/events/{ev.Id}", """{"relevanceScore":0.1}""", "*")).StatusCode);
    }

    [Fact]
    public async Task A_viewer_reads_events_but_cannot_write_them()
    {
        var owner = await server.SignUpAsync();
        var viewer = await server.AddUserAsync(owner, UserRoles.Viewer);
        var admin = await server.AddUserAsync(owner, UserRoles.Admin);
        var clientId = await server.Database.AddClientAsync(owner);
        var ev = await owner.PostEventAsync(clientId, "Seen by all");
        Assert.Equal(HttpStatusCode.OK, (await viewer.Http.GetAsync($"/api/events/{ev.Id}")).StatusCode);
        var before = await server.Database.CountsAsync(owner.BusinessId);

        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.Http.PostAsJsonAsync("/api/events", EventsTestData.Body(clientId, "Not mine to add"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.SendAsync("PATCH", $"/api/events/{ev.Id}", """{"title":"No"}""")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.SendAsync("DELETE", $"/api/events/{ev.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.Http.PostAsync($"/api/events/{ev.Id}/restore", null)).StatusCode);
        Assert.Equal(before, await server.Database.CountsAsync(owner.BusinessId));
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Anonymous().GetAsync("/api/events")).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await viewer.Http.GetAsync("/api/events")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await viewer.Http.PutAsJsonAsync($"/api/events/{ev.Id}/interaction", new { isStarred = true })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.SendAsync("PATCH", $"/api/events/{ev.Id}", """{"title":"Admin may"}""")).StatusCode);
        var byAdmin = await admin.PostEventAsync(clientId, "Admins add events too");
        Assert.Equal(HttpStatusCode.NoContent, (await admin.Http.DeleteAsync($"/api/events/{byAdmin.Id}")).StatusCode);
    }

    [Fact]
    public async Task Another_business_events_answer_404_and_stay_unchanged()
    {
        var a = await server.SignUpAsync();
        var b = await server.SignUpAsync();
        var bClient = await server.Database.AddClientAsync(b, "B's client");
        var bEvent = await b.PostEventAsync(bClient, "B's secret", "https://b.example/secret");
        var bDeleted = await b.PostEventAsync(bClient, "B's deleted");
        Assert.Equal(HttpStatusCode.NoContent, (await b.Http.DeleteAsync($"/api/events/{bDeleted.Id}")).StatusCode);
        await a.FeedAsync();
        var before = await server.Database.CountsAsync(b.BusinessId);
        var bView = await b.GetEventAsync(bEvent.Id);

        foreach (var id in new[] { bEvent.Id, bDeleted.Id })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await a.Http.GetAsync($"/api/events/{id}")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await a.SendAsync("PATCH", $"/api/events/{id}", """{"title":"Mine now"}""")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await a.SendAsync("DELETE", $"/api/events/{id}")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await a.Http.PostAsync($"/api/events/{id}/restore", null)).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await a.Http.PutAsJsonAsync($"/api/events/{id}/interaction", new { isRead = true })).StatusCode);
        }
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await a.Http.PostAsJsonAsync("/api/events", EventsTestData.Body(bClient, "Into B"))).StatusCode);
        // A's own event with B's content is no duplicate of B's: dedup looks within a business only.
        var aClient = await server.Database.AddClientAsync(a);
        Assert.False((await a.PostEventAsync(aClient, "Same story", "https://b.example/secret")).IsDuplicate);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await a.SendAsync("PATCH", $"/api/events/{(await a.FeedAsync()).Items[0].Id}", $$"""{"clientId":"{{bClient}}"}""")).StatusCode);
        Assert.Empty((await a.FeedAsync($"?clientId={bClient}")).Items);

        Assert.Equal(before, await server.Database.CountsAsync(b.BusinessId));
        var bNow = await b.GetEventAsync(bEvent.Id);
        Assert.Equal((bView.Title, bView.UpdatedAt, bView.IsDeleted, bView.IsRead), (bNow.Title, bNow.UpdatedAt, bNow.IsDeleted, bNow.IsRead));
    }

    [Fact]
    public async Task Restoring_an_event_of_a_deleted_client_is_refused()
    {
        var owner = await server.SignUpAsync();
        var clientId = await server.Database.AddClientAsync(owner);
        var ev = await owner.PostEventAsync(clientId, "Orphaned");
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Http.DeleteAsync($"/api/events/{ev.Id}")).StatusCode);
        await using (var db = server.Database.Context(owner.BusinessId, TestActors.User(owner.Id, owner.BusinessId)))
        {
            db.Clients.Remove(await db.Clients.SingleAsync(c => c.Id == clientId));
            await db.SaveChangesAsync();
        }
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await owner.Http.PostAsync($"/api/events/{ev.Id}/restore", null)).StatusCode);
        await using var check = server.Database.Context(owner.BusinessId);
        Assert.True(await check.Events.IgnoreQueryFilters([SoftDeleteRules.Filter]).AnyAsync(e => e.Id == ev.Id && e.IsDeleted));
    }

    [Fact]
    public async Task Marking_an_event_as_not_a_duplicate_brings_it_into_the_feed()
    {
        var owner = await server.SignUpAsync();
        var clientId = await server.Database.AddClientAsync(owner);
        var first = await owner.PostEventAsync(clientId, "Launch", "https://x.example/launch");
        var second = await owner.PostEventAsync(clientId, "Launch (again)", "https://x.example/launch/");
        Assert.Equal(first.Id, second.DuplicateOfEventId);

        var patched = await owner.SendAsync("PATCH", $"/api/events/{second.Id}", """{"duplicateOfEventId":null}""");
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        Assert.Equal(2, (await owner.FeedAsync()).Items.Count);
        Assert.Equal(HttpStatusCode.OK, (await owner.SendAsync("PATCH", $"/api/events/{second.Id}", $$"""{"duplicateOfEventId":"{{first.Id}}"}""")).StatusCode);
        Assert.Single((await owner.FeedAsync()).Items);
    }

    // --- bad input, per route: each answers 4xx and writes nothing -------------------------------------

    /// <summary>The fields of a valid body, without braces, for the table to spoil one at a time.</summary>
    private const string Valid = "\"clientId\":\"{client}\",\"title\":\"T\",\"category\":\"funding\",\"eventDate\":\"2025-01-01T00:00:00Z\"";

    public static TheoryData<string, string, int, string?> BadCreates => new()
    {
        { "empty object", "{}", 400, "title" },
        { "not an object", "[]", 400, null },
        { "malformed JSON", """{"title":""", 400, null },
        { "missing title", """{"clientId":"{client}","category":"funding","eventDate":"2025-01-01T00:00:00Z"}""", 400, "title" },
        { "blank title", "{" + Valid.Replace("\"T\"", "\"   \"") + "}", 400, "title" },
        { "title too long", "{" + Valid.Replace("\"T\"", $"\"{new string('t', 501)}\"") + "}", 400, "title" },
        { "title not a string", "{" + Valid.Replace("\"T\"", "42") + "}", 400, null },
        { "missing clientId", """{"title":"T","category":"funding","eventDate":"2025-01-01T00:00:00Z"}""", 400, "clientId" },
        { "malformed clientId", "{" + Valid.Replace("{client}", "not-a-uuid") + "}", 400, null },
        { "unknown clientId", "{" + Valid.Replace("{client}", "{unknown}") + "}", 422, null },
        { "deleted clientId", "{" + Valid.Replace("{client}", "{deleted}") + "}", 422, null },
        { "subcategory without category", """{"clientId":"{client}","title":"T","subcategory":"seed","eventDate":"2025-01-01T00:00:00Z"}""", 400, "subcategory" },
        { "unknown category", "{" + Valid.Replace("\"funding\"", "\"hiring\"") + "}", 422, "category" },
        { "subcategory sent as category", "{" + Valid.Replace("\"funding\"", "\"acquirer\"") + "}", 422, "category" },
        { "another category's subcategory", "{" + Valid + ",\"subcategory\":\"target\"}", 422, "subcategory" },
        { "not one of the category's subcategories", "{" + Valid.Replace("\"funding\"", "\"acquisition\"") + ",\"subcategory\":\"series_b\"}", 422, "subcategory" },
        { "category too long", "{" + Valid.Replace("\"funding\"", $"\"{new string('c', 51)}\"") + "}", 400, "category" },
        { "subcategory too long", "{" + Valid + $",\"subcategory\":\"{new string('s', 51)}\"}}", 400, "subcategory" },
        { "missing eventDate", """{"clientId":"{client}","title":"T","category":"funding"}""", 400, "eventDate" },
        { "eventDate not a date", "{" + Valid.Replace("2025-01-01T00:00:00Z", "yesterday") + "}", 400, null },
        { "ftp url", "{" + Valid + ",\"url\":\"ftp://files.example/x\"}", 400, "url" },
        { "javascript url", "{" + Valid + ",\"url\":\"javascript:alert(1)\"}", 400, "url" },
        { "relative url", "{" + Valid + ",\"url\":\"/news/1\"}", 400, "url" },
        { "url too long", "{" + Valid + $",\"url\":\"https://x.example/{new string('u', 990)}\"}}", 400, "url" },
        { "source too long", "{" + Valid + $",\"source\":\"{new string('s', 201)}\"}}", 400, "source" },
        { "sourceType too long", "{" + Valid + $",\"sourceType\":\"{new string('s', 51)}\"}}", 400, "sourceType" },
        { "relevance above 1", "{" + Valid + ",\"relevanceScore\":1.5}", 400, "relevanceScore" },
        { "relevance below 0", "{" + Valid + ",\"relevanceScore\":-0.1}", 400, "relevanceScore" },
        { "relevance not a number", "{" + Valid + ",\"relevanceScore\":\"high\"}", 400, null },
        { "sentiment below -1", "{" + Valid + ",\"sentimentScore\":-1.5}", 400, "sentimentScore" },
        { "confidence above 1", "{" + Valid + ",\"confidenceScore\":2}", 400, "confidenceScore" },
        { "tags not an array", "{" + Valid + ",\"tags\":\"money\"}", 400, null },
        { "blank tag", "{" + Valid + ",\"tags\":[\"money\",\"\"]}", 400, "tags" },
        { "tag too long", "{" + Valid + $",\"tags\":[\"{new string('t', 101)}\"]}}", 400, "tags" },
        { "too many tags", "{" + Valid + ",\"tags\":[" + string.Join(",", Enumerable.Range(0, 51).Select(i => $"\"t{i}\"")) + "]}", 400, "tags" },
        { "unknown field", "{" + Valid + ",\"isRead\":true}", 400, null },
        { "businessId smuggled in", "{" + Valid + ",\"businessId\":\"{unknown}\"}", 400, null },
    };

    [Fact]
    public async Task The_body_the_bad_input_table_spoils_is_itself_accepted()
    {
        var owner = await server.SignUpAsync();
        var clientId = await server.Database.AddClientAsync(owner);
        var response = await owner.Http.PostAsync("/api/events", EventsTestData.Json("{" + Valid.Replace("{client}", clientId.ToString()) + "}"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Theory]
    [MemberData(nameof(BadCreates))]
    public async Task Bad_event_bodies_are_refused_and_write_nothing(string name, string json, int status, string? field)
    {
        var owner = await server.SignUpAsync();
        var clientId = await server.Database.AddClientAsync(owner);
        var deleted = await server.Database.AddClientAsync(owner, "Gone", deleted: true);
        await owner.FeedAsync();
        var before = await server.Database.CountsAsync(owner.BusinessId);

        var body = json.Replace("{client}", clientId.ToString()).Replace("{deleted}", deleted.ToString()).Replace("{unknown}", Guid.NewGuid().ToString());
        var response = await owner.Http.PostAsync("/api/events", EventsTestData.Json(body));
        await EventsTestData.AssertProblemAsync(response, status, field, name);
        Assert.Equal(before, await server.Database.CountsAsync(owner.BusinessId));
    }

    public static TheoryData<string, string, int, string?> BadPatches => new()
    {
        { "not an object", "[1]", 400, null },
        { "a string", "\"title\"", 400, null },
        { "malformed JSON", """{"title":""", 400, null },
        { "blank title", """{"title":" "}""", 400, "title" },
        { "null title", """{"title":null}""", 400, "title" },
        { "title too long", $"{{\"title\":\"{new string('t', 501)}\"}}", 400, "title" },
        { "null category", """{"category":null}""", 400, "category" },
        { "unknown category", """{"category":"hiring"}""", 422, "category" },
        { "another category's subcategory", """{"subcategory":"acquirer"}""", 422, "subcategory" },
        { "javascript url", """{"url":"javascript:alert(1)"}""", 400, "url" },
        { "null relevance", """{"relevanceScore":null}""", 400, "relevanceScore" },
        { "relevance above 1", """{"relevanceScore":2}""", 400, "relevanceScore" },
        { "sentiment as text", """{"sentimentScore":"good"}""", 400, "sentimentScore" },
        { "null eventDate", """{"eventDate":null}""", 400, "eventDate" },
        { "eventDate not a date", """{"eventDate":"soon"}""", 400, "eventDate" },
        { "tags of numbers", """{"tags":[1,2]}""", 400, "tags" },
        { "null clientId", """{"clientId":null}""", 400, "clientId" },
        { "unknown clientId", """{"clientId":"{unknown}"}""", 422, null },
        { "deleted clientId", """{"clientId":"{deleted}"}""", 422, null },
        { "unknown duplicateOf", """{"duplicateOfEventId":"{unknown}"}""", 422, null },
        { "duplicate of itself", """{"duplicateOfEventId":"{self}"}""", 422, null },
        { "unknown field", """{"title":"ok","isDeleted":true}""", 400, "isDeleted" },
        { "server-owned field", """{"contentHash":"abc"}""", 400, "contentHash" },
        { "businessId", """{"businessId":"{unknown}"}""", 400, "businessId" },
    };

    [Theory]
    [MemberData(nameof(BadPatches))]
    public async Task Bad_patches_are_refused_and_change_nothing(string name, string json, int status, string? field)
    {
        var owner = await server.SignUpAsync();
        var clientId = await server.Database.AddClientAsync(owner);
        var deleted = await server.Database.AddClientAsync(owner, "Gone", deleted: true);
        var ev = await owner.PostEventAsync(clientId, "Untouched");
        var before = await server.Database.CountsAsync(owner.BusinessId);
        var view = await owner.GetEventAsync(ev.Id);

        var body = json.Replace("{self}", ev.Id.ToString()).Replace("{deleted}", deleted.ToString()).Replace("{unknown}", Guid.NewGuid().ToString());
        var response = await owner.SendAsync("PATCH", $"/api/events/{ev.Id}", body);
        await EventsTestData.AssertProblemAsync(response, status, field, name);
        Assert.Equal(before, await server.Database.CountsAsync(owner.BusinessId));
        Assert.Equal(view.UpdatedAt, (await owner.GetEventAsync(ev.Id)).UpdatedAt);
    }

    public static TheoryData<string, string, int> BadIds => new()
    {
        { "GET", "/api/events/not-a-uuid", 400 },
        { "PATCH", "/api/events/not-a-uuid", 400 },
        { "DELETE", "/api/events/not-a-uuid", 400 },
        { "POST", "/api/events/not-a-uuid/restore", 400 },
        { "GET", "/api/events/{unknown}", 404 },
        { "PATCH", "/api/events/{unknown}", 404 },
        { "DELETE", "/api/events/{unknown}", 404 },
        { "POST", "/api/events/{unknown}/restore", 404 },
    };

    [Theory]
    [MemberData(nameof(BadIds))]
    public async Task Malformed_ids_answer_400_and_unknown_ids_404(string method, string path, int status)
    {
        var owner = await server.SignUpAsync();
        await owner.PostEventAsync(await server.Database.AddClientAsync(owner), "Bystander");
        var before = await server.Database.CountsAsync(owner.BusinessId);
        var response = await owner.SendAsync(method, path.Replace("{unknown}", Guid.NewGuid().ToString()), method is "PATCH" or "POST" ? """{"title":"x"}""" : null);
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(before, await server.Database.CountsAsync(owner.BusinessId));
    }
}

public sealed class EventsApiTests_Sqlite(SqliteApi server) : EventsApiTests<SqliteDatabase>(server), IClassFixture<SqliteApi>;
public sealed class EventsApiTests_Postgres(PostgresApi server) : EventsApiTests<PostgresDatabase>(server), IClassFixture<PostgresApi>;
