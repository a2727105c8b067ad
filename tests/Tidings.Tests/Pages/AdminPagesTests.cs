using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Tidings.Businesses;
using Tidings.Tests.Infrastructure;
using Tidings.Users;
using static Microsoft.Playwright.Assertions;

namespace Tidings.Tests.Pages;

/// <summary>
/// The admin pages as an admin uses them, in a real browser: the taxonomy (add, rename, merge, retire, classify again),
/// the business's users (add, role, deactivate, new password, the last owner kept) and its settings; a member is refused
/// all three and offered no link to them; axe-core on every state.
/// </summary>
public abstract class AdminPagesTests<TDatabase>(BrowserServer<TDatabase> server) where TDatabase : TestDatabase, new()
{
    private string Shot(string what) => $"{GetType().Name}.{what}";

    [Fact]
    public async Task An_admin_adds_renames_merges_and_retires_categories()
    {
        var owner = await server.SignUpAsync();
        var client = await BrowserFlows.AddClientAsync(server, owner, "Initech");
        var page = await server.NewPageAsync();
        await BrowserFlows.SignInAsync(page, owner.Email);
        await page.GetByRole(AriaRole.Link, new() { Name = "Categories" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Categories", Level = 1 })).ToBeVisibleAsync();
        await Expect(Category(page, "Funding")).ToContainTextAsync("Key funding");
        await BrowserServer<TDatabase>.AssertAccessibleAsync(page, "the categories page");

        // A key events could not store is refused, in words, by its field; the name typed stays.
        await page.GetByLabel("Key", new() { Exact = true }).FillAsync("Spin Off");
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Spin-off");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add category" }).ClickAsync();
        await Expect(page.GetByLabel("Key", new() { Exact = true })).ToHaveAccessibleDescriptionAsync(new Regex("Events store it\\. Must be a lowercase letter, then lowercase letters, digits or underscores\\.$"));
        await Expect(page.GetByLabel("Name", new() { Exact = true })).ToHaveValueAsync("Spin-off");
        await BrowserServer<TDatabase>.AssertAccessibleAsync(page, "the categories page with an error");
        await BrowserServer<TDatabase>.ScreenshotAsync(page, Shot("categories-error"));

        await page.GetByLabel("Key", new() { Exact = true }).FillAsync("spin_off");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add category" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Category added.");
        await Expect(Category(page, "Spin-off")).ToContainTextAsync("0 events");

