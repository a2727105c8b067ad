using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Tidings.Categories;
using Tidings.Delivery.Email;
using Tidings.Monitoring;
using Tidings.Notifications;
using Tidings.Tests.Clients;
using Tidings.Tests.Delivery.Outbox;
using Tidings.Tests.Infrastructure;
using Tidings.Users;
using Tidings.Web;
using static Microsoft.Playwright.Assertions;

namespace Tidings.Tests.Pages;

/// <summary>
/// What the API could do and the pages could not, in a real browser: restoring a retired category, stopping a source,
/// a webhook edit made stale by someone else's save, the audit log's tables as a list, the unsubscribe page, the
/// TempData cookie's name, and the new-token form over its rate limit answering a page in words.
/// </summary>
public abstract class PageGapsTests<TDatabase>(PageGapsBrowser<TDatabase> server) where TDatabase : TestDatabase, new()
{
    private string Shot(string what) => $"{GetType().Name}.{what}";

    private static ILocator Retired(IPage page, string name) =>
        page.Locator(".categories-retired-list li").Filter(new() { Has = page.Locator("strong", new() { HasTextRegex = new Regex($"^{Regex.Escape(name)}$") }) });

    private static ILocator Live(IPage page, string name) =>
        page.GetByRole(AriaRole.Listitem).Filter(new() { Has = page.GetByRole(AriaRole.Heading, new() { Name = name, Exact = true, Level = 3 }) });

