using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tidings.Data;
using Tidings.Monitoring;
using Tidings.Tests.Clients;
using Tidings.Tests.Infrastructure;
using Tidings.Users;
using static Tidings.Tests.Monitoring.TestFeeds;

namespace Tidings.Tests.Monitoring;

/// <summary>
/// The monitor against feeds served on loopback: sources become classified events that name their publication,
/// validators spare unchanged feeds, deleted stories stay deleted, failing sources back off and stop, and processes
/// share rounds without fetching one source twice. Rounds run directly (the loop is off in tests); a round takes
/// every business's due sources, so each test asserts on its own business and its own feed paths.
/// </summary>
public abstract class MonitorTests<TDatabase>(MonitorApi<TDatabase> server) where TDatabase : TestDatabase, new()
{
    private LoopbackSite Site => server.Site;

    [Fact]
    public async Task A_feed_becomes_classified_events_that_name_its_publication()
    {
        var owner = await server.SignUpAsync();
        var path = NewPath();
        Site.Serve(path, Conditional(() => Rss("Orbital Times",
            new Item("Zephyr Rockets raises $40 million in Series B funding led by Sequoia", Link("a1"), "The round values the company at $400 million."),
            new Item("Zephyr Rockets appoints Maria Lopez as chief financial officer", Link("a2")))));
        var client = await NewClientAsync(owner, "Zephyr Rockets Inc.");
        var source = await AddFeedAsync(owner, client, path, keep: "all");
        Assert.Equal(("feed", "all", "active"), (source.GetProperty("kind").GetString(), source.GetProperty("keep").GetString(), source.GetProperty("status").GetString()));

        await server.Monitor.RunAsync(everySource: false, default);

        var events = await EventsAsync(owner, client);
        Assert.Equal(2, events.Count);
        Assert.All(events, e =>
        {
            Assert.Equal("Orbital Times", e.GetProperty("source").GetString());
            Assert.Equal("news", e.GetProperty("sourceType").GetString());
            Assert.Equal(source.Id(), e.GetProperty("sourceId").GetGuid());
            Assert.StartsWith("tidings-classifier", e.GetProperty("classifiedBy").GetString());
            Assert.Equal("every item of this source", e.GetProperty("keptBecause").GetString());
        });
        var funding = events.Single(e => e.GetProperty("title").GetString()!.Contains("Series B"));
        Assert.Equal("funding", funding.GetProperty("category").GetString());
        Assert.Equal("The round values the company at $400 million.", funding.GetProperty("description").GetString());
        Assert.Equal(Link("a1"), funding.GetProperty("url").GetString());

        var polled = await owner.Http.GetAsync($"/api/sources/{source.Id()}").ExpectAsync();
        Assert.Equal("Orbital Times", polled.GetProperty("title").GetString());
        Assert.Equal(0, polled.GetProperty("consecutiveFailures").GetInt32());
        var fetchedAt = polled.GetProperty("lastFetchedAt").GetDateTime();
        // Daily, spread by ±10%.
        Assert.InRange(polled.GetProperty("nextDueAt").GetDateTime() - fetchedAt, TimeSpan.FromHours(21.6), TimeSpan.FromHours(26.4));
        Assert.NotEqual(JsonValueKind.Null, (await owner.Http.GetAsync($"/api/clients/{client.Id()}").ExpectAsync()).GetProperty("lastCheckedAt").ValueKind);
        Assert.Equal("Tidings", Site.RequestsFor(path).Single().Header("User-Agent")?.Split('/')[0]);
    }

