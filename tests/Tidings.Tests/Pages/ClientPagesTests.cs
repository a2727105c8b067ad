using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.Playwright;
using Tidings.Monitoring;
using Tidings.Tags;
using Tidings.Tests.Infrastructure;
using Tidings.Tests.Monitoring;
using Tidings.Users;
using static Microsoft.Playwright.Assertions;

namespace Tidings.Tests.Pages;

/// <summary>
/// The clients list (search and filters in the URL) and a client's page (details, tags, health, charts, sources, events,
/// history) as people of each role use them, in a real browser; "Check now" fetches a feed from a loopback site.
/// </summary>
public abstract class ClientPagesTests<TDatabase>(ClientPagesServer<TDatabase> server) where TDatabase : TestDatabase, new()
{
    private string Shot(string what) => $"{GetType().Name}.{what}";

    [Fact]
    public async Task Search_and_filters_narrow_the_list_and_survive_a_reload()
    {
        var owner = await server.SignUpAsync();
        var member = await server.AddUserAsync(owner, UserRoles.Member, "Mia Member");
        var acme = await AddClientAsync(owner, "Acme Rockets", "acme.example", c => { c.Tier = "Gold"; c.AssignedToUserId = member.Id; });
        await AddClientAsync(owner, "Globex", "globex.example", c => c.Tier = "Silver");
        await AddClientAsync(owner, "Initech", "initech.example", c => c.IsActive = false);
        var tag = await AddTagAsync(owner, "Key account");
        await TagAsync(owner, acme, tag);
        await BrowserFlows.AddEventAsync(server, owner, acme, "Acme Rockets raises a Series B");

        var page = await server.NewPageAsync();
        await BrowserFlows.SignInAsync(page, owner.Email);
        await page.GotoAsync("/clients");
        await Expect(page.GetByRole(AriaRole.Row)).ToHaveCountAsync(4);
        var acmeRow = page.GetByRole(AriaRole.Row).Filter(new() { HasText = "Acme Rockets" });
        await Expect(acmeRow).ToContainTextAsync("Gold");
        await Expect(acmeRow).ToContainTextAsync("Mia Member");
        await BrowserServer<TDatabase>.AssertAccessibleAsync(page, "the clients list");
        await BrowserServer<TDatabase>.ScreenshotAsync(page, Shot("clients-1280"));

        await page.GetByLabel("Search", new() { Exact = true }).FillAsync("EXAMPLE");
        await page.GetByLabel("Status").SelectOptionAsync(new SelectOptionValue { Label = "Active" });
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("q=EXAMPLE.*status=active"));
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Initech" })).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Globex" })).ToBeVisibleAsync();

        await page.GetByLabel("Tag").SelectOptionAsync(new SelectOptionValue { Label = "Key account" });
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Globex" })).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Acme Rockets" })).ToBeVisibleAsync();

        await page.ReloadAsync();
        await Expect(page.GetByLabel("Search", new() { Exact = true })).ToHaveValueAsync("EXAMPLE");
        await Expect(page.GetByLabel("Tag")).ToHaveValueAsync(tag.ToString());
        await Expect(page.GetByRole(AriaRole.Row)).ToHaveCountAsync(2);

        await page.GotoAsync("/clients?status=inactive");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Initech" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Row)).ToHaveCountAsync(2);
        await page.GotoAsync($"/clients?assignee={member.Id}");
        await Expect(page.GetByRole(AriaRole.Row)).ToHaveCountAsync(2);
        await Expect(page.GetByLabel("Assignee")).ToHaveValueAsync(member.Id.ToString());

        await page.GotoAsync("/clients");
        await page.SetViewportSizeAsync(375, 800);
        await BrowserServer<TDatabase>.ScreenshotAsync(page, Shot("clients-375"));
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= 375"), "the clients list scrolls sideways at 375 px");
    }

    [Fact]
    public async Task A_member_edits_a_client_tags_it_and_reads_its_health_charts_and_history()
    {
        var owner = await server.SignUpAsync();
        var member = await server.AddUserAsync(owner, UserRoles.Member, "Mia Member");
        var acme = await AddClientAsync(owner, "Acme Rockets", "acme.example");
        await AddTagAsync(owner, "Key account");
        var now = DateTime.UtcNow;
        var funding = await BrowserFlows.AddEventAsync(server, owner, acme, "Acme Rockets raises a Series B", "funding", 0.8, now.AddDays(-2));
        await BrowserFlows.AddEventAsync(server, owner, acme, "Acme Rockets opens a second plant", "expansion", 0.6, now.AddDays(-3));
        var bankruptcy = await BrowserFlows.AddEventAsync(server, owner, acme, "Acme supplier files for bankruptcy", "bankruptcy", 0.5, now.AddDays(-40));

        var page = await server.NewPageAsync();
        await BrowserFlows.SignInAsync(page, member.Email);
        await page.GotoAsync("/clients");
        await page.GetByRole(AriaRole.Link, new() { Name = "Acme Rockets" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Acme Rockets", Level = 1 })).ToBeVisibleAsync();

        // Health: each event that moved the signal, in words and numbers.
        var breakdown = page.GetByRole(AriaRole.Table, new() { Name = "What moved the news signal, biggest effect first" });
        await Expect(breakdown.GetByRole(AriaRole.Row).Filter(new() { HasText = "raises a Series B" })).ToContainTextAsync(new Regex(@"Raised it by \d+(\.\d)? points"));
        await Expect(breakdown.GetByRole(AriaRole.Row).Filter(new() { HasText = "bankruptcy" })).ToContainTextAsync(new Regex(@"Lowered it by \d+(\.\d)? points"));
        await Expect(breakdown).ToContainTextAsync("relevance 80%");

        // Charts: two images with text alternatives whose numbers are the seeded events'.
        await Expect(page.Locator("svg[role=img]")).ToHaveCountAsync(2);
        await Expect(page.GetByRole(AriaRole.Img, new() { Name = "Events per week" })).ToBeVisibleAsync();
        await Expect(page.GetByText("3 events in the last 13 weeks, at most 2 in a week.")).ToBeVisibleAsync();
        await Expect(page.GetByText(new Regex("The news signal went from .* today; 3 events moved it in that time."))).ToBeVisibleAsync();
        Assert.Equal(1, await page.Locator($"svg a[href='/events/{funding}']").CountAsync());
        Assert.Equal(1, await page.Locator($"svg a[href='/events/{bankruptcy}']").CountAsync());
        await page.GetByText("Events per week as a table").ClickAsync();
        var weeks = page.GetByRole(AriaRole.Table, new() { Name = "Events per week" });
        var counts = await weeks.Locator("tbody tr td:nth-child(2)").AllInnerTextsAsync();
        Assert.Equal(13, counts.Count);
        Assert.Equal("2", counts[^1]);
        Assert.Equal(3, counts.Sum(int.Parse));

        // Edit: the API's messages by their field, then success.
        await page.GetByText("Edit details").ClickAsync();
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("");
        await page.GetByLabel("Founded (year)").FillAsync("1700");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save details" }).ClickAsync();
        await Expect(page.Locator("#name-error")).ToHaveTextAsync("Required.");
        await Expect(page.GetByLabel("Name", new() { Exact = true })).ToHaveAttributeAsync("aria-describedby", "name-error");
        await Expect(page.Locator("#foundedYear-error")).ToContainTextAsync("Must be between 1800 and");
        await BrowserServer<TDatabase>.AssertAccessibleAsync(page, "the client page with field errors");
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Acme Rocketry");
        await page.GetByLabel("Founded (year)").FillAsync("1999");
        await page.GetByLabel("Tier").FillAsync("Gold");
        await page.GetByLabel("Assignee").SelectOptionAsync(new SelectOptionValue { Label = "Mia Member" });
        await page.GetByRole(AriaRole.Button, new() { Name = "Save details" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Details saved.");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Acme Rocketry", Level = 1 })).ToBeVisibleAsync();
        var facts = page.Locator(".client-facts");
        await Expect(facts).ToContainTextAsync("Gold");
        await Expect(facts).ToContainTextAsync("1999");
        await Expect(facts).ToContainTextAsync("Mia Member");
        await Expect(page.Locator("#history")).ToContainTextAsync(new Regex("Mia Member changed .*name from “Acme Rockets” to “Acme Rocketry”"));
        await Expect(page.Locator("#history")).ToContainTextAsync("the assignee from nothing to Mia Member");

        // Tags.
        await page.GetByLabel("Tag to add").SelectOptionAsync(new SelectOptionValue { Label = "Key account" });
        await page.GetByRole(AriaRole.Button, new() { Name = "Add tag" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Remove tag Key account" })).ToBeVisibleAsync();
        await BrowserServer<TDatabase>.AssertAccessibleAsync(page, "the client page");
        await BrowserServer<TDatabase>.ScreenshotAsync(page, Shot("client-1280"));
        await page.SetViewportSizeAsync(375, 800);
        await BrowserServer<TDatabase>.ScreenshotAsync(page, Shot("client-375"));
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= 375"), "the client page scrolls sideways at 375 px");
        await page.SetViewportSizeAsync(1280, 900);
        await page.GetByRole(AriaRole.Button, new() { Name = "Remove tag Key account" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Remove tag Key account" })).ToHaveCountAsync(0);
        await Expect(page.Locator("#tags")).ToContainTextAsync("No tags.");

        // Deactivate, then delete, each through a confirmation step.
        await page.GetByRole(AriaRole.Link, new() { Name = "Make inactive…" }).ClickAsync();
        await BrowserServer<TDatabase>.AssertAccessibleAsync(page, "the deactivation confirmation");
        await page.GetByRole(AriaRole.Button, new() { Name = "Yes, make inactive" }).ClickAsync();
        await Expect(page.GetByText("This client is inactive: its sources are not checked.")).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Delete client…" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Yes, move to the trash" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Clients", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Acme Rocketry" })).ToHaveCountAsync(0);
        Assert.Equal(404, (await page.GotoAsync($"/clients/{acme}"))!.Status);
    }

    [Fact]
    public async Task Sources_say_their_failures_in_words_and_restart_and_check_now_change_them()
    {
        var owner = await server.SignUpAsync();
        var acme = await AddClientAsync(owner, "Acme Rockets");
        server.Site.Serve("/acme.xml", SitePage.Text(
            "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Acme Newsroom</title><link>http://acme.example/</link>" +
            "<item><title>Acme Rockets raises a Series C</title><link>http://acme.example/news/c</link><guid>c</guid><pubDate>Mon, 01 Jan 2024 10:00:00 GMT</pubDate></item>" +
            "</channel></rss>", "application/rss+xml"));
        var feedUrl = server.Site.Url("/acme.xml").AbsoluteUri;
        await AddSourceAsync(owner, acme, "https://broken.example/feed.xml", s =>
        {
            s.ConsecutiveFailures = 5;
            s.LastError = "The server answered 503 Service Unavailable.";
            s.StoppedAt = DateTime.UtcNow.AddHours(-1);
            s.StoppedReason = "Stopped after 5 failed fetches in a row.";
        });
        await AddSourceAsync(owner, acme, feedUrl, _ => { });

        var page = await server.NewPageAsync();
        await BrowserFlows.SignInAsync(page, owner.Email);
        await page.GotoAsync($"/clients/{acme}");
        var broken = page.Locator(".source").Filter(new() { HasText = "broken.example" });
        await Expect(broken).ToContainTextAsync("Stopped since");
        await Expect(broken).ToContainTextAsync("Stopped after 5 failed fetches in a row.");
        await Expect(broken).ToContainTextAsync("Last error: The server answered 503 Service Unavailable.");
        await Expect(broken).ToContainTextAsync("It had failed 5 times in a row.");
        var feed = page.Locator(".source").Filter(new() { HasText = feedUrl });
        await Expect(feed).ToContainTextAsync("Last fetched: never yet.");
        await BrowserServer<TDatabase>.AssertAccessibleAsync(page, "the client's sources");

        await broken.GetByRole(AriaRole.Button, new() { Name = "Restart" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("The source is restarted");
        await Expect(broken).ToContainTextAsync("Working");
        await Expect(broken).Not.ToContainTextAsync("Last error");

        await feed.GetByRole(AriaRole.Button, new() { Name = "Check now" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Checked: 1 item read, 1 new event");
        await Expect(feed).Not.ToContainTextAsync("never yet");
        await Expect(feed).ToContainTextAsync("Feed: Acme Newsroom");
        await Expect(page.Locator("#events")).ToContainTextAsync("Acme Rockets raises a Series C");
        Assert.Single(server.Site.RequestsFor("/acme.xml"));

        await page.GetByRole(AriaRole.Button, new() { Name = "Discover feeds" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("The client has no domain");

        await page.GetByLabel("Address to watch").FillAsync("not an address");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add source" }).ClickAsync();
        await Expect(page.Locator("#url-error")).ToHaveTextAsync("Must be an absolute http(s) URL.");
        await Expect(page.GetByLabel("Address to watch")).ToHaveAttributeAsync("aria-invalid", "true");
        await page.GetByLabel("Address to watch").FillAsync(server.Site.Url("/other.xml").AbsoluteUri);
        await page.GetByRole(AriaRole.Button, new() { Name = "Add source" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Source added");
        await Expect(page.Locator(".source")).ToHaveCountAsync(3);
    }

    [Fact]
    public async Task A_viewer_reads_a_client_without_controls_and_a_direct_post_is_refused()
    {
        var owner = await server.SignUpAsync();
        var viewer = await server.AddUserAsync(owner, UserRoles.Viewer, "Vera Viewer");
        var acme = await AddClientAsync(owner, "Acme Rockets", "acme.example");
        var source = await AddSourceAsync(owner, acme, "https://acme.example/feed.xml", _ => { });
        await BrowserFlows.AddEventAsync(server, owner, acme, "Acme Rockets raises a Series B");

        var page = await server.NewPageAsync();
        await BrowserFlows.SignInAsync(page, viewer.Email);
        await page.GotoAsync($"/clients/{acme}");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Acme Rockets", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.Locator("#sources")).ToContainTextAsync("acme.example/feed.xml");
        await Expect(page.Locator("#events")).ToContainTextAsync("Acme Rockets raises a Series B");
        await Expect(page.GetByText("Edit details")).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Button)).ToHaveCountAsync(1); // Sign out
        await BrowserServer<TDatabase>.AssertAccessibleAsync(page, "the client page of a viewer");
        await BrowserServer<TDatabase>.ScreenshotAsync(page, Shot("viewer-client"));

        var headers = JsonSerializer.Deserialize<Dictionary<string, string>>((await page.Locator("body").GetAttributeAsync("hx-headers"))!)!;
        foreach (var handler in new[] { "Check", "Restart", "Edit", "Delete" })
        {
            var answer = await page.APIRequest.PostAsync($"/clients/{acme}?handler={handler}", new()
            {
                Headers = headers,
                Form = page.APIRequest.CreateFormData().Set("sourceId", source.ToString()).Set("Form.Name", "Taken"),
            });
            Assert.Equal(403, answer.Status);
        }
        await page.ReloadAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Acme Rockets", Level = 1 })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Another_business_client_or_a_missing_one_is_not_found()
    {
        var owner = await server.SignUpAsync();
        var stranger = await server.SignUpAsync();
        var theirs = await AddClientAsync(stranger, "Stranger Things Ltd");
        var page = await server.NewPageAsync();
        await BrowserFlows.SignInAsync(page, owner.Email);
        Assert.Equal(404, (await page.GotoAsync($"/clients/{theirs}"))!.Status);
        Assert.Equal(404, (await page.GotoAsync($"/clients/{Guid.NewGuid()}"))!.Status);
        await page.GotoAsync("/clients?q=Stranger");
        await Expect(page.GetByText("No client matches this search.")).ToBeVisibleAsync();
    }

    private async Task<Guid> AddClientAsync(ApiUser owner, string name, string? domain = null, Action<Tidings.Clients.Client>? shape = null)
    {
        await using var db = server.Database.Context(owner.BusinessId, TestActors.User(owner.Id, owner.BusinessId));
        var client = new Tidings.Clients.Client { Name = name, Domain = domain };
        shape?.Invoke(client);
        db.Clients.Add(client);
        await db.SaveChangesAsync();
        return client.Id;
    }

    private async Task<Guid> AddTagAsync(ApiUser owner, string name)
    {
        await using var db = server.Database.Context(owner.BusinessId, TestActors.User(owner.Id, owner.BusinessId));
        var tag = new Tag { Name = name };
        db.Tags.Add(tag);
        await db.SaveChangesAsync();
        return tag.Id;
    }

    private async Task TagAsync(ApiUser owner, Guid clientId, Guid tagId)
    {
        await using var db = server.Database.Context(owner.BusinessId, TestActors.User(owner.Id, owner.BusinessId));
        db.ClientTags.Add(new ClientTag { ClientId = clientId, TagId = tagId });
        await db.SaveChangesAsync();
    }

    private async Task<Guid> AddSourceAsync(ApiUser owner, Guid clientId, string url, Action<Source> shape)
    {
        await using var db = server.Database.Context(owner.BusinessId, TestActors.User(owner.Id, owner.BusinessId));
        var source = new Source { ClientId = clientId, Kind = SourceKinds.Feed, Url = url, FeedUrl = url, Keep = KeepRules.All, NextDueAt = DateTime.UtcNow };
        shape(source);
        db.Sources.Add(source);
        await db.SaveChangesAsync();
        return source.Id;
    }
}

/// <summary>The browser server with a loopback site to fetch feeds from, which the fetcher may reach (private addresses allowed).</summary>
public abstract class ClientPagesServer<TDatabase> : BrowserServer<TDatabase> where TDatabase : TestDatabase, new()
{
    public LoopbackSite Site { get; } = LoopbackSite.StartAsync().GetAwaiter().GetResult();

    protected override void Configure(WebApplicationBuilder builder)
    {
        base.Configure(builder);
        builder.Configuration["Monitoring:AllowPrivateAddresses"] = "true";
    }
}

public sealed class ClientPagesSqliteServer : ClientPagesServer<SqliteDatabase>;
public sealed class ClientPagesPostgresServer : ClientPagesServer<PostgresDatabase>;

public sealed class ClientPagesTests_Sqlite(ClientPagesSqliteServer server) : ClientPagesTests<SqliteDatabase>(server), IClassFixture<ClientPagesSqliteServer>;
public sealed class ClientPagesTests_Postgres(ClientPagesPostgresServer server) : ClientPagesTests<PostgresDatabase>(server), IClassFixture<ClientPagesPostgresServer>;
