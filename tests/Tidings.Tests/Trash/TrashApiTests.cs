using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Tidings.Clients;
using Tidings.Data.Auditing;
using Tidings.Data.SoftDelete;
using Tidings.Events;
using Tidings.Interactions;
using Tidings.Notifications;
using Tidings.Tags;
using Tidings.Tests.Events;
using Tidings.Tests.Infrastructure;
using Tidings.Trash;
using Tidings.Users;
using Tidings.Web;

namespace Tidings.Tests.Trash;

public abstract class TrashApiTests<TDatabase>(TidingsServer<TDatabase> server) where TDatabase : TestDatabase, new()
{
    [Fact]
    public async Task Deleted_clients_events_and_tags_are_listed_newest_deletion_first()
    {
        var owner = await server.SignUpAsync();
        var member = await server.AddUserAsync(owner, UserRoles.Member);
        var rows = await RowsAsync(owner);
        await DeleteAsync(owner, member.Id, rows.Tag);
        await DeleteAsync(owner, member.Id, rows.Event);
        await DeleteAsync(owner, owner.Id, rows.GoneClient); // hides its own event too, which is not listed on its own

        var items = await PagesAsync(member, "/api/trash?limit=1");
        Assert.Equal(
            [(TrashKinds.Client, rows.GoneClient.Id, rows.GoneClient.Name, (Guid?)owner.Id),
             (TrashKinds.Event, rows.Event.Id, rows.Event.Title, member.Id),
             (TrashKinds.Tag, rows.Tag.Id, rows.Tag.Name, member.Id)],
            items.Select(i => (i.Kind, i.Id, i.Name, i.DeletedByUserId)));
        Assert.Equal(items.Select(i => i.DeletedAt).OrderDescending(), items.Select(i => i.DeletedAt));

        Assert.Equal([rows.Event.Id], (await PagesAsync(member, "/api/trash?kind=event")).Select(i => i.Id));
        Assert.Equal([rows.Tag.Id], (await PagesAsync(member, "/api/trash?kind=tag")).Select(i => i.Id));
        Assert.Equal([rows.GoneClient.Id], (await PagesAsync(owner, "/api/trash?kind=client")).Select(i => i.Id));
    }

