using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Tidings.Clients;
using Tidings.Delivery.Webhooks;
using Tidings.Events;
using Tidings.Monitoring;
using Tidings.Notifications;
using Tidings.Tags;
using Tidings.Tests.Clients;
using Tidings.Tests.Events;
using Tidings.Tests.Infrastructure;
using Tidings.Users;
using Tidings.Web;

namespace Tidings.Tests.Notifications;

/// <summary>
/// Who gets what (issue 15): each person's kinds, clients (theirs, tagged, all), relevance (the business's threshold
/// only by default) and categories decide, never the one acting, never an inactive person. Events go through POST
/// /api/events and each person reads their own /api/notifications.
/// </summary>
public abstract class NotificationRecipientsTests<TDatabase>(TidingsServer<TDatabase> server) where TDatabase : TestDatabase, new()
{
    private const string Preferences = "/api/me/notification-preferences";

    [Fact]
    public async Task Each_person_gets_the_events_their_preferences_ask_for()
    {
        var owner = await server.SignUpAsync(); // posts every event: never told of them, whatever they chose
        var assignee = await server.AddUserAsync(owner, UserRoles.Member, "Assignee"); // the defaults
        var everything = await server.AddUserAsync(owner, UserRoles.Member, "Everything");
        var tagged = await server.AddUserAsync(owner, UserRoles.Viewer, "Tagged");
        var acquisitions = await server.AddUserAsync(owner, UserRoles.Member, "Acquisitions");
        var muted = await server.AddUserAsync(owner, UserRoles.Member, "Muted");
        var demanding = await server.AddUserAsync(owner, UserRoles.Member, "Demanding");
        var leaver = await server.AddUserAsync(owner, UserRoles.Member, "Leaver");
        var tag = await TagAsync(owner, "Key accounts");
        var acme = await server.Database.AddClientAsync(owner, "Acme", assignee.Id);
        var globex = await server.Database.AddClientAsync(owner, "Globex");
        await owner.Http.CallAsync("PUT", $"/api/clients/{acme}/tags/{tag}", (object?)null).ExpectAsync(System.Net.HttpStatusCode.NoContent);

        await SetAsync(owner, new { clients = "all", minRelevance = 0 });
        await SetAsync(everything, new { clients = "all", minRelevance = 0.3 });
        await SetAsync(tagged, new { clients = "tagged", tagIds = new[] { tag } });
        await SetAsync(acquisitions, new { clients = "all", minRelevance = 0, categories = new[] { "acquisition" } });
        await SetAsync(muted, new { clients = "all", minRelevance = 0, kinds = new[] { "client_assigned", "source_stopped" } });
        await SetAsync(demanding, new { clients = "all", minRelevance = 0.95 });
        await SetAsync(leaver, new { clients = "all", minRelevance = 0 });
        await using (var db = server.Database.Context(owner.BusinessId, TestActors.User(owner.Id, owner.BusinessId)))
        {
            (await db.Users.SingleAsync(u => u.Id == leaver.Id)).IsActive = false;
            await db.SaveChangesAsync();
        }

        var acmeHigh = await owner.PostEventAsync(EventsTestData.Body(acme, "Acme raises a round", relevance: 0.9));
        var globexMiddling = await owner.PostEventAsync(EventsTestData.Body(globex, "Globex raises a little", relevance: 0.4));
        var globexBuys = await owner.PostEventAsync(EventsTestData.Body(globex, "Globex buys a rival", relevance: 0.5, category: "acquisition", subcategory: "acquirer"));
        await owner.PostEventAsync(EventsTestData.Body(acme, "Acme mentioned in passing", relevance: 0.2));
        var acmeTop = await owner.PostEventAsync(EventsTestData.Body(acme, "Acme is bought", relevance: 0.97, category: "acquisition"));

        Assert.Equal([acmeHigh.Id, acmeTop.Id], await EventsNotifiedAsync(assignee));
        Assert.Equal([acmeHigh.Id, globexMiddling.Id, globexBuys.Id, acmeTop.Id], await EventsNotifiedAsync(everything));
        Assert.Equal([acmeHigh.Id, acmeTop.Id], await EventsNotifiedAsync(tagged));
        Assert.Equal([globexBuys.Id, acmeTop.Id], await EventsNotifiedAsync(acquisitions));
        Assert.Empty(await EventsNotifiedAsync(muted));
        Assert.Equal([acmeTop.Id], await EventsNotifiedAsync(demanding));
        Assert.Empty(await EventsNotifiedAsync(owner));
        await using (var db = server.Database.Context(owner.BusinessId))
            Assert.Equal(0, await db.Notifications.CountAsync(n => n.UserId == leaver.Id));
    }