        var spinOff = Category(page, "Spin-off");
        await spinOff.Locator("summary", new() { HasText = "Rename" }).ClickAsync();
        await spinOff.GetByLabel("New name for Spin-off").FillAsync(" ");
        await spinOff.GetByRole(AriaRole.Button, new() { Name = "Save name" }).ClickAsync();
        await Expect(spinOff.GetByLabel("New name for Spin-off")).ToHaveAccessibleDescriptionAsync("Required.");
        await spinOff.GetByLabel("New name for Spin-off").FillAsync("Spin-offs");
        await spinOff.GetByRole(AriaRole.Button, new() { Name = "Save name" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Category renamed.");
        await Expect(Category(page, "Spin-offs")).ToContainTextAsync("Key spin_off");

        // Merging moves the events: the one filed under spin_off is under funding after.
        await BrowserFlows.AddEventAsync(server, owner, client, "Initech spins off its printer unit", category: "spin_off");
        await page.ReloadAsync();
        var spinOffs = Category(page, "Spin-offs");
        await Expect(spinOffs).ToContainTextAsync("1 event");
        await spinOffs.Locator("summary", new() { HasText = "Merge" }).ClickAsync();
        await spinOffs.GetByLabel("Move the events of Spin-offs into").SelectOptionAsync(new SelectOptionValue { Label = "Funding (funding)" });
        await BrowserServer<TDatabase>.AssertAccessibleAsync(page, "the categories page asking to confirm a merge");
        await spinOffs.GetByRole(AriaRole.Button, new() { Name = "Merge Spin-offs" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Merged: 1 event moved.");
        await Expect(Category(page, "Spin-offs")).ToHaveCountAsync(0);
        var events = await owner.Http.GetFromJsonAsync<List<Tidings.Categories.CategoryDto>>("/api/categories");
        Assert.Equal(1, events!.Single(c => c.Key == "funding").Events);

        // A category with subcategories is refused retirement in words; one without goes.
        var acquisition = Category(page, "Acquisition");
        await acquisition.Locator("summary", new() { HasText = "Retire" }).ClickAsync();
        await acquisition.GetByRole(AriaRole.Button, new() { Name = "Retire Acquisition" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("The category has subcategories. Retire or merge its live subcategories first.");
        var dividend = Category(page, "Dividend");
        await dividend.Locator("summary", new() { HasText = "Retire" }).ClickAsync();
        await dividend.GetByRole(AriaRole.Button, new() { Name = "Retire Dividend" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Category retired.");
        await Expect(Category(page, "Dividend")).ToHaveCountAsync(0);

        await page.GetByRole(AriaRole.Button, new() { Name = "Classify events again" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync(new Regex("^Classified again: \\d+ events? changed category\\.$"));
        await BrowserServer<TDatabase>.AssertAccessibleAsync(page, "the categories page after changes");
        await BrowserServer<TDatabase>.ScreenshotAsync(page, Shot("categories-1280"));
        await page.SetViewportSizeAsync(375, 800);
        await BrowserServer<TDatabase>.ScreenshotAsync(page, Shot("categories-375"));
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= 375"), "the categories page scrolls sideways at 375 px");
    }

    [Fact]
    public async Task Categories_work_with_JavaScript_off()
    {
        var owner = await server.SignUpAsync();
        var page = await server.NewPageAsync(javaScript: false);
        await BrowserFlows.SignInAsync(page, owner.Email);
        await page.GotoAsync("/categories");
        await page.GetByLabel("Key", new() { Exact = true }).FillAsync("recall");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add category" }).ClickAsync();
        await Expect(page.GetByLabel("Name", new() { Exact = true })).ToHaveAccessibleDescriptionAsync("Required.");
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Recall");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add category" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/categories\\?done=added$"));
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Category added.");
        var recall = Category(page, "Recall");
        await recall.Locator("summary", new() { HasText = "Retire" }).ClickAsync();
        await recall.GetByRole(AriaRole.Button, new() { Name = "Retire Recall" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Category retired.");
        await Expect(Category(page, "Recall")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task An_admin_adds_a_user_changes_their_role_deactivates_them_and_sets_their_password()
    {
        var owner = await server.SignUpAsync();
        var page = await server.NewPageAsync();
        await BrowserFlows.SignInAsync(page, owner.Email);
        await page.GetByRole(AriaRole.Link, new() { Name = "Users" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Users", Level = 1 })).ToBeVisibleAsync();
        await BrowserServer<TDatabase>.AssertAccessibleAsync(page, "the users page");

        var email = $"nora-{Guid.NewGuid():N}@example.test";
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Nora New");
        await page.GetByLabel("Email", new() { Exact = true }).FillAsync(email);
        await page.GetByLabel("Role", new() { Exact = true }).SelectOptionAsync("member");
        await page.GetByLabel("Initial password").FillAsync("short");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add user" }).ClickAsync();
        await Expect(page.GetByLabel("Initial password")).ToHaveAccessibleDescriptionAsync(new Regex("^Give it to them yourself: they sign in with it\\. Between \\d+ and \\d+ characters\\.$"));
        await BrowserServer<TDatabase>.AssertAccessibleAsync(page, "the users page with an error");
        await BrowserServer<TDatabase>.ScreenshotAsync(page, Shot("users-error"));
        await page.GetByLabel("Initial password").FillAsync(ApiUser.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Add user" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("User added");
        var nora = page.GetByRole(AriaRole.Row).Filter(new() { HasText = email });
        await Expect(nora).ToContainTextAsync("member");

        // The new person signs in in a browser of their own, as a member: no admin links.
        var theirs = await server.NewPageAsync();
        await BrowserFlows.SignInAsync(theirs, email);
        await Expect(theirs.GetByRole(AriaRole.Link, new() { Name = "Users" })).ToHaveCountAsync(0);

        await nora.GetByLabel("Role of Nora New").SelectOptionAsync("admin");
        await nora.GetByRole(AriaRole.Button, new() { Name = "Change role of Nora New" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Role changed");
        await Expect(nora.GetByRole(AriaRole.Cell).Nth(1)).ToHaveTextAsync("admin");
        theirs = await server.NewPageAsync();
        await BrowserFlows.SignInAsync(theirs, email);
        await Expect(theirs.GetByRole(AriaRole.Link, new() { Name = "Users" })).ToBeVisibleAsync();

        await nora.Locator("summary", new() { HasText = "Deactivate" }).ClickAsync();
        await nora.GetByRole(AriaRole.Button, new() { Name = "Deactivate Nora New" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("User deactivated");
        await Expect(nora).ToContainTextAsync("Deactivated");
        Assert.Equal("Invalid email or password.", await SignInFailureAsync(email, ApiUser.Password));

        await nora.GetByRole(AriaRole.Button, new() { Name = "Reactivate Nora New" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("User reactivated");
        await nora.Locator("summary", new() { HasText = "Reset password" }).ClickAsync();
        await nora.GetByLabel("New password for Nora New").FillAsync("short");
        await nora.GetByRole(AriaRole.Button, new() { Name = "Set password of Nora New" }).ClickAsync();
        await Expect(nora.GetByLabel("New password for Nora New")).ToHaveAccessibleDescriptionAsync(
            new Regex("^Give it to them yourself; their sessions end\\. Between \\d+ and \\d+ characters\\.$"));
        await nora.GetByLabel("New password for Nora New").FillAsync("a brand new password");
        await nora.GetByRole(AriaRole.Button, new() { Name = "Set password of Nora New" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Password set");
        Assert.Equal("Invalid email or password.", await SignInFailureAsync(email, ApiUser.Password));
        Assert.Null(await SignInFailureAsync(email, "a brand new password"));

        await nora.Locator("summary", new() { HasText = "Remove" }).ClickAsync();
        await nora.GetByRole(AriaRole.Button, new() { Name = "Remove Nora New" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("User removed");
        await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = email })).ToHaveCountAsync(0);
        Assert.Equal("Invalid email or password.", await SignInFailureAsync(email, "a brand new password"));

        // The only owner cannot stop being one: the API's rule, in words.
        var me = page.GetByRole(AriaRole.Row).Filter(new() { HasText = owner.Email });
        await me.GetByLabel("Role of Owner").SelectOptionAsync("admin");
        await me.GetByRole(AriaRole.Button, new() { Name = "Change role of Owner" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("The business needs an active owner. Make someone else an owner first.");
        await Expect(me.GetByRole(AriaRole.Cell).Nth(1)).ToHaveTextAsync("owner");
        await BrowserServer<TDatabase>.AssertAccessibleAsync(page, "the users page with a refusal");
        await BrowserServer<TDatabase>.ScreenshotAsync(page, Shot("users-1280"));
        await page.SetViewportSizeAsync(375, 800);
        await BrowserServer<TDatabase>.ScreenshotAsync(page, Shot("users-375"));
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= 375"), "the users page scrolls sideways at 375 px");
    }

    [Fact]
    public async Task An_admin_changes_the_thresholds_and_they_are_kept()
    {
        var owner = await server.SignUpAsync();
        var admin = await server.AddUserAsync(owner, UserRoles.Admin, "Ada Admin");
        var page = await server.NewPageAsync();
        await BrowserFlows.SignInAsync(page, admin.Email);
        await page.GetByRole(AriaRole.Link, new() { Name = "Settings" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Settings", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByLabel("Notification threshold")).ToHaveValueAsync("0.8");
        await Expect(page.GetByRole(AriaRole.Definition).Nth(2)).ToHaveTextAsync("2");
        await BrowserServer<TDatabase>.AssertAccessibleAsync(page, "the settings page");

        await page.GetByLabel("Notification threshold").FillAsync("1.5");
        await page.GetByLabel("Review threshold").FillAsync("often");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save settings" }).ClickAsync();
        await Expect(page.GetByLabel("Notification threshold")).ToHaveAccessibleDescriptionAsync("From 0 to 1: an event at least this relevant notifies the person assigned to its client. Must be between 0 and 1.");
        await Expect(page.GetByLabel("Review threshold")).ToHaveAccessibleDescriptionAsync("From 0 to 1: an event the classifier is less sure of than this waits for a person's review. Must be a number between 0 and 1.");
        await BrowserServer<TDatabase>.AssertAccessibleAsync(page, "the settings page with errors");
        await BrowserServer<TDatabase>.ScreenshotAsync(page, Shot("settings-error"));
        var unchanged = await owner.Http.GetFromJsonAsync<BusinessDto>("/api/business");
        Assert.Equal(0.8, unchanged!.NotificationRelevanceThreshold);

        await page.GetByLabel("Notification threshold").FillAsync("0.65");
        await page.GetByLabel("Review threshold").FillAsync("0.5");
        await page.GetByLabel("Business name").FillAsync("Renamed Business");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save settings" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Settings saved.");
        await page.ReloadAsync();
        await Expect(page.GetByLabel("Notification threshold")).ToHaveValueAsync("0.65");
        await Expect(page.GetByLabel("Review threshold")).ToHaveValueAsync("0.5");
        var kept = await owner.Http.GetFromJsonAsync<BusinessDto>("/api/business");
        Assert.Equal((0.65, 0.5, "Renamed Business"), (kept!.NotificationRelevanceThreshold, kept.ReviewConfidenceThreshold, kept.Name));

        await BrowserServer<TDatabase>.ScreenshotAsync(page, Shot("settings-1280"));
        await page.SetViewportSizeAsync(375, 800);
        await BrowserServer<TDatabase>.ScreenshotAsync(page, Shot("settings-375"));
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= 375"), "the settings page scrolls sideways at 375 px");
    }

    [Fact]
    public async Task A_member_is_refused_the_admin_pages_and_offered_no_links_to_them()
    {
        var owner = await server.SignUpAsync();
        var member = await server.AddUserAsync(owner, UserRoles.Member, "Max Member");
        var page = await server.NewPageAsync();
        await BrowserFlows.SignInAsync(page, member.Email);
        var nav = page.GetByRole(AriaRole.Navigation, new() { Name = "Main" });
        foreach (var (link, route) in new[] { ("Categories", "/categories"), ("Users", "/users"), ("Settings", "/settings") })
        {
            await Expect(nav.GetByRole(AriaRole.Link, new() { Name = link })).ToHaveCountAsync(0);
            var refused = await page.GotoAsync(route);
            Assert.Equal(403, refused!.Status);
        }
        // Posting straight to an action is refused too, with a good antiforgery token (the feed's sign-out form has one).
        await page.GotoAsync("/");
        var form = page.APIRequest.CreateFormData();
        form.Set("__RequestVerificationToken", await page.Locator("input[name=__RequestVerificationToken]").First.InputValueAsync());
        form.Set("Name", "Taken over");
        form.Set("NotificationRelevanceThreshold", "0.1");
        form.Set("ReviewConfidenceThreshold", "0.1");
        form.Set("MaxTokenLifetimeDays", "30");
        var posted = await page.APIRequest.PostAsync("/settings", new() { Form = form });
        Assert.Equal(403, posted.Status);
        var business = await owner.Http.GetFromJsonAsync<BusinessDto>("/api/business");
        Assert.NotEqual("Taken over", business!.Name);
    }

    private static ILocator Category(IPage page, string name) =>
        page.GetByRole(AriaRole.Listitem).Filter(new() { Has = page.GetByRole(AriaRole.Heading, new() { Name = name, Exact = true, Level = 3 }) });

    /// <summary>Signs in through the page in a fresh browser: null when the feed opened, else the refusal shown.</summary>
    private async Task<string?> SignInFailureAsync(string email, string password)
    {
        var page = await server.NewPageAsync();
        await page.GotoAsync("/signin");
        await page.GetByLabel("Email", new() { Exact = true }).FillAsync(email);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        var alert = page.GetByRole(AriaRole.Alert);
        var feed = page.GetByRole(AriaRole.Heading, new() { Name = "Feed", Level = 1 });
        await Expect(alert.Or(feed)).ToBeVisibleAsync();
        return await feed.IsVisibleAsync() ? null : await alert.TextContentAsync();
    }
}

public sealed class AdminPagesTests_Sqlite(SqliteBrowser server) : AdminPagesTests<SqliteDatabase>(server), IClassFixture<SqliteBrowser>;
public sealed class AdminPagesTests_Postgres(PostgresBrowser server) : AdminPagesTests<PostgresDatabase>(server), IClassFixture<PostgresBrowser>;