    [Fact]
    public async Task A_second_poll_sends_the_validators_and_a_304_stores_nothing()
    {
        var owner = await server.SignUpAsync();
        var path = NewPath();
        Site.Serve(path, Conditional(() => Rss("Quiet Wire", new Item("Quietly raises a seed round", Link("q1")))));
        var client = await NewClientAsync(owner, "Quietly");
        var source = await AddFeedAsync(owner, client, path);

        await server.Monitor.RunAsync(everySource: false, default);
        await server.Monitor.RunAsync(everySource: true, default);

        var requests = Site.RequestsFor(path);
        Assert.Equal(2, requests.Count);
        Assert.Null(requests[0].Header("If-None-Match"));
        Assert.NotNull(requests[1].Header("If-None-Match"));
        Assert.Single(await EventsAsync(owner, client));
        var polled = await owner.Http.GetAsync($"/api/sources/{source.Id()}").ExpectAsync();
        Assert.Equal("active", polled.GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_feed_that_re_emits_an_item_whose_event_was_deleted_does_not_bring_it_back()
    {
        var owner = await server.SignUpAsync();
        var path = NewPath();
        var items = new List<Item> { new("Relapse Labs recalls its flagship sensor", Link("r1")) };
        Site.Serve(path, Conditional(() => Rss("Recall Watch", [.. items])));
        var client = await NewClientAsync(owner, "Relapse Labs");
        await AddFeedAsync(owner, client, path);
        await server.Monitor.RunAsync(everySource: false, default);
        var first = Assert.Single(await EventsAsync(owner, client));
        await owner.Http.CallAsync("DELETE", $"/api/events/{first.Id()}").ExpectAsync(HttpStatusCode.NoContent);

        items.Add(new Item("Relapse Labs opens a plant in Ohio", Link("r2")));
        await server.Monitor.RunAsync(everySource: true, default);

        var events = await EventsAsync(owner, client);
        Assert.Equal(["Relapse Labs opens a plant in Ohio"], events.Select(e => e.GetProperty("title").GetString()));
        await owner.Http.GetAsync($"/api/events/{first.Id()}").ExpectAsync(HttpStatusCode.NotFound);
        await using var db = server.Database.Context(owner.BusinessId);
        Assert.Equal(1, await db.Events.IgnoreQueryFilters([Tidings.Data.SoftDelete.SoftDeleteRules.Filter])
            .CountAsync(e => e.ClientId == client.Id() && e.Title == "Relapse Labs recalls its flagship sensor"));
    }

    [Fact]
    public async Task With_mentions_only_items_about_the_client_are_kept_and_each_says_why()
    {
        var owner = await server.SignUpAsync();
        var path = NewPath();
        Site.Serve(path, Conditional(() => Rss("Trade Daily",
            new Item("Initech wins $5 million payroll contract from the city", Link("m1")),
            new Item("Globex signs partnership with Initech on payroll software", Link("m2")),
            new Item("Umbrella recalls vaccines after contamination", Link("m3")),
            new Item("New federal rules for TPS reports announced", Link("m4")),
            new Item("Initechnology startup raises seed", Link("m5")))));
        var client = await owner.Http.CallAsync("POST", "/api/clients", new { name = "Initech, LLC", searchKeywords = new[] { "TPS reports" } }).ExpectAsync(HttpStatusCode.Created);
        var source = await AddFeedAsync(owner, client, path);
        // A feed that is not on the client's domain is a general outlet: mentions by default.
        Assert.Equal("mentions", source.GetProperty("keep").GetString());

        await server.Monitor.RunAsync(everySource: false, default);

        var events = (await EventsAsync(owner, client)).ToDictionary(e => e.GetProperty("url").GetString()!, e => e.GetProperty("keptBecause").GetString()!);
        Assert.Equal([Link("m1"), Link("m2"), Link("m4")], events.Keys.Order());
        Assert.Contains("Initech", events[Link("m1")]);
        Assert.Contains("TPS reports", events[Link("m4")]);
    }

    [Fact]
    public async Task A_failing_source_backs_off_stops_at_the_limit_tells_the_assignee_once_and_runs_again_when_restarted()
    {
        var owner = await server.SignUpAsync();
        var member = await server.AddUserAsync(owner, UserRoles.Member);
        var path = NewPath();
        Site.Serve(path, SitePage.WithStatus(500));
        var client = await owner.Http.CallAsync("POST", "/api/clients", new { name = "Flaky Feeds", assignedToUserId = member.Id }).ExpectAsync(HttpStatusCode.Created);
        var source = await AddFeedAsync(owner, client, path);

        var before = DateTime.UtcNow;
        await server.Monitor.RunAsync(everySource: true, default);
        var failing = await owner.Http.GetAsync($"/api/sources/{source.Id()}").ExpectAsync();
        Assert.Equal(("failing", 1), (failing.GetProperty("status").GetString(), failing.GetProperty("consecutiveFailures").GetInt32()));
        Assert.Contains("500", failing.GetProperty("lastError").GetString());
        Assert.InRange(failing.GetProperty("nextDueAt").GetDateTime(), before + PollSchedule.FirstRetry, DateTime.UtcNow + PollSchedule.FirstRetry);

        await server.Monitor.RunAsync(everySource: true, default);
        var second = await owner.Http.GetAsync($"/api/sources/{source.Id()}").ExpectAsync();
        // Doubled.
        Assert.True(second.GetProperty("nextDueAt").GetDateTime() - second.GetProperty("lastFetchedAt").GetDateTime() >= 2 * PollSchedule.FirstRetry);
        await server.Monitor.RunAsync(everySource: true, default);

        var stopped = await owner.Http.GetAsync($"/api/sources/{source.Id()}").ExpectAsync();
        Assert.Equal("stopped", stopped.GetProperty("status").GetString());
        Assert.Contains("3 failed attempts", stopped.GetProperty("stoppedReason").GetString());
        await server.Monitor.RunAsync(everySource: true, default);
        Assert.Equal(3, Site.RequestsFor(path).Count);
        var notices = (await member.Http.GetAsync("/api/notifications").ExpectAsync()).GetProperty("items").EnumerateArray()
            .Where(n => n.GetProperty("type").GetString() == "source_stopped").ToList();
        var notice = Assert.Single(notices);
        Assert.Equal(client.Id(), notice.GetProperty("relatedClientId").GetGuid());

        Site.Serve(path, Conditional(() => Rss("Flaky Wire", new Item("Flaky Feeds is back online", Link("f1")))));
        var restarted = await owner.Http.CallAsync("PATCH", $"/api/sources/{source.Id()}", new { stopped = false }).ExpectAsync();
        Assert.Equal(("active", 0), (restarted.GetProperty("status").GetString(), restarted.GetProperty("consecutiveFailures").GetInt32()));
        await server.Monitor.RunAsync(everySource: false, default);
        Assert.Single(await EventsAsync(owner, client));
        Assert.Single((await member.Http.GetAsync("/api/notifications").ExpectAsync()).GetProperty("items").EnumerateArray(),
            n => n.GetProperty("type").GetString() == "source_stopped");
    }

    [Fact]
    public async Task A_news_search_is_asked_for_the_client_and_its_keywords_and_keeps_the_mentions()
    {
        var owner = await server.SignUpAsync();
        Site.Serve("/search", Conditional(() => Rss("Search results",
            new Item("Hooli unveils Nucleus compression for phones", "https://news.example.com/hooli-nucleus"),
            new Item("Pied Piper raises a Series A", "https://news.example.com/pied-piper"))));
        var client = await owner.Http.CallAsync("POST", "/api/clients", new { name = "Hooli Inc.", searchKeywords = new[] { "Nucleus" } }).ExpectAsync(HttpStatusCode.Created);
        var sources = (await owner.Http.GetAsync($"/api/clients/{client.Id()}/sources").ExpectAsync()).EnumerateArray().ToList();
        var news = Assert.Single(sources, s => s.GetProperty("kind").GetString() == "news_search");
        Assert.Equal("mentions", news.GetProperty("keep").GetString());

        await owner.Http.CallAsync("POST", $"/api/sources/{news.Id()}/check").ExpectAsync();

        var asked = Site.RequestsFor("/search").Select(r => Uri.UnescapeDataString(r.Query)).Last(q => q.Contains("Hooli"));
        Assert.Contains("\"Hooli\"", asked);
        Assert.Contains("\"Nucleus\"", asked);
        var found = Assert.Single(await EventsAsync(owner, client));
        Assert.Equal("news.example.com", found.GetProperty("source").GetString());
        Assert.Equal("news", found.GetProperty("sourceType").GetString());
    }

    [Fact]
    public async Task A_check_fetches_now_and_answers_what_it_found()
    {
        var owner = await server.SignUpAsync();
        var path = NewPath();
        Site.Serve(path, Conditional(() => Rss("Check Gazette",
            new Item("Checkpoint Systems acquires Gatekeeper for $20 million", Link("c1")),
            new Item("Checkpoint Systems posts record quarterly revenue", Link("c2")))));
        var client = await NewClientAsync(owner, "Checkpoint Systems");
        var source = await AddFeedAsync(owner, client, path, keep: "all");

        var first = await owner.Http.CallAsync("POST", $"/api/sources/{source.Id()}/check").ExpectAsync();
        Assert.Equal(("fetched", 2, 2, 2), (first.GetProperty("outcome").GetString(), first.GetProperty("itemsRead").GetInt32(),
            first.GetProperty("itemsKept").GetInt32(), first.GetProperty("newEvents").GetInt32()));
        Assert.Equal("Check Gazette", first.GetProperty("source").GetProperty("title").GetString());
        var second = await owner.Http.CallAsync("POST", $"/api/sources/{source.Id()}/check").ExpectAsync();
        Assert.Equal(("not_modified", 0), (second.GetProperty("outcome").GetString(), second.GetProperty("newEvents").GetInt32()));
        Assert.Equal(2, (await EventsAsync(owner, client)).Count);

        var viewer = await server.AddUserAsync(owner, UserRoles.Viewer);
        await viewer.Http.CallAsync("POST", $"/api/sources/{source.Id()}/check").ExpectAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task A_client_with_a_domain_watches_its_website_whose_feed_is_found_and_whose_items_are_press_releases()
    {
        var owner = await server.SignUpAsync();
        var prefix = "/" + Guid.NewGuid().ToString("N");
        Site.Serve("/", SitePage.Text($"""<html><head><title>Acme</title><link rel="alternate" type="application/rss+xml" title="Acme news" href="{prefix}/news.xml"></head><body>Hi</body></html>"""));
        Site.Serve(prefix + "/news.xml", Conditional(() => Rss("Acme newsroom", new Item("Acme Anvils opens a second factory in Ohio", Link("w1")))));
        var client = await owner.Http.CallAsync("POST", "/api/clients", new { name = "Acme Anvils", domain = Site.Url("/").AbsoluteUri }).ExpectAsync(HttpStatusCode.Created);

        var sources = (await owner.Http.GetAsync($"/api/clients/{client.Id()}/sources").ExpectAsync()).EnumerateArray().ToList();
        var website = Assert.Single(sources, s => s.GetProperty("kind").GetString() == "website");
        Assert.Equal("all", website.GetProperty("keep").GetString());

        var proposed = await owner.Http.CallAsync("POST", $"/api/clients/{client.Id()}/sources/discover", new { }).ExpectAsync();
        var feed = Assert.Single(proposed.GetProperty("feeds").EnumerateArray());
        Assert.Equal(Site.Url(prefix + "/news.xml").AbsoluteUri, feed.GetProperty("url").GetString());
        Assert.False(feed.GetProperty("watched").GetBoolean());
        Assert.Empty(proposed.GetProperty("added").EnumerateArray());

        await owner.Http.CallAsync("POST", $"/api/sources/{website.Id()}/check").ExpectAsync();
        var polled = await owner.Http.GetAsync($"/api/sources/{website.Id()}").ExpectAsync();
        Assert.Equal(Site.Url(prefix + "/news.xml").AbsoluteUri, polled.GetProperty("feedUrl").GetString());
        var ev = Assert.Single(await EventsAsync(owner, client));
        Assert.Equal(("press_release", "Acme newsroom"), (ev.GetProperty("sourceType").GetString(), ev.GetProperty("source").GetString()));

        // The website source fetches that feed now: proposed as watched, and not added a second time.
        var again = await owner.Http.CallAsync("POST", $"/api/clients/{client.Id()}/sources/discover", new { add = true }).ExpectAsync();
        var watched = Assert.Single(again.GetProperty("feeds").EnumerateArray());
        Assert.Equal((true, website.Id()), (watched.GetProperty("watched").GetBoolean(), watched.GetProperty("sourceId").GetGuid()));
        Assert.Empty(again.GetProperty("added").EnumerateArray());
        Assert.Equal(2, (await owner.Http.GetAsync($"/api/clients/{client.Id()}/sources").ExpectAsync()).GetArrayLength());
    }

    [Fact]
    public async Task Discovery_adds_the_feeds_a_client_does_not_watch_yet()
    {
        var owner = await server.SignUpAsync();
        var prefix = "/" + Guid.NewGuid().ToString("N");
        Site.Serve("/", SitePage.Text($"""<html><head><link rel="alternate" type="application/atom+xml" href="{prefix}/atom.xml"></head></html>"""));
        Site.Serve(prefix + "/atom.xml", SitePage.Text("""<feed xmlns="http://www.w3.org/2005/Atom"><title>Beta blog</title><id>urn:b</id><updated>2026-12-01T00:00:00Z</updated></feed>""", "application/atom+xml"));
        var client = await owner.Http.CallAsync("POST", "/api/clients", new { name = "Beta Works", domain = Site.Url("/").AbsoluteUri }).ExpectAsync(HttpStatusCode.Created);

        var added = await owner.Http.CallAsync("POST", $"/api/clients/{client.Id()}/sources/discover", new { add = true }).ExpectAsync();

        var source = Assert.Single(added.GetProperty("added").EnumerateArray());
        Assert.Equal(("feed", "all", "Beta blog"), (source.GetProperty("kind").GetString(), source.GetProperty("keep").GetString(), source.GetProperty("title").GetString()));
        Assert.Equal(source.Id(), Assert.Single(added.GetProperty("feeds").EnumerateArray()).GetProperty("sourceId").GetGuid());
        var again = await owner.Http.CallAsync("POST", $"/api/clients/{client.Id()}/sources/discover", new { add = true }).ExpectAsync();
        Assert.Empty(again.GetProperty("added").EnumerateArray());
        // The website, the news search and the feed added.
        Assert.Equal(3, (await owner.Http.GetAsync($"/api/clients/{client.Id()}/sources").ExpectAsync()).GetArrayLength());
    }

    [Fact]
    public async Task An_inactive_clients_sources_wait_and_a_round_over_every_source_still_ends()
    {
        var owner = await server.SignUpAsync();
        var path = NewPath();
        Site.Serve(path, Conditional(() => Rss("Sleepy Wire", new Item("Dormant Mills restarts its furnace", Link("d1")))));
        var client = await NewClientAsync(owner, "Dormant Mills");
        var source = await AddFeedAsync(owner, client, path, keep: "all");
        await owner.Http.CallAsync("PATCH", $"/api/clients/{client.Id()}", new { isActive = false }).ExpectAsync();

        await server.Monitor.RunAsync(everySource: true, default);
        await server.Monitor.RunAsync(everySource: false, default);

        Assert.Empty(Site.RequestsFor(path));
        var waiting = await owner.Http.GetAsync($"/api/sources/{source.Id()}").ExpectAsync();
        Assert.Equal((0, JsonValueKind.Null), (waiting.GetProperty("consecutiveFailures").GetInt32(), waiting.GetProperty("lastFetchedAt").ValueKind));
        Assert.True(waiting.GetProperty("nextDueAt").GetDateTime() > DateTime.UtcNow.AddHours(20));
        await owner.Http.CallAsync("POST", $"/api/sources/{source.Id()}/check").ExpectAsync(HttpStatusCode.UnprocessableEntity);

        await owner.Http.CallAsync("PATCH", $"/api/clients/{client.Id()}", new { isActive = true }).ExpectAsync();
        var check = await owner.Http.CallAsync("POST", $"/api/sources/{source.Id()}/check").ExpectAsync();
        Assert.Equal(("fetched", 1), (check.GetProperty("outcome").GetString(), check.GetProperty("newEvents").GetInt32()));
    }

    [Fact]
    public async Task A_domain_given_later_is_watched_and_a_shorter_frequency_brings_the_next_poll_forward()
    {
        var owner = await server.SignUpAsync();
        var client = await owner.Http.CallAsync("POST", "/api/clients", new { name = "Late Domain", monitoringFrequency = "weekly" }).ExpectAsync(HttpStatusCode.Created);
        var path = NewPath();
        Site.Serve(path, Conditional(() => Rss("Late Wire", new Item("Late Domain opens an office", Link("ld1")))));
        var feed = await AddFeedAsync(owner, client, path, keep: "all");
        await owner.Http.CallAsync("POST", $"/api/sources/{feed.Id()}/check").ExpectAsync();
        Assert.True((await owner.Http.GetAsync($"/api/sources/{feed.Id()}").ExpectAsync()).GetProperty("nextDueAt").GetDateTime() > DateTime.UtcNow.AddDays(6));

        await owner.Http.CallAsync("PATCH", $"/api/clients/{client.Id()}", new { domain = "late-domain.example", monitoringFrequency = "hourly" }).ExpectAsync();

        var sources = (await owner.Http.GetAsync($"/api/clients/{client.Id()}/sources").ExpectAsync()).EnumerateArray().ToList();
        Assert.Contains(sources, s => s.GetProperty("kind").GetString() == "website" && s.GetProperty("url").GetString() == "https://late-domain.example/");
        Assert.True((await owner.Http.GetAsync($"/api/sources/{feed.Id()}").ExpectAsync()).GetProperty("nextDueAt").GetDateTime() < DateTime.UtcNow.AddHours(1.01));
        // The same domain again adds nothing.
        await owner.Http.CallAsync("PATCH", $"/api/clients/{client.Id()}", new { domain = "late-domain.example" }).ExpectAsync();
        Assert.Equal(sources.Count, (await owner.Http.GetAsync($"/api/clients/{client.Id()}/sources").ExpectAsync()).GetArrayLength());
    }

    [Fact]
    public async Task Two_monitor_processes_share_a_round_without_fetching_any_source_twice()
    {
        var owner = await server.SignUpAsync();
        var paths = new List<string>();
        for (var c = 0; c < 3; c++)
        {
            var client = await NewClientAsync(owner, $"Shared {c} Ventures");
            for (var s = 0; s < 12; s++)
            {
                var path = NewPath();
                paths.Add(path);
                Site.Serve(path, Conditional(() => Rss("Shared Wire", new Item($"Shared {c} Ventures hires a new head of sales", Link(path.Trim('/'))))));
                await AddFeedAsync(owner, client, path, keep: "all");
            }
        }

        var processes = new[] { server.NewMonitorProcess(), server.NewMonitorProcess() };
        await Task.WhenAll(processes.Select(p => p.RunAsync(everySource: false, default)));

        Assert.All(paths, p => Assert.Single(Site.RequestsFor(p)));
        await using var db = server.Database.Context(owner.BusinessId);
        Assert.Equal(36, await db.Sources.CountAsync(s => s.LastFetchedAt != null && s.ClaimedBy == null && s.Kind == SourceKinds.Feed));
    }

    [Fact]
    public async Task The_claims_of_a_process_that_died_lapse_and_another_takes_its_sources()
    {
        var owner = await server.SignUpAsync();
        var path = NewPath();
        Site.Serve(path, Conditional(() => Rss("Lapse Wire", new Item("Lapse Robotics ships its first robot", Link("l1")))));
        var client = await NewClientAsync(owner, "Lapse Robotics");
        await AddFeedAsync(owner, client, path, keep: "all");

        await using (var dead = server.Database.Context(owner.BusinessId, TestActors.System(MonitorRound.ActorName)))
        {
            var now = StoredTime.Of(DateTime.UtcNow);
            var claimed = await SourceClaims.ClaimAsync(dead, "a process that died", now, now + TimeSpan.FromSeconds(1), 100, null, default);
            Assert.Contains(claimed, s => s.ClientId == client.Id());
        }
        await server.Monitor.RunAsync(everySource: false, default);
        Assert.Empty(Site.RequestsFor(path));

        await Task.Delay(TimeSpan.FromSeconds(1.5));
        await server.Monitor.RunAsync(everySource: false, default);
        Assert.Single(Site.RequestsFor(path));
        Assert.Single(await EventsAsync(owner, client));
    }

    private string NewPath() => $"/{Guid.NewGuid():N}/feed.xml";

    private string Link(string name) => $"https://outlet.example.com/{name}";

    private static Task<JsonElement> NewClientAsync(ApiUser user, string name) =>
        user.Http.CallAsync("POST", "/api/clients", new { name }).ExpectAsync(HttpStatusCode.Created);

    private Task<JsonElement> AddFeedAsync(ApiUser user, JsonElement client, string path, string? keep = null) =>
        user.Http.CallAsync("POST", $"/api/clients/{client.Id()}/sources", new { url = Site.Url(path).AbsoluteUri, kind = "feed", keep }).ExpectAsync(HttpStatusCode.Created);

    private static async Task<List<JsonElement>> EventsAsync(ApiUser user, JsonElement client) =>
        (await user.Http.GetAsync($"/api/events?clientId={client.Id()}&limit=100").ExpectAsync()).GetProperty("items").EnumerateArray().ToList();
}

/// <summary>A Tidings server whose monitor may fetch loopback addresses, stops sources after 3 failures, and has a news search on the loopback site.</summary>
public abstract class MonitorApi<TDatabase> : TidingsServer<TDatabase> where TDatabase : TestDatabase, new()
{
    public LoopbackSite Site { get; } = LoopbackSite.StartAsync().GetAwaiter().GetResult();

    public MonitorRound Monitor => Services.GetRequiredService<MonitorRound>();

    /// <summary>Another monitor process: its own name in the claims and its own fetch limit, on the same database.</summary>
    public MonitorRound NewMonitorProcess() => ActivatorUtilities.CreateInstance<MonitorRound>(Services);

    protected override void Configure(WebApplicationBuilder builder)
    {
        builder.Configuration["Monitoring:AllowPrivateAddresses"] = "true";
        builder.Configuration["Monitoring:StopAfterFailures"] = "3";
        builder.Configuration["Monitoring:NewsSearchUrl"] = Site.Url("/search").AbsoluteUri + "?q={query}";
    }
}

public sealed class MonitorSqliteApi : MonitorApi<SqliteDatabase>;
public sealed class MonitorPostgresApi : MonitorApi<PostgresDatabase>;
public sealed class MonitorCitusApi : MonitorApi<CitusDatabase>;
public sealed class MonitorTests_Sqlite(MonitorSqliteApi server) : MonitorTests<SqliteDatabase>(server), IClassFixture<MonitorSqliteApi>;
public sealed class MonitorTests_Postgres(MonitorPostgresApi server) : MonitorTests<PostgresDatabase>(server), IClassFixture<MonitorPostgresApi>;
public sealed class MonitorTests_Citus(MonitorCitusApi server) : MonitorTests<CitusDatabase>(server), IClassFixture<MonitorCitusApi>;