    [Fact]
    public async Task Without_preferences_only_the_assignee_hears_of_events_at_the_business_threshold()
    {
        var owner = await server.SignUpAsync();
        var assignee = await server.AddUserAsync(owner, UserRoles.Member);
        var colleague = await server.AddUserAsync(owner, UserRoles.Admin);
        var client = await server.Database.AddClientAsync(owner, "Initech", assignee.Id);

        var high = await owner.PostEventAsync(EventsTestData.Body(client, "Initech raises", relevance: 0.8));
        await owner.PostEventAsync(EventsTestData.Body(client, "Initech hires", relevance: 0.79));

        Assert.Equal([high.Id], await EventsNotifiedAsync(assignee));
        Assert.Empty(await EventsNotifiedAsync(colleague));
    }

    [Fact]
    public async Task A_client_assignment_reaches_the_assignee_unless_they_removed_the_kind()
    {
        var owner = await server.SignUpAsync();
        var keen = await server.AddUserAsync(owner, UserRoles.Member);
        var busy = await server.AddUserAsync(owner, UserRoles.Member);
        await SetAsync(busy, new { kinds = new[] { "high_relevance_event" } });
        var first = await server.Database.AddClientAsync(owner, "First");
        var second = await server.Database.AddClientAsync(owner, "Second");

        await owner.Http.CallAsync("PUT", $"/api/clients/{first}/assignee", new { userId = keen.Id }).ExpectAsync();
        await owner.Http.CallAsync("PUT", $"/api/clients/{second}/assignee", new { userId = busy.Id }).ExpectAsync();
        await owner.Http.CallAsync("POST", "/api/clients", new { name = "Third", assignedToUserId = busy.Id }).ExpectAsync(System.Net.HttpStatusCode.Created);

        var notified = await NotificationsAsync(keen);
        Assert.Equal((NotificationTypes.ClientAssigned, first), (Assert.Single(notified).Type, notified[0].RelatedClientId));
        Assert.Empty(await NotificationsAsync(busy));
    }

    [Fact]
    public async Task News_the_monitor_found_reaches_those_who_asked_for_mentions_once_and_as_relevant_when_it_is()
    {
        var owner = await server.SignUpAsync();
        var watcher = await server.AddUserAsync(owner, UserRoles.Member, "Watcher");
        var quiet = await server.AddUserAsync(owner, UserRoles.Member, "Quiet"); // the default kinds: no mentions
        var client = await server.Database.AddClientAsync(owner, "Initrode", watcher.Id);
        await SetAsync(watcher, new { kinds = new[] { "high_relevance_event", "client_mentioned" }, categories = new[] { "funding", "expansion" } });
        await SetAsync(quiet, new { clients = "all" });
        await using (var db = server.Database.Context(owner.BusinessId, TestActors.System("monitor")))
        {
            var source = new Source { ClientId = client, Kind = SourceKinds.NewsSearch, Keep = KeepRules.Mentions, NextDueAt = DateTime.UtcNow };
            db.Sources.Add(source);
            await db.SaveChangesAsync();
            Event Found(string title, double relevance, string category, Guid? sourceId) => new()
            {
                ClientId = client, Title = title, Category = category, RelevanceScore = relevance, EventDate = DateTime.UtcNow, SourceId = sourceId, Source = "Wire",
            };
            var events = new[]
            {
                Found("Initrode opens an office", 0.3, "expansion", source.Id), // a mention
                Found("Initrode raises a round", 0.9, "funding", source.Id), // relevant: said once, as relevant
                Found("Initrode sued", 0.3, "legal", source.Id), // not their category
                Found("Initrode typed in by hand", 0.3, "expansion", null), // not found by the monitor
            };
            db.Events.AddRange(events);
            await Notifier.HighRelevanceEventsAsync(db, events.Select(e => (e, "Initrode", (Guid?)watcher.Id)).ToList(), CancellationToken.None);
            await db.SaveChangesAsync();
        }

        var told = (await NotificationsAsync(watcher)).OrderBy(n => n.Title).Select(n => (n.Type, n.Title)).ToList();
        Assert.Equal([(NotificationTypes.ClientMentioned, "Initrode: Initrode opens an office"), (NotificationTypes.HighRelevanceEvent, "Initrode: Initrode raises a round")], told);
        Assert.Equal((NotificationTypes.HighRelevanceEvent, "Initrode: Initrode raises a round"), Assert.Single((await NotificationsAsync(quiet)).Select(n => (n.Type, n.Title))));
    }