    [Fact]
    public async Task Purging_removes_the_row_for_good_and_is_audited_as_purge()
    {
        var owner = await server.SignUpAsync();
        var admin = await server.AddUserAsync(owner, UserRoles.Admin);
        var rows = await RowsAsync(owner);
        await using (var setup = server.Database.Context(owner.BusinessId, TestActors.User(owner.Id, owner.BusinessId)))
        {
            // What hangs off the client goes with it: its event's interactions, tag links and notifications.
            setup.AddRange(
                new EventUserInteraction { EventId = rows.GoneEvent.Id, UserId = admin.Id, IsStarred = true },
                new EventTag { EventId = rows.GoneEvent.Id, TagId = rows.Tag.Id },
                new ClientTag { ClientId = rows.LiveClient.Id, TagId = rows.Tag.Id },
                new Notification { UserId = admin.Id, Type = NotificationTypes.HighRelevanceEvent, Title = "Gone", Message = "Gone Co news", RelatedEventId = rows.GoneEvent.Id, RelatedClientId = rows.GoneClient.Id });
            await setup.SaveChangesAsync();
        }
        await DeleteAsync(owner, owner.Id, rows.GoneClient);
        await DeleteAsync(owner, owner.Id, rows.Tag);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.Http.DeleteAsync($"/api/trash/client/{rows.GoneClient.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Http.DeleteAsync($"/api/trash/tag/{rows.Tag.Id}")).StatusCode);

        await using var db = server.Database.Context(owner.BusinessId);
        Assert.False(await db.Clients.IgnoreQueryFilters([SoftDeleteRules.Filter]).AnyAsync(c => c.Id == rows.GoneClient.Id));
        Assert.False(await db.Events.IgnoreQueryFilters([SoftDeleteRules.Filter]).AnyAsync(e => e.ClientId == rows.GoneClient.Id));
        Assert.False(await db.Tags.IgnoreQueryFilters([SoftDeleteRules.Filter]).AnyAsync(t => t.Id == rows.Tag.Id));
        Assert.False(await db.EventUserInteractions.IgnoreQueryFilters([SoftDeleteRules.Filter]).AnyAsync(i => i.EventId == rows.GoneEvent.Id));
        Assert.False(await db.Notifications.IgnoreQueryFilters([SoftDeleteRules.Filter]).AnyAsync());
        Assert.False(await db.EventTags.IgnoreQueryFilters([SoftDeleteRules.Filter]).AnyAsync());
        Assert.False(await db.ClientTags.IgnoreQueryFilters([SoftDeleteRules.Filter]).AnyAsync());
        Assert.True(await db.Clients.AnyAsync(c => c.Id == rows.LiveClient.Id));
        Assert.True(await db.Events.AnyAsync(e => e.Id == rows.Event.Id));
        var purges = await db.AuditLogs.Where(a => a.Action == AuditActions.Purge).ToListAsync();
        Assert.Equal([(rows.GoneClient.Id.ToString(), "clients", (Guid?)admin.Id), (rows.Tag.Id.ToString(), "tags", owner.Id)],
            purges.Where(p => Guid.TryParse(p.RecordId, out _)).OrderBy(p => p.CreatedAt).Select(p => (p.RecordId, p.TableName, p.UserId)));
        // What went with them is accounted for by the purge of each (the next test counts it row by row).
        Assert.Equal(["event_tags", "event_user_interactions", "events", "notifications"],
            purges.Where(p => p.RecordId == $"clients/{rows.GoneClient.Id}").Select(p => p.TableName).Order());
        Assert.Equal(["client_tags"], purges.Where(p => p.RecordId == $"tags/{rows.Tag.Id}").Select(p => p.TableName));
        Assert.Empty(await PagesAsync(owner, "/api/trash"));
        Assert.Equal(HttpStatusCode.NotFound, (await owner.Http.DeleteAsync($"/api/trash/client/{rows.GoneClient.Id}")).StatusCode);
    }

    [Fact]
    public async Task Purging_a_live_row_is_a_409_and_a_stale_if_match_a_412_and_neither_changes_anything()
    {
        var owner = await server.SignUpAsync();
        var rows = await RowsAsync(owner);
        await DeleteAsync(owner, owner.Id, rows.Tag);
        var etag = (await owner.Http.GetAsync("/api/business")).Headers.ETag!.Tag; // any ETag that is not the tag's
        var before = await SnapshotAsync(owner, rows);

        Assert.Equal(HttpStatusCode.Conflict, (await owner.Http.DeleteAsync($"/api/trash/client/{rows.LiveClient.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await owner.Http.DeleteAsync($"/api/trash/event/{rows.Event.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await owner.Http.DeleteAsync($"/api/trash/event/{rows.LiveClient.Id}")).StatusCode); // kind and id must agree
        using var stale = new HttpRequestMessage(HttpMethod.Delete, $"/api/trash/tag/{rows.Tag.Id}");
        stale.Headers.TryAddWithoutValidation("If-Match", etag);
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await owner.Http.SendAsync(stale)).StatusCode);

        Assert.Equal(before, await SnapshotAsync(owner, rows));
    }

    [Fact]
    public async Task Purging_an_original_with_copies_hands_the_story_to_its_oldest_copy()
    {
        var owner = await server.SignUpAsync();
        var clientId = await server.Database.AddClientAsync(owner);
        var original = await owner.PostEventAsync(clientId, "Acme opens an office", "https://news.example/office");
        var older = await owner.PostEventAsync(clientId, "Acme office", "https://news.example/office/");
        var younger = await owner.PostEventAsync(clientId, "Acme office (again)", "https://news.example/office?utm_source=x");
        foreach (var ev in new[] { older, younger, original })
            Assert.Equal(HttpStatusCode.NoContent, (await owner.Http.DeleteAsync($"/api/events/{ev.Id}")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await owner.Http.DeleteAsync($"/api/trash/event/{original.Id}")).StatusCode);

        await using (var db = server.Database.Context(owner.BusinessId))
        {
            var left = await db.Events.IgnoreQueryFilters([SoftDeleteRules.Filter]).ToDictionaryAsync(e => e.Id, e => e.DuplicateOfEventId);
            Assert.Equal(new Dictionary<Guid, Guid?> { [older.Id] = null, [younger.Id] = older.Id }, left);
        }
        Assert.Equal(HttpStatusCode.OK, (await owner.Http.PostAsync($"/api/events/{older.Id}/restore", null)).StatusCode);
        Assert.Equal([older.Id], (await owner.FeedAsync()).Items.Select(e => e.Id));
    }

    [Fact]
    public async Task Purging_a_client_that_holds_a_story_and_its_copies_removes_them_all_and_no_other_client_story()
    {
        var owner = await server.SignUpAsync();
        var clientId = await server.Database.AddClientAsync(owner);
        var partner = await server.Database.AddClientAsync(owner, "Partner");
        var original = await owner.PostEventAsync(clientId, "Acme news", "https://news.example/acme");
        var copy = await owner.PostEventAsync(clientId, "Acme news again", "https://news.example/acme/");
        var partners = await owner.PostEventAsync(partner, "Acme and Partner news", "https://news.example/acme");
        Assert.Equal(original.Id, copy.DuplicateOfEventId);
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Http.DeleteAsync($"/api/clients/{clientId}")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await owner.Http.DeleteAsync($"/api/trash/client/{clientId}")).StatusCode);

