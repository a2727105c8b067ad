using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Tidings.Events;
using Tidings.Tests.Infrastructure;
using Tidings.Users;
using static Microsoft.Playwright.Assertions;

namespace Tidings.Tests.Pages;

/// <summary>
/// The web app as a person uses it, in a real browser: signing up, the first-run feed, adding a client, working through
/// events with and without JavaScript, event text from the internet shown inert, signing out; axe-core on every page.
/// </summary>
public abstract class WebAppTests<TDatabase>(BrowserServer<TDatabase> server) where TDatabase : TestDatabase, new()
{
    private string Shot(string test) => $"{GetType().Name}.{test}";

    [Fact]
    public async Task A_new_user_signs_up_adds_a_client_and_works_through_the_feed()
    {
        var page = await server.NewPageAsync();
        var email = await SignUpAsync(page, checkAccessibility: true);

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Start by adding a client" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "Main" })).ToContainTextAsync("Notifications 0");
        await BrowserServer<TDatabase>.AssertAccessibleAsync(page, "the empty feed");
        await BrowserServer<TDatabase>.ScreenshotAsync(page, Shot("empty-feed"));

        await page.GetByRole(AriaRole.Link, new() { Name = "Add a client" }).ClickAsync();
        await AddClientAsync(page, "Acme Rockets", "acme.example", checkAccessibility: true);
        await Expect(page.GetByRole(AriaRole.Cell, new() { Name = "acme.example" })).ToBeVisibleAsync();

        var owner = await server.LogInAsync(email, UserRoles.Owner);
        await AddEventAsync(owner, "Acme Rockets", "Acme Rockets raises a Series B");
        await page.GetByRole(AriaRole.Link, new() { Name = "Feed" }).ClickAsync();
        var article = page.GetByRole(AriaRole.Article, new() { Name = "Acme Rockets raises a Series B" });
        await Expect(article).ToContainTextAsync("Acme Rockets");
        // By the category's name, not its key.
        await Expect(article).ToContainTextAsync("Funding");
        await Expect(article).ToContainTextAsync("Relevance 80%");
        await Expect(article).ToContainTextAsync("Example Wire");
        await BrowserServer<TDatabase>.AssertAccessibleAsync(page, "the feed with an event");

        // htmx swaps the article in place: a mark left on the window survives, as it would not a page load.
        await page.EvaluateAsync("() => { window.stillTheSamePage = true; }");
        await article.GetByRole(AriaRole.Button, new() { Name = "Mark as read" }).ClickAsync();
        await Expect(article.GetByRole(AriaRole.Button, new() { Name = "Mark as unread" })).ToBeVisibleAsync();
        await article.GetByRole(AriaRole.Button, new() { Name = "Star", Exact = true }).ClickAsync();
        await Expect(article.GetByRole(AriaRole.Button, new() { Name = "Unstar" })).ToBeVisibleAsync();
        Assert.True(await page.EvaluateAsync<bool>("() => window.stillTheSamePage === true"), "marking read and starring reloaded the page");

        await page.ReloadAsync();
        await Expect(article.GetByRole(AriaRole.Button, new() { Name = "Mark as unread" })).ToBeVisibleAsync();
        await Expect(article.GetByRole(AriaRole.Button, new() { Name = "Unstar" })).ToBeVisibleAsync();
        await BrowserServer<TDatabase>.AssertAccessibleAsync(page, "the feed with a read, starred event");
        await BrowserServer<TDatabase>.ScreenshotAsync(page, Shot("feed-1280"));
        await page.SetViewportSizeAsync(375, 800);
        await BrowserServer<TDatabase>.ScreenshotAsync(page, Shot("feed-375"));
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= 375"), "the feed scrolls sideways at 375 px");

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(SignInUrl());
        await page.GotoAsync("/");
        await Expect(page).ToHaveURLAsync(SignInUrl());
    }

    [Fact]
    public async Task A_viewer_sees_no_editing_controls_and_the_server_refuses_them_the_form()
    {
        var owner = await server.SignUpAsync();
        var viewer = await server.AddUserAsync(owner, UserRoles.Viewer, "Vera Viewer");
        var member = await server.AddUserAsync(owner, UserRoles.Member, "Max Member");
        var page = await server.NewPageAsync();

        await SignInAsync(page, viewer.Email);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "No clients yet" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Add a client" })).ToHaveCountAsync(0);
        await page.GetByRole(AriaRole.Link, new() { Name = "Clients", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Clients", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Add client" })).ToHaveCountAsync(0);
        await BrowserServer<TDatabase>.AssertAccessibleAsync(page, "the clients page of a viewer");
        await BrowserServer<TDatabase>.ScreenshotAsync(page, Shot("viewer-clients"));
        var refused = await page.GotoAsync("/clients/new");
        Assert.Equal(403, refused!.Status);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Not allowed", Level = 1 })).ToBeVisibleAsync();
        await BrowserServer<TDatabase>.AssertAccessibleAsync(page, "the not-allowed page");
        await BrowserServer<TDatabase>.ScreenshotAsync(page, Shot("not-allowed"));
        await page.GotoAsync("/");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();