    [Fact]
    public async Task A_stopped_source_reaches_the_people_who_follow_its_client()
    {
        var owner = await server.SignUpAsync();
        var assignee = await server.AddUserAsync(owner, UserRoles.Member);
        var tagged = await server.AddUserAsync(owner, UserRoles.Viewer);
        var elsewhere = await server.AddUserAsync(owner, UserRoles.Member);
        var uninterested = await server.AddUserAsync(owner, UserRoles.Admin);
        var tag = await TagAsync(owner, "Watched");
        var other = await TagAsync(owner, "Other");
        var client = await server.Database.AddClientAsync(owner, "Umbrella", assignee.Id);
        await owner.Http.CallAsync("PUT", $"/api/clients/{client}/tags/{tag}", (object?)null).ExpectAsync(System.Net.HttpStatusCode.NoContent);
        await SetAsync(tagged, new { clients = "tagged", tagIds = new[] { tag } });
        await SetAsync(elsewhere, new { clients = "tagged", tagIds = new[] { other } });
        await SetAsync(uninterested, new { clients = "all", kinds = new[] { "high_relevance_event" } });

        await using (var db = server.Database.Context(owner.BusinessId, TestActors.System("monitor")))
        {
            var source = new Source { ClientId = client, Kind = SourceKinds.Feed, Keep = KeepRules.All, FeedUrl = "http://127.0.0.1:9/feed", StoppedReason = "Stopped after 5 failed attempts." };
            await Notifier.SourcesStoppedAsync(db, [(source, "Umbrella", assignee.Id)], CancellationToken.None);
            await db.SaveChangesAsync();
        }

        foreach (var person in new[] { assignee, tagged })
        {
            var notice = Assert.Single(await NotificationsAsync(person));
            Assert.Equal((NotificationTypes.SourceStopped, client), (notice.Type, notice.RelatedClientId));
            Assert.Contains("Stopped after 5 failed attempts.", notice.Message);
        }
        Assert.Empty(await NotificationsAsync(elsewhere));
        Assert.Empty(await NotificationsAsync(uninterested));
        Assert.Empty(await NotificationsAsync(owner));
    }

    [Fact]
    public async Task A_disabled_webhook_reaches_the_owners_and_admins_who_keep_the_kind()
    {
        var owner = await server.SignUpAsync();
        var admin = await server.AddUserAsync(owner, UserRoles.Admin);
        var quietAdmin = await server.AddUserAsync(owner, UserRoles.Admin);
        var member = await server.AddUserAsync(owner, UserRoles.Member);
        var formerAdmin = await server.AddUserAsync(owner, UserRoles.Admin);
        await SetAsync(quietAdmin, new { kinds = new[] { "high_relevance_event" } });
        var webhook = new Webhook { Url = "http://127.0.0.1:9/hooks", Format = WebhookFormats.Json, Secret = WebhookSecret.New(), IsEnabled = false, DisabledReason = "Failing for 3 days." };
        await using (var db = server.Database.Context(owner.BusinessId, TestActors.User(owner.Id, owner.BusinessId)))
        {
            db.Webhooks.Add(webhook);
            (await db.Users.SingleAsync(u => u.Id == formerAdmin.Id)).IsActive = false;
            await db.SaveChangesAsync();
        }

        await using (var db = server.Database.Context(owner.BusinessId, TestActors.System("dispatcher")))
        {
            var admins = await Notifier.AdminIdsAsync(db, CancellationToken.None);
            Assert.Equal(new[] { owner.Id, admin.Id }.Order(), admins.Order());
            Notifier.WebhookDisabled(db, webhook, admins);
            await db.SaveChangesAsync();
        }

        foreach (var person in new[] { owner, admin })
        {
            var notice = Assert.Single(await NotificationsAsync(person));
            Assert.Equal((NotificationTypes.WebhookDisabled, "A webhook was disabled", $"/settings/webhooks/{webhook.Id}"), (notice.Type, notice.Title, notice.LinkUrl));
            Assert.Contains(webhook.Url, notice.Message);
            Assert.Contains("Failing for 3 days.", notice.Message);
        }
        Assert.Empty(await NotificationsAsync(quietAdmin));
        Assert.Empty(await NotificationsAsync(member));
    }