        await using var db = server.Database.Context(owner.BusinessId);
        Assert.Equal([partners.Id], await db.Events.IgnoreQueryFilters([SoftDeleteRules.Filter]).Select(e => e.Id).ToListAsync());
        Assert.Equal([partner], await db.Clients.IgnoreQueryFilters([SoftDeleteRules.Filter]).Select(c => c.Id).ToListAsync());
        Assert.Equal([partners.Id], (await owner.FeedAsync()).Items.Select(e => e.Id));
    }

    [Fact]
    public async Task Purging_a_client_accounts_in_the_audit_trail_for_every_row_that_goes_with_it()
    {
        var owner = await server.SignUpAsync();
        var admin = await server.AddUserAsync(owner, UserRoles.Admin);
        var rows = await RowsAsync(owner);
        var gone = rows.GoneClient.Id;
        await using (var setup = server.Database.Context(owner.BusinessId, TestActors.User(owner.Id, owner.BusinessId)))
        {
            var more = Enumerable.Range(0, 3).Select(i => new Event { ClientId = gone, Title = $"Gone Co story {i}", Category = "funding", EventDate = DateTime.UtcNow }).ToList();
            setup.Events.AddRange(more);
            var copy = new Event { ClientId = gone, Title = "Gone Co story 0", Category = "funding", EventDate = DateTime.UtcNow, DuplicateOfEventId = more[0].Id };
            setup.Events.Add(copy);
            foreach (var ev in more.Append(copy).Append(rows.GoneEvent))
            {
                setup.EventUserInteractions.Add(new EventUserInteraction { EventId = ev.Id, UserId = admin.Id, IsRead = true });
                setup.EventTags.Add(new EventTag { EventId = ev.Id, TagId = rows.Tag.Id });
                setup.Notifications.Add(new Notification { UserId = admin.Id, Type = NotificationTypes.HighRelevanceEvent, Title = ev.Title, Message = "m", RelatedEventId = ev.Id, RelatedClientId = gone });
            }
            setup.ClientTags.Add(new ClientTag { ClientId = gone, TagId = rows.Tag.Id });
            setup.Notifications.Add(new Notification { UserId = owner.Id, Type = NotificationTypes.ClientAssigned, Title = "Yours", Message = "m", RelatedClientId = gone });
            // What stays: the live client's own rows.
            setup.EventTags.Add(new EventTag { EventId = rows.Event.Id, TagId = rows.Tag.Id });
            setup.ClientTags.Add(new ClientTag { ClientId = rows.LiveClient.Id, TagId = rows.Tag.Id });
            await setup.SaveChangesAsync();
        }
        await DeleteAsync(owner, owner.Id, rows.GoneClient);
        var before = await IdsAsync(owner);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.Http.DeleteAsync($"/api/trash/client/{gone}")).StatusCode);

        var after = await IdsAsync(owner);
        var purged = before.ToDictionary(t => t.Key, t => t.Value.Except(after[t.Key]).ToHashSet());
        Assert.Equal([gone], purged["clients"]);
        Assert.Equal(5, purged["events"].Count);
        Assert.Equal(5, purged["event_user_interactions"].Count);
        Assert.Equal(5, purged["event_tags"].Count);
        Assert.Single(purged["client_tags"]);
        Assert.Equal(6, purged["notifications"].Count);

        await using var db = server.Database.Context(owner.BusinessId);
        var logs = await db.AuditLogs.Where(a => a.Action == AuditActions.Purge).ToListAsync();
        Assert.All(logs, l => Assert.Equal(admin.Id, l.UserId));
        var accounted = logs.SelectMany(l => AuditedIds(l).Select(id => (l.TableName, id))).ToList();
        Assert.Equal(accounted.Count, accounted.Distinct().Count());
        Assert.Equal(purged.SelectMany(t => t.Value.Select(id => (t.Key, id))).Order(), accounted.Order());
    }

    [Fact]
    public async Task Purging_a_tag_accounts_in_the_audit_trail_for_its_links()
    {
        var owner = await server.SignUpAsync();
        var rows = await RowsAsync(owner);
        await using (var setup = server.Database.Context(owner.BusinessId, TestActors.User(owner.Id, owner.BusinessId)))
        {
            setup.AddRange(
                new EventTag { EventId = rows.Event.Id, TagId = rows.Tag.Id },
                new EventTag { EventId = rows.GoneEvent.Id, TagId = rows.Tag.Id },
                new ClientTag { ClientId = rows.LiveClient.Id, TagId = rows.Tag.Id });
            await setup.SaveChangesAsync();
        }
        await DeleteAsync(owner, owner.Id, rows.Tag);
        var before = await IdsAsync(owner);

        Assert.Equal(HttpStatusCode.NoContent, (await owner.Http.DeleteAsync($"/api/trash/tag/{rows.Tag.Id}")).StatusCode);

        var after = await IdsAsync(owner);
        await using var db = server.Database.Context(owner.BusinessId);
        var accounted = (await db.AuditLogs.Where(a => a.Action == AuditActions.Purge).ToListAsync())
            .SelectMany(l => AuditedIds(l).Select(id => (l.TableName, id))).Order();
        Assert.Equal(before.SelectMany(t => t.Value.Except(after[t.Key]).Select(id => (t.Key, id))).Order(), accounted);
        Assert.Equal(4, accounted.Count());
    }

    /// <summary>The ids an audit row accounts for: its own record, or the ids a purge summary lists.</summary>
    private static IEnumerable<Guid> AuditedIds(AuditLog log) =>
        Guid.TryParse(log.RecordId, out var id) ? [id]
        : System.Text.Json.JsonDocument.Parse(log.OldValues!).RootElement.GetProperty("ids").EnumerateArray().Select(e => e.GetGuid());

    /// <summary>The ids of every row of the business that a purge can remove, by table.</summary>
    private async Task<Dictionary<string, HashSet<Guid>>> IdsAsync(ApiUser anyone)
    {
        await using var db = server.Database.Context(anyone.BusinessId);
        return new Dictionary<string, HashSet<Guid>>
        {
            ["clients"] = (await db.Clients.IgnoreQueryFilters([SoftDeleteRules.Filter]).Select(r => r.Id).ToListAsync()).ToHashSet(),
            ["events"] = (await db.Events.IgnoreQueryFilters([SoftDeleteRules.Filter]).Select(r => r.Id).ToListAsync()).ToHashSet(),
            ["tags"] = (await db.Tags.IgnoreQueryFilters([SoftDeleteRules.Filter]).Select(r => r.Id).ToListAsync()).ToHashSet(),
            ["event_user_interactions"] = (await db.EventUserInteractions.IgnoreQueryFilters([SoftDeleteRules.Filter]).Select(r => r.Id).ToListAsync()).ToHashSet(),
            ["event_tags"] = (await db.EventTags.IgnoreQueryFilters([SoftDeleteRules.Filter]).Select(r => r.Id).ToListAsync()).ToHashSet(),
            ["client_tags"] = (await db.ClientTags.IgnoreQueryFilters([SoftDeleteRules.Filter]).Select(r => r.Id).ToListAsync()).ToHashSet(),
            ["notifications"] = (await db.Notifications.IgnoreQueryFilters([SoftDeleteRules.Filter]).Select(r => r.Id).ToListAsync()).ToHashSet(),
        };
    }

    [Fact]
    public async Task Members_list_but_only_admins_purge_and_viewers_see_nothing()
    {
        var owner = await server.SignUpAsync();
        var member = await server.AddUserAsync(owner, UserRoles.Member);
        var viewer = await server.AddUserAsync(owner, UserRoles.Viewer);
        var rows = await RowsAsync(owner);
        await DeleteAsync(owner, owner.Id, rows.Tag);
        foreach (var caller in new[] { member, viewer })
            Assert.Equal(HttpStatusCode.OK, (await caller.Http.GetAsync("/api/me")).StatusCode); // the token's first use is a write
        var before = await SnapshotAsync(owner, rows);

        Assert.Equal(HttpStatusCode.OK, (await member.Http.GetAsync("/api/trash")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await member.Http.DeleteAsync($"/api/trash/tag/{rows.Tag.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.Http.GetAsync("/api/trash")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.Http.DeleteAsync($"/api/trash/tag/{rows.Tag.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Anonymous().GetAsync("/api/trash")).StatusCode);
        Assert.Equal(before, await SnapshotAsync(owner, rows));
    }

    [Fact]
    public async Task Rows_restored_through_their_own_routes_leave_the_trash()
    {
        var owner = await server.SignUpAsync();
        var member = await server.AddUserAsync(owner, UserRoles.Member);
        var rows = await RowsAsync(owner);
        await DeleteAsync(owner, owner.Id, rows.Tag);
        await DeleteAsync(owner, owner.Id, rows.Event);
        await DeleteAsync(owner, owner.Id, rows.GoneClient);
        Assert.Equal(3, (await PagesAsync(member, "/api/trash")).Count);

        Assert.True((await member.Http.PostAsync($"/api/tags/{rows.Tag.Id}/restore", null)).IsSuccessStatusCode);
        Assert.True((await member.Http.PostAsync($"/api/clients/{rows.GoneClient.Id}/restore", null)).IsSuccessStatusCode);
        Assert.Equal([rows.Event.Id], (await PagesAsync(member, "/api/trash")).Select(i => i.Id));
        Assert.True((await member.Http.PostAsync($"/api/events/{rows.Event.Id}/restore", null)).IsSuccessStatusCode);
        Assert.Empty(await PagesAsync(member, "/api/trash"));
    }

    [Fact]
    public async Task Another_business_trash_is_out_of_reach_and_stays_as_it_is()
    {
        var a = await server.SignUpAsync();
        var b = await server.SignUpAsync();
        var rows = await RowsAsync(b);
        await DeleteAsync(b, b.Id, rows.Tag);
        await DeleteAsync(b, b.Id, rows.Event);
        await DeleteAsync(b, b.Id, rows.GoneClient);
        var before = await SnapshotAsync(b, rows);

        Assert.Empty(await PagesAsync(a, "/api/trash"));
        Assert.Equal(HttpStatusCode.NotFound, (await a.Http.DeleteAsync($"/api/trash/client/{rows.GoneClient.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await a.Http.DeleteAsync($"/api/trash/event/{rows.Event.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await a.Http.DeleteAsync($"/api/trash/tag/{rows.Tag.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await a.Http.DeleteAsync($"/api/trash/client/{rows.LiveClient.Id}")).StatusCode);

        Assert.Equal(before, await SnapshotAsync(b, rows));
        Assert.Equal(3, (await PagesAsync(b, "/api/trash")).Count);
    }

    public static TheoryData<string, string> BadRequests => new()
    {
        { "GET", "/api/trash?kind=widget" },
        { "GET", "/api/trash?kind=clients" },
        { "GET", "/api/trash?limit=0" },
        { "GET", "/api/trash?limit=201" },
        { "GET", "/api/trash?cursor=bad-cursor" },
        { "DELETE", "/api/trash/widget/{tag}" },
        { "DELETE", "/api/trash/tag/not-a-uuid" },
        { "DELETE", "/api/trash/client/12345" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task Bad_input_answers_400_and_changes_nothing(string method, string path)
    {
        var owner = await server.SignUpAsync();
        var rows = await RowsAsync(owner);
        await DeleteAsync(owner, owner.Id, rows.Tag);
        Assert.Equal(HttpStatusCode.OK, (await owner.Http.GetAsync("/api/me")).StatusCode); // the token's first use is a write
        var before = await SnapshotAsync(owner, rows);

        var response = await owner.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path.Replace("{tag}", rows.Tag.Id.ToString())));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(before, await SnapshotAsync(owner, rows));
    }

    private sealed record Rows(Client LiveClient, Client GoneClient, Event Event, Event GoneEvent, Tag Tag);

    /// <summary>A live client with an event, a second client with an event of its own, and a tag; all live.</summary>
    private async Task<Rows> RowsAsync(ApiUser owner)
    {
        await using var db = server.Database.Context(owner.BusinessId, TestActors.User(owner.Id, owner.BusinessId));
        var live = new Client { Name = "Live Co" };
        var gone = new Client { Name = "Gone Co" };
        var ev = new Event { ClientId = live.Id, Title = "Live Co opens an office", Category = "expansion", EventDate = DateTime.UtcNow };
        var goneEvent = new Event { ClientId = gone.Id, Title = "Gone Co news", Category = "funding", EventDate = DateTime.UtcNow };
        var tag = new Tag { Name = "Tag " + Guid.NewGuid().ToString("N")[..6], Color = "#112233" };
        db.AddRange(live, gone, ev, goneEvent, tag);
        await db.SaveChangesAsync();
        return new Rows(live, gone, ev, goneEvent, tag);
    }

    private async Task DeleteAsync(ApiUser colleague, Guid actorId, object row)
    {
        await using var db = server.Database.Context(colleague.BusinessId, TestActors.User(actorId, colleague.BusinessId));
        db.Remove(await db.FindAsync(row.GetType(), colleague.BusinessId, EntitySets.IdOf(row)) ?? throw new InvalidOperationException("no row"));
        await db.SaveChangesAsync();
    }

    /// <summary>Every row of the fixture as stored (deleted ones included), the business's event count and its audit length.</summary>
    private async Task<List<string>> SnapshotAsync(ApiUser anyone, Rows rows)
    {
        await using var db = server.Database.Context(anyone.BusinessId);
        var snapshot = new List<string>
        {
            "audit: " + await db.AuditLogs.CountAsync(),
            "events: " + await db.Events.IgnoreQueryFilters([SoftDeleteRules.Filter]).CountAsync(),
        };
        snapshot.Add(await StoredAsync(db.Clients, rows.LiveClient.Id));
        snapshot.Add(await StoredAsync(db.Clients, rows.GoneClient.Id));
        snapshot.Add(await StoredAsync(db.Events, rows.Event.Id));
        snapshot.Add(await StoredAsync(db.Tags, rows.Tag.Id));
        return snapshot;
    }

    private static async Task<string> StoredAsync<T>(DbSet<T> set, Guid id) where T : class =>
        await set.IgnoreQueryFilters([SoftDeleteRules.Filter]).AsNoTracking().SingleOrDefaultAsync(r => EF.Property<Guid>(r, "Id") == id)
            is { } stored ? EntitySets.Values(stored) : "missing";

    private static async Task<List<TrashItemDto>> PagesAsync(ApiUser caller, string path)
    {
        var all = new List<TrashItemDto>();
        string? cursor = null;
        do
        {
            var separator = path.Contains('?') ? '&' : '?';
            var page = (await caller.Http.GetFromJsonAsync<Page<TrashItemDto>>(cursor is null ? path : $"{path}{separator}cursor={cursor}"))!;
            all.AddRange(page.Items);
            cursor = page.NextCursor;
        } while (cursor is not null && all.Count < 100);
        return all;
    }
}

public sealed class TrashApiTests_Sqlite(SqliteApi server) : TrashApiTests<SqliteDatabase>(server), IClassFixture<SqliteApi>;
public sealed class TrashApiTests_Postgres(PostgresApi server) : TrashApiTests<PostgresDatabase>(server), IClassFixture<PostgresApi>;