        // A member, the same pages: the controls are there.
        await SignInAsync(page, member.Email);
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Add a client" })).ToBeVisibleAsync();
        await page.GotoAsync("/clients");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Add client" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Reading_and_starring_work_with_JavaScript_off()
    {
        var page = await server.NewPageAsync(javaScript: false, width: 375);
        var email = await SignUpAsync(page);
        await page.GetByRole(AriaRole.Link, new() { Name = "Add a client" }).ClickAsync();
        await AddClientAsync(page, "Globex", "globex.example");
        var owner = await server.LogInAsync(email, UserRoles.Owner);
        await AddEventAsync(owner, "Globex", "Globex acquires Initech");

        await page.GotoAsync("/");
        var article = page.GetByRole(AriaRole.Article, new() { Name = "Globex acquires Initech" });
        await article.GetByRole(AriaRole.Button, new() { Name = "Mark as read" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/#event-"));
        await Expect(article.GetByRole(AriaRole.Button, new() { Name = "Mark as unread" })).ToBeVisibleAsync();
        await article.GetByRole(AriaRole.Button, new() { Name = "Star", Exact = true }).ClickAsync();
        await Expect(article.GetByRole(AriaRole.Button, new() { Name = "Unstar" })).ToBeVisibleAsync();

        await page.GotoAsync("/");
        await Expect(article.GetByRole(AriaRole.Button, new() { Name = "Mark as unread" })).ToBeVisibleAsync();
        await Expect(article.GetByRole(AriaRole.Button, new() { Name = "Unstar" })).ToBeVisibleAsync();
        await article.GetByRole(AriaRole.Button, new() { Name = "Mark as unread" }).ClickAsync();
        await Expect(article.GetByRole(AriaRole.Button, new() { Name = "Mark as read" })).ToBeVisibleAsync();
        await BrowserServer<TDatabase>.ScreenshotAsync(page, Shot("feed-no-javascript-375"));

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(SignInUrl());
    }

    [Fact]
    public async Task An_event_title_carrying_markup_shows_as_text_and_runs_nothing()
    {
        const string hostile = "<script>alert(1)</script><img src=x onerror=alert(2)>";
        var owner = await server.SignUpAsync();
        var client = await AddClientThroughDataLayerAsync(owner, "Initech");
        await AddEventAsync(owner, client, hostile);

        var page = await server.NewPageAsync();
        var dialogs = new List<string>();
        page.Dialog += (_, dialog) =>
        {
            dialogs.Add(dialog.Message);
            _ = dialog.DismissAsync();
        };
        await SignInAsync(page, owner.Email);
        var article = page.GetByRole(AriaRole.Article, new() { Name = hostile });
        await Expect(article.GetByRole(AriaRole.Heading)).ToHaveTextAsync(hostile);
        Assert.Equal(0, await article.Locator("img").CountAsync());
        Assert.Equal(0, await article.Locator("script").CountAsync());
        await article.GetByRole(AriaRole.Button, new() { Name = "Mark as read" }).ClickAsync();
        await Expect(article.GetByRole(AriaRole.Button, new() { Name = "Mark as unread" })).ToBeVisibleAsync();
        Assert.Equal(0, await article.Locator("img").CountAsync());
        Assert.Empty(dialogs);
        await BrowserServer<TDatabase>.ScreenshotAsync(page, Shot("hostile-title"));
    }

    [Fact]
    public async Task Sign_in_and_sign_up_say_what_is_wrong_next_to_the_field()
    {
        var page = await server.NewPageAsync();
        await page.GotoAsync("/");
        await Expect(page).ToHaveURLAsync(SignInUrl());
        await BrowserServer<TDatabase>.AssertAccessibleAsync(page, "the sign-in page");

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByLabel("Email", new() { Exact = true })).ToHaveAccessibleDescriptionAsync("Required.");
        await Expect(page.GetByLabel("Password", new() { Exact = true })).ToHaveAccessibleDescriptionAsync("Required.");

        var owner = await server.SignUpAsync();
        await page.GetByLabel("Email", new() { Exact = true }).FillAsync(owner.Email);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync("not the password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Invalid email or password.");
        await BrowserServer<TDatabase>.AssertAccessibleAsync(page, "the sign-in page with an error");
        await BrowserServer<TDatabase>.ScreenshotAsync(page, Shot("sign-in-error"));

        await page.GotoAsync("/signup");
        await page.GetByLabel("Business name").FillAsync("Second Business");
        await page.GetByLabel("Your name").FillAsync("Someone");
        await page.GetByLabel("Email", new() { Exact = true }).FillAsync(owner.Email);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync("short");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign up" }).ClickAsync();
        await Expect(page.GetByLabel("Password", new() { Exact = true })).ToHaveAccessibleDescriptionAsync(new Regex("Between \\d+ and \\d+ characters"));
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(ApiUser.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign up" }).ClickAsync();
        await Expect(page.GetByLabel("Email", new() { Exact = true })).ToHaveAccessibleDescriptionAsync(new Regex("registered already"));
        await BrowserServer<TDatabase>.AssertAccessibleAsync(page, "the sign-up page with an error");
        await BrowserServer<TDatabase>.ScreenshotAsync(page, Shot("sign-up-error"));

        // Signing in from the redirect lands where the person was going.
        await page.GotoAsync("/clients");
        await page.GetByLabel("Email", new() { Exact = true }).FillAsync(owner.Email);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(ApiUser.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Clients", Level = 1 })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task A_page_that_fails_says_so_in_words_while_the_api_keeps_its_problem_details()
    {
        var owner = await server.SignUpAsync();
        var page = await server.NewPageAsync(width: 375);
        await SignInAsync(page, owner.Email);

        var missing = await page.GotoAsync("/no-such-page");
        Assert.Equal(404, missing!.Status);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Not found", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "Main" })).ToContainTextAsync("Sign out");
        await BrowserServer<TDatabase>.AssertAccessibleAsync(page, "the not-found page");
        await BrowserServer<TDatabase>.ScreenshotAsync(page, Shot("not-found-375"));

        // A form posted without its antiforgery token (an expired page, another site) is refused in words, and changes nothing.
        var forged = await page.APIRequest.PostAsync("/clients/new", new() { Form = page.APIRequest.CreateFormData().Set("Name", "Forged").Set("Domain", "forged.example"), Headers = new Dictionary<string, string> { ["Accept"] = "text/html" } });
        Assert.Equal(400, forged.Status);
        Assert.Contains("This form could not be sent", await forged.TextAsync());
        await using (var db = server.Database.Context(owner.BusinessId, TestActors.User(owner.Id, owner.BusinessId)))
            Assert.False(await db.Clients.AnyAsync(c => c.Name == "Forged"));

        // The API answers a browser's navigation with problem details still.
        var api = await page.GotoAsync($"/api/clients/{Guid.NewGuid()}");
        Assert.Equal(404, api!.Status);
        Assert.StartsWith("application/problem+json", await api.HeaderValueAsync("content-type"));
    }

    private static Regex SignInUrl() => new("/signin(\\?|$)");

    private async Task<string> SignUpAsync(IPage page, bool checkAccessibility = false)
    {
        var email = $"web-{Guid.NewGuid():N}@example.test";
        await page.GotoAsync("/signup");
        if (checkAccessibility)
        {
            await BrowserServer<TDatabase>.AssertAccessibleAsync(page, "the sign-up page");
            await BrowserServer<TDatabase>.ScreenshotAsync(page, Shot("sign-up"));
        }
        await page.GetByLabel("Business name").FillAsync("Northwind " + Guid.NewGuid().ToString("N")[..6]);
        await page.GetByLabel("Your name").FillAsync("Dana Reader");
        await page.GetByLabel("Email", new() { Exact = true }).FillAsync(email);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(ApiUser.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign up" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Feed", Level = 1 })).ToBeVisibleAsync();
        return email;
    }

    private static Task SignInAsync(IPage page, string email) => BrowserFlows.SignInAsync(page, email);

    private async Task AddClientAsync(IPage page, string name, string domain, bool checkAccessibility = false)
    {
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Add client", Level = 1 })).ToBeVisibleAsync();
        if (checkAccessibility)
        {
            await BrowserServer<TDatabase>.AssertAccessibleAsync(page, "the add-client page");
            await BrowserServer<TDatabase>.ScreenshotAsync(page, Shot("add-client"));
        }
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync(name);
        await page.GetByLabel("Domain", new() { Exact = true }).FillAsync(domain);
        await page.GetByRole(AriaRole.Button, new() { Name = "Add client" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Cell, new() { Name = name, Exact = true })).ToBeVisibleAsync();
    }

    private Task<Guid> AddClientThroughDataLayerAsync(ApiUser owner, string name) => BrowserFlows.AddClientAsync(server, owner, name);

    private async Task AddEventAsync(ApiUser owner, string clientName, string title) =>
        await AddEventAsync(owner, await BrowserFlows.ClientIdAsync(server, owner, clientName), title);

    private Task AddEventAsync(ApiUser owner, Guid clientId, string title) => BrowserFlows.AddEventAsync(server, owner, clientId, title);
}

public sealed class WebAppTests_Sqlite(SqliteBrowser server) : WebAppTests<SqliteDatabase>(server), IClassFixture<SqliteBrowser>;
public sealed class WebAppTests_Postgres(PostgresBrowser server) : WebAppTests<PostgresDatabase>(server), IClassFixture<PostgresBrowser>;