    [Fact]
    public async Task A_batch_of_a_thousand_events_notifies_each_person_of_exactly_the_events_they_want()
    {
        var owner = await server.SignUpAsync();
        var assignee = await server.AddUserAsync(owner, UserRoles.Member);
        var tagged = await server.AddUserAsync(owner, UserRoles.Viewer);
        var tag = await TagAsync(owner, "Big");
        var clients = new List<Guid>();
        for (var i = 0; i < 4; i++)
            clients.Add(await server.Database.AddClientAsync(owner, $"Client {i}", i % 2 == 0 ? assignee.Id : null));
        await owner.Http.CallAsync("PUT", $"/api/clients/{clients[1]}/tags/{tag}", (object?)null).ExpectAsync(System.Net.HttpStatusCode.NoContent);
        await SetAsync(tagged, new { clients = "tagged", tagIds = new[] { tag }, minRelevance = 0.5 });

        var events = Enumerable.Range(0, 1000).Select(i => new Event
        {
            ClientId = clients[i % 4], Title = $"Story {i}", Category = "funding", RelevanceScore = i % 10 / 10.0,
            EventDate = DateTime.UtcNow, DiscoveredAt = DateTime.UtcNow,
        }).ToList();
        await using (var db = server.Database.Context(owner.BusinessId, TestActors.System("monitor")))
        {
            await Notifier.HighRelevanceEventsAsync(db, events.Select(e => (e, "Client", e.ClientId == clients[0] || e.ClientId == clients[2] ? (Guid?)assignee.Id : null)).ToList(), CancellationToken.None);
            var added = db.ChangeTracker.Entries<Notification>().Select(n => n.Entity).ToList();
            var expectedAssignee = events.Where(e => (e.ClientId == clients[0] || e.ClientId == clients[2]) && e.RelevanceScore >= 0.8).Select(e => e.Id).ToHashSet();
            var expectedTagged = events.Where(e => e.ClientId == clients[1] && e.RelevanceScore >= 0.5).Select(e => e.Id).ToHashSet();
            Assert.Equal(expectedAssignee, added.Where(n => n.UserId == assignee.Id).Select(n => n.RelatedEventId!.Value).ToHashSet());
            Assert.Equal(expectedTagged, added.Where(n => n.UserId == tagged.Id).Select(n => n.RelatedEventId!.Value).ToHashSet());
            Assert.Equal(expectedAssignee.Count + expectedTagged.Count, added.Count);
        }
    }

    private static Task SetAsync(ApiUser user, object preferences) => user.Http.CallAsync("PUT", Preferences, preferences).ExpectAsync();

    private async Task<Guid> TagAsync(ApiUser by, string name)
    {
        await using var db = server.Database.Context(by.BusinessId, TestActors.User(by.Id, by.BusinessId));
        var tag = new Tag { Name = name };
        db.Tags.Add(tag);
        await db.SaveChangesAsync();
        return tag.Id;
    }

    private static async Task<List<NotificationDto>> NotificationsAsync(ApiUser user) =>
        (await user.Http.GetFromJsonAsync<Page<NotificationDto>>("/api/notifications?limit=200"))!.Items.ToList();

    /// <summary>The events a person was told of, oldest first.</summary>
    private static async Task<List<Guid>> EventsNotifiedAsync(ApiUser user) =>
        (await NotificationsAsync(user)).Where(n => n.Type == NotificationTypes.HighRelevanceEvent)
            .OrderBy(n => n.CreatedAt).ThenBy(n => n.Id).Select(n => n.RelatedEventId!.Value).ToList();
}

public sealed class NotificationRecipientsTests_Sqlite(SqliteApi server) : NotificationRecipientsTests<SqliteDatabase>(server), IClassFixture<SqliteApi>;
public sealed class NotificationRecipientsTests_Postgres(PostgresApi server) : NotificationRecipientsTests<PostgresDatabase>(server), IClassFixture<PostgresApi>;
public sealed class NotificationRecipientsTests_Citus(CitusApi server) : NotificationRecipientsTests<CitusDatabase>(server), IClassFixture<CitusApi>;