    [Fact]
    public async Task An_admin_restores_a_retired_category_and_each_refusal_is_said_in_words_beside_it()
    {
        var owner = await server.SignUpAsync();
        var page = await server.NewPageAsync();
        await BrowserFlows.SignInAsync(page, owner.Email);
        await page.GotoAsync("/categories");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Retired categories", Level = 2 })).ToBeVisibleAsync();
        await Expect(page.GetByText("No retired categories.")).ToBeVisibleAsync();

        var dividend = Live(page, "Dividend");
        await dividend.Locator("summary", new() { HasText = "Retire" }).ClickAsync();
        await dividend.GetByRole(AriaRole.Button, new() { Name = "Retire Dividend" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Category retired.");
        await Expect(Retired(page, "Dividend")).ToContainTextAsync("Key dividend");

        // A live category took the key: restoring is refused, by the retired one, in the API's words; nothing changes.
        await page.GetByLabel("Key", new() { Exact = true }).FillAsync("dividend");
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Dividends paid");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add category" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Category added.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Restore Dividend (dividend)", Exact = true }).ClickAsync();
        await Expect(Retired(page, "Dividend").GetByRole(AriaRole.Alert))
            .ToHaveTextAsync("Category key already in use. A live category of this business has the key \"dividend\".");
        Assert.Equal(["Dividends paid"], (await CategoriesAsync(owner)).Where(c => c.Key == "dividend").Select(c => c.Name));
        await BrowserServer<TDatabase>.AssertAccessibleAsync(page, "the categories page refusing a restore");
        await BrowserServer<TDatabase>.ScreenshotAsync(page, Shot("categories-restore-refused-1280"));

        // Once the key is free again, the old category comes back as it was.
        var paid = Live(page, "Dividends paid");
        await paid.Locator("summary", new() { HasText = "Retire" }).ClickAsync();
        await paid.GetByRole(AriaRole.Button, new() { Name = "Retire Dividends paid" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Category retired.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Restore Dividend (dividend)", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Category restored: new events can be filed under it again.");
        await Expect(Live(page, "Dividend")).ToContainTextAsync("Key dividend");
        await Expect(Retired(page, "Dividend")).ToHaveCountAsync(0);
        await Expect(Retired(page, "Dividends paid")).ToHaveCountAsync(1);
        Assert.Equal(["Dividend"], (await CategoriesAsync(owner)).Where(c => c.Key == "dividend").Select(c => c.Name));

        // A subcategory whose parent is retired waits for its parent.
        var all = await CategoriesAsync(owner);
        var parent = all.Single(c => c.Key == "acquisition");
        var children = all.Where(c => c.ParentId == parent.Id).ToList();
        Assert.NotEmpty(children);
        foreach (var id in children.Select(c => c.Id).Append(parent.Id))
            await owner.Http.CallAsync("DELETE", $"/api/categories/{id}").ExpectAsync(HttpStatusCode.NoContent);
        await page.ReloadAsync();
        var child = children[0];
        await page.GetByRole(AriaRole.Button, new() { Name = $"Restore {child.Name} ({child.Key})", Exact = true }).ClickAsync();
        await Expect(Retired(page, child.Name).GetByRole(AriaRole.Alert)).ToHaveTextAsync("Parent retired. Restore its parent category first.");
        await Expect(Retired(page, child.Name)).ToContainTextAsync("Under acquisition");
        await page.GetByRole(AriaRole.Button, new() { Name = $"Restore {parent.Name} (acquisition)", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Category restored: new events can be filed under it again.");
        await page.GetByRole(AriaRole.Button, new() { Name = $"Restore {child.Name} ({child.Key})", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Category restored: new events can be filed under it again.");
        await Expect(Live(page, child.Name)).ToContainTextAsync("Under acquisition");

        await BrowserServer<TDatabase>.AssertAccessibleAsync(page, "the categories page with retired categories");
        await BrowserServer<TDatabase>.ScreenshotAsync(page, Shot("categories-retired-1280"));
        await page.SetViewportSizeAsync(375, 800);
        await BrowserServer<TDatabase>.ScreenshotAsync(page, Shot("categories-retired-375"));
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= 375"), "the categories page scrolls sideways at 375 px");
    }

    [Fact]
    public async Task Restoring_a_category_works_with_JavaScript_off_and_is_refused_to_a_member()
    {
        var owner = await server.SignUpAsync();
        var member = await server.AddUserAsync(owner, UserRoles.Member, "Mia Member");
        var dividend = (await CategoriesAsync(owner)).Single(c => c.Key == "dividend");
        await owner.Http.CallAsync("DELETE", $"/api/categories/{dividend.Id}").ExpectAsync(HttpStatusCode.NoContent);

        var theirs = await server.NewPageAsync();
        await BrowserFlows.SignInAsync(theirs, member.Email);
        var form = theirs.APIRequest.CreateFormData()
            .Set("__RequestVerificationToken", await theirs.Locator("input[name=__RequestVerificationToken]").First.InputValueAsync());
        Assert.Equal(403, (await theirs.APIRequest.PostAsync($"/categories?handler=Restore&id={dividend.Id}", new() { Form = form })).Status);
        Assert.DoesNotContain(await CategoriesAsync(owner), c => c.Key == "dividend");

        var page = await server.NewPageAsync(javaScript: false);
        await BrowserFlows.SignInAsync(page, owner.Email);
        await page.GotoAsync("/categories");
        await page.GetByRole(AriaRole.Button, new() { Name = "Restore Dividend (dividend)", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/categories\\?done=restored$"));
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Category restored: new events can be filed under it again.");
        await Expect(Live(page, "Dividend")).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task A_member_stops_a_source_the_reason_names_them_and_a_viewer_is_refused()
    {
        var owner = await server.SignUpAsync();
        var member = await server.AddUserAsync(owner, UserRoles.Member, "Mia Member");
        var viewer = await server.AddUserAsync(owner, UserRoles.Viewer, "Vera Viewer");
        var acme = await BrowserFlows.AddClientAsync(server, owner, "Acme Rockets", "acme.example");
        var sourceId = await AddSourceAsync(owner, acme, "https://acme.example/feed.xml");

        var page = await server.NewPageAsync();
        await BrowserFlows.SignInAsync(page, member.Email);
        await page.GotoAsync($"/clients/{acme}");
        var source = page.Locator(".source").Filter(new() { HasText = "acme.example/feed.xml" });
        await Expect(source).ToContainTextAsync("Working");
        await Expect(source.GetByRole(AriaRole.Button, new() { Name = "Restart" })).ToHaveCountAsync(0);

        await source.GetByRole(AriaRole.Button, new() { Name = "Stop Feed https://acme.example/feed.xml" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("The source is stopped: Tidings does not check it until someone restarts it.");
        await Expect(source).ToContainTextAsync(new Regex("Stopped since .*: Stopped by Mia Member\\."));
        await Expect(source.GetByRole(AriaRole.Button, new() { Name = "Stop Feed https://acme.example/feed.xml" })).ToHaveCountAsync(0);
        var api = await owner.Http.CallAsync("GET", $"/api/sources/{sourceId}").ExpectAsync();
        Assert.Equal(("stopped", "Stopped by Mia Member."), (api.GetProperty("status").GetString(), api.GetProperty("stoppedReason").GetString()));
        await BrowserServer<TDatabase>.AssertAccessibleAsync(page, "the client page with a stopped source");
        await BrowserServer<TDatabase>.ScreenshotAsync(page, Shot("source-stopped-1280"));
        await page.SetViewportSizeAsync(375, 800);
        await BrowserServer<TDatabase>.ScreenshotAsync(page, Shot("source-stopped-375"));
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= 375"), "the client page scrolls sideways at 375 px");
        await page.SetViewportSizeAsync(1280, 900);
        await source.GetByRole(AriaRole.Button, new() { Name = "Restart" }).ClickAsync();
        await Expect(source).ToContainTextAsync("Working");

        // A viewer is offered no Stop, and posting it anyway is refused.
        var viewing = await server.NewPageAsync();
        await BrowserFlows.SignInAsync(viewing, viewer.Email);
        await viewing.GotoAsync($"/clients/{acme}");
        await Expect(viewing.Locator("#sources")).ToContainTextAsync("acme.example/feed.xml");
        await Expect(viewing.GetByRole(AriaRole.Button, new() { Name = "Stop" })).ToHaveCountAsync(0);
        var refused = await viewing.APIRequest.PostAsync($"/clients/{acme}?handler=Stop", new()
        {
            Headers = AntiforgeryHeaders(await viewing.Locator("body").GetAttributeAsync("hx-headers")),
            Form = viewing.APIRequest.CreateFormData().Set("sourceId", sourceId.ToString()),
        });
        Assert.Equal(403, refused.Status);
        api = await owner.Http.CallAsync("GET", $"/api/sources/{sourceId}").ExpectAsync();
        Assert.Equal("active", api.GetProperty("status").GetString());

        // The one-time message after the redirect travels in Tidings' own TempData cookie, which no script reads.
        var stopped = await page.APIRequest.PostAsync($"/clients/{acme}?handler=Stop", new()
        {
            Headers = AntiforgeryHeaders(await page.Locator("body").GetAttributeAsync("hx-headers")),
            Form = page.APIRequest.CreateFormData().Set("sourceId", sourceId.ToString()),
            MaxRedirects = 0,
        });
        Assert.Equal(302, stopped.Status);
        var cookies = stopped.HeadersArray.Where(h => h.Name.Equals("set-cookie", StringComparison.OrdinalIgnoreCase))
            .SelectMany(h => h.Value.Split('\n')).ToList();
        var tempData = Assert.Single(cookies, c => c.StartsWith(WebPages.TempDataCookie + "="));
        Assert.Contains("httponly", tempData, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", tempData, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(cookies, c => c.StartsWith(".AspNetCore.Mvc.CookieTempDataProvider"));
        await page.ReloadAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("The source is stopped");
    }

    private static Dictionary<string, string> AntiforgeryHeaders(string? hxHeaders) =>
        JsonSerializer.Deserialize<Dictionary<string, string>>(hxHeaders!)!;

    [Fact]
    public async Task A_webhook_edit_made_stale_by_another_admin_writes_nothing_and_shows_the_current_values()
    {
        var owner = await server.SignUpAsync();
        var admin = await server.AddUserAsync(owner, UserRoles.Admin, "Ada Admin");
        var receiver = new WebhookReceiver(server.Site, $"/hooks/{Guid.NewGuid():N}");
        var webhookId = (await owner.Http.CallAsync("POST", "/api/webhooks", new { url = receiver.Url, eventTypes = new[] { "event.created" }, description = "Before" })
            .ExpectAsync(HttpStatusCode.Created)).Id();

        var first = await server.NewPageAsync();
        await BrowserFlows.SignInAsync(first, owner.Email);
        await first.GotoAsync($"/webhooks/{webhookId}");
        var second = await server.NewPageAsync();
        await BrowserFlows.SignInAsync(second, admin.Email);
        await second.GotoAsync($"/webhooks/{webhookId}");

        await first.GetByLabel("Description (optional)").FillAsync("Renamed by the owner");
        await first.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        await Expect(first.GetByRole(AriaRole.Status)).ToContainTextAsync("Changes saved.");

        await second.GetByLabel("Minimum relevance (optional)").FillAsync("0.7");
        var answer = await second.RunAndWaitForResponseAsync(
            () => second.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync(), r => r.Request.Method == "POST");
        Assert.Equal(409, answer.Status);
        var alert = second.GetByRole(AriaRole.Alert);
        await Expect(alert).ToContainTextAsync("Someone changed this webhook since you opened it: nothing of yours was saved.");
        await Expect(alert.Locator("dt")).ToHaveTextAsync(["Description", "Minimum relevance"]);
        await Expect(alert.Locator("dd")).ToHaveTextAsync(["Before", "0.7"]);
        await Expect(second.GetByLabel("Description (optional)")).ToHaveValueAsync("Renamed by the owner");
        await Expect(second.GetByLabel("Minimum relevance (optional)")).ToHaveValueAsync("");
        var stored = await owner.Http.CallAsync("GET", $"/api/webhooks/{webhookId}").ExpectAsync();
        Assert.Equal(("Renamed by the owner", JsonValueKind.Null), (stored.GetProperty("description").GetString(), stored.GetProperty("minRelevance").ValueKind));
        await BrowserServer<TDatabase>.AssertAccessibleAsync(second, "a stale webhook edit");
        await BrowserServer<TDatabase>.ScreenshotAsync(second, Shot("webhook-stale-1280"));
        await second.SetViewportSizeAsync(375, 800);
        await BrowserServer<TDatabase>.ScreenshotAsync(second, Shot("webhook-stale-375"));
        Assert.True(await second.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= 375"), "the stale webhook edit scrolls sideways at 375 px");
        await second.SetViewportSizeAsync(1280, 900);

        // Made again on the current version, the change is saved and keeps the other admin's.
        await second.GetByLabel("Minimum relevance (optional)").FillAsync("0.7");
        await second.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        await Expect(second.GetByRole(AriaRole.Status)).ToContainTextAsync("Changes saved.");
        stored = await owner.Http.CallAsync("GET", $"/api/webhooks/{webhookId}").ExpectAsync();
        Assert.Equal(("Renamed by the owner", 0.7), (stored.GetProperty("description").GetString(), stored.GetProperty("minRelevance").GetDouble()));

        // A form with no version at all (built by hand) is no better than a stale one.
        var form = second.APIRequest.CreateFormData()
            .Set("__RequestVerificationToken", await second.Locator("input[name=__RequestVerificationToken]").First.InputValueAsync())
            .Set("Form.Url", receiver.Url).Set("Form.Format", "json").Set("Form.EventTypes", "event.created").Set("Form.Description", "Forged");
        Assert.Equal(409, (await second.APIRequest.PostAsync($"/webhooks/{webhookId}?handler=Edit", new() { Form = form })).Status);
        stored = await owner.Http.CallAsync("GET", $"/api/webhooks/{webhookId}").ExpectAsync();
        Assert.Equal("Renamed by the owner", stored.GetProperty("description").GetString());
    }

    [Fact]
    public async Task The_audit_log_offers_its_tables_as_a_list_and_the_filter_stays_in_the_url()
    {
        var owner = await server.SignUpAsync();
        await owner.Http.CallAsync("POST", "/api/clients", new { name = "Globex" }).ExpectAsync(HttpStatusCode.Created);
        var tag = await owner.Http.CallAsync("POST", "/api/tags", new { name = "Key account" }).ExpectAsync(HttpStatusCode.Created);

        var page = await server.NewPageAsync();
        await BrowserFlows.SignInAsync(page, owner.Email);
        await page.GotoAsync("/audit");
        var table = page.GetByLabel("Table");
        Assert.Equal("select", await table.EvaluateAsync<string>("e => e.localName"));
        await Expect(table.Locator("option").First).ToHaveTextAsync("All tables");
        var choices = await table.Locator("option").AllInnerTextsAsync();
        Assert.Contains("clients", choices);
        Assert.Contains("tags", choices);
        Assert.Contains("webhooks", choices);
        Assert.DoesNotContain("audit_logs", choices);
        await Expect(table).ToHaveValueAsync("");
        await BrowserServer<TDatabase>.AssertAccessibleAsync(page, "the audit log's table list");

        await table.SelectOptionAsync("tags");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("[?&]table=tags(&|$)"));
        var entries = page.Locator(".audit-entry");
        await Expect(entries).ToHaveCountAsync(1);
        await Expect(entries).ToContainTextAsync($"Owner created a record of tags, {tag.Id()}");
        await page.ReloadAsync();
        await Expect(page.GetByLabel("Table")).ToHaveValueAsync("tags");
        await Expect(entries).ToHaveCountAsync(1);

        await page.GetByLabel("Table").SelectOptionAsync(new SelectOptionValue { Label = "All tables" });
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await Expect(entries.Filter(new() { HasText = "a record of clients" })).ToHaveCountAsync(1);

        // A table named in a link that the list does not have is kept, selected, and simply matches nothing.
        await page.GotoAsync("/audit?table=legacy_things");
        await Expect(page.GetByLabel("Table")).ToHaveValueAsync("legacy_things");
        await Expect(page.GetByText("No entries match.")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task The_unsubscribe_link_asks_in_a_page_like_the_others_then_turns_email_off_without_signing_in()
    {
        var owner = await server.SignUpAsync();
        var token = await SubscribeAsync(owner);
        var link = $"/unsubscribe?b={owner.BusinessId}&u={owner.Id}&t={Uri.EscapeDataString(token)}";

        var page = await server.NewPageAsync();
        var opened = await page.GotoAsync(link);
        Assert.Equal(200, opened!.Status);
        Assert.Equal("no-referrer", await opened.HeaderValueAsync("referrer-policy"));
        Assert.Equal(WebPages.ContentSecurityPolicy, await opened.HeaderValueAsync("content-security-policy"));
        Assert.Contains("no-store", await opened.HeaderValueAsync("cache-control"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Unsubscribe from Tidings e-mails", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.Locator("link[rel=stylesheet][href='/css/site.css']")).ToHaveCountAsync(1);
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Sign in" })).ToBeVisibleAsync();
        Assert.Equal(NotificationChannels.Email, (await PreferenceAsync(owner)).Channel);
        await BrowserServer<TDatabase>.AssertAccessibleAsync(page, "the unsubscribe page");
        await BrowserServer<TDatabase>.ScreenshotAsync(page, Shot("unsubscribe-1280"));
        await page.SetViewportSizeAsync(375, 800);
        await BrowserServer<TDatabase>.ScreenshotAsync(page, Shot("unsubscribe-375"));
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= 375"), "the unsubscribe page scrolls sideways at 375 px");
        await page.SetViewportSizeAsync(1280, 900);

        await page.GetByRole(AriaRole.Button, new() { Name = "Unsubscribe" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "You are unsubscribed", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Tidings will send you no more notification e-mails or digests. Your notifications stay in the app.");
        Assert.Equal(NotificationChannels.InApp, (await PreferenceAsync(owner)).Channel);
        await BrowserServer<TDatabase>.AssertAccessibleAsync(page, "the unsubscribed page");
        await BrowserServer<TDatabase>.ScreenshotAsync(page, Shot("unsubscribed-1280"));
        await page.GotoAsync(link);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Tidings e-mails are off", Level = 1 })).ToBeVisibleAsync();

        // A link that unsubscribes nobody, or one cut short, is a page in words for a browser; nothing changes.
        var unknown = await page.GotoAsync($"/unsubscribe?b={owner.BusinessId}&u={owner.Id}&t={UnsubscribeLinks.NewToken()}");
        Assert.Equal(404, unknown!.Status);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Unknown unsubscribe link", Level = 1 })).ToBeVisibleAsync();
        var cut = await page.GotoAsync($"/unsubscribe?b={owner.BusinessId}&u={owner.Id}");
        Assert.Equal(400, cut!.Status);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "This link is not whole", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Listitem).Filter(new() { HasText = "key is missing" })).ToHaveCountAsync(1);
        await BrowserServer<TDatabase>.AssertAccessibleAsync(page, "the unsubscribe page with a link cut short");
    }

    [Fact]
    public async Task Too_many_new_tokens_from_the_form_answer_a_page_in_words_and_the_api_keeps_its_problem_details()
    {
        var owner = await server.SignUpAsync();
        var page = await server.NewPageAsync();
        await BrowserFlows.SignInAsync(page, owner.Email);
        for (var i = 0; i < PageGapsBrowser<TDatabase>.TokensPerAddress; i++)
        {
            await page.GotoAsync("/account/tokens/new");
            await page.GetByLabel("Name").FillAsync($"script {i}");
            await page.GetByRole(AriaRole.Button, new() { Name = "Create token" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Token \"script {i}\" created" })).ToBeVisibleAsync();
        }

        await page.GotoAsync("/account/tokens/new");
        await page.GetByLabel("Name").FillAsync("one too many");
        var refused = await page.RunAndWaitForResponseAsync(
            () => page.GetByRole(AriaRole.Button, new() { Name = "Create token" }).ClickAsync(), r => r.Request.Method == "POST");
        Assert.Equal(429, refused.Status);
        Assert.StartsWith("text/html", await refused.HeaderValueAsync("content-type"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Too many new tokens", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Main)).ToContainTextAsync(new Regex(
            $"Tidings makes at most {PageGapsBrowser<TDatabase>.TokensPerAddress} tokens an hour from one address\\. No token was made: try again in (a minute|\\d+ minutes|an hour)\\."));
        await BrowserServer<TDatabase>.AssertAccessibleAsync(page, "the new-token form over its limit");
        await BrowserServer<TDatabase>.ScreenshotAsync(page, Shot("too-many-tokens-1280"));
        var tokens = await owner.Http.GetStringAsync("/api/me/tokens");
        Assert.DoesNotContain("one too many", tokens);

        // The API's own limit answers a script as before: problem details.
        for (var i = 0; i < PageGapsBrowser<TDatabase>.TokensPerAddress; i++)
            Assert.Equal(HttpStatusCode.Created, (await owner.Http.PostAsJsonAsync("/api/me/tokens", new { name = "api " + i })).StatusCode);
        var api = await owner.Http.PostAsJsonAsync("/api/me/tokens", new { name = "api too many" });
        Assert.Equal(HttpStatusCode.TooManyRequests, api.StatusCode);
        Assert.Equal("application/problem+json", api.Content.Headers.ContentType?.MediaType);
        Assert.True(api.Headers.RetryAfter?.Delta > TimeSpan.Zero, "no Retry-After");
    }

    private static async Task<List<CategoryDto>> CategoriesAsync(ApiUser owner) =>
        (await owner.Http.GetFromJsonAsync<List<CategoryDto>>("/api/categories"))!;

    private async Task<Guid> AddSourceAsync(ApiUser owner, Guid clientId, string url)
    {
        await using var db = server.Database.Context(owner.BusinessId, TestActors.User(owner.Id, owner.BusinessId));
        var source = new Source { ClientId = clientId, Kind = SourceKinds.Feed, Url = url, FeedUrl = url, Keep = KeepRules.All, NextDueAt = DateTime.UtcNow.AddHours(1) };
        db.Sources.Add(source);
        await db.SaveChangesAsync();
        return source.Id;
    }

    /// <summary>E-mail on for the person, with an unsubscribe token as every e-mail's link carries; answers the token.</summary>
    private async Task<string> SubscribeAsync(ApiUser person)
    {
        await using var db = server.Database.Context(person.BusinessId, TestActors.User(person.Id, person.BusinessId));
        var preference = await db.NotificationPreferences.SingleOrDefaultAsync(p => p.UserId == person.Id);
        if (preference is null)
            db.NotificationPreferences.Add(preference = new NotificationPreference { UserId = person.Id });
        preference.Channel = NotificationChannels.Email;
        if (preference.UnsubscribeToken is not { Length: > 0 })
            preference.UnsubscribeToken = UnsubscribeLinks.NewToken();
        await db.SaveChangesAsync();
        return preference.UnsubscribeToken;
    }

    private async Task<NotificationPreference> PreferenceAsync(ApiUser person)
    {
        await using var db = server.Database.Context(person.BusinessId, TestActors.User(person.Id, person.BusinessId));
        return await db.NotificationPreferences.AsNoTracking().SingleAsync(p => p.UserId == person.Id);
    }
}

/// <summary>The browser server with a loopback site for webhook endpoints and a small new-token limit, which only the token test meets.</summary>
public abstract class PageGapsBrowser<TDatabase> : WebhookBrowser<TDatabase> where TDatabase : TestDatabase, new()
{
    public const int TokensPerAddress = 2;

    protected override void Configure(WebApplicationBuilder builder)
    {
        base.Configure(builder);
        builder.Configuration["SignIn:TokensPerAddressPerHour"] = TokensPerAddress.ToString();
    }
}

public sealed class PageGapsSqliteBrowser : PageGapsBrowser<SqliteDatabase>;
public sealed class PageGapsPostgresBrowser : PageGapsBrowser<PostgresDatabase>;

public sealed class PageGapsTests_Sqlite(PageGapsSqliteBrowser server) : PageGapsTests<SqliteDatabase>(server), IClassFixture<PageGapsSqliteBrowser>;
public sealed class PageGapsTests_Postgres(PageGapsPostgresBrowser server) : PageGapsTests<PostgresDatabase>(server), IClassFixture<PageGapsPostgresBrowser>;
