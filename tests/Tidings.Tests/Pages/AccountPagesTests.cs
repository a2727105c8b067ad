using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Tidings.Notifications;
using Tidings.Tests.Infrastructure;
using Tidings.Users;
using static Microsoft.Playwright.Assertions;

namespace Tidings.Tests.Pages;

/// <summary>
/// The account pages (profile and time zone, password, sessions and tokens, notification preferences) and the
/// notifications page as a person uses them, in a real browser, each through the API's own logic; axe-core on every page.
/// </summary>
public abstract class AccountPagesTests<TDatabase>(BrowserServer<TDatabase> server) where TDatabase : TestDatabase, new()
{
    private string Shot(string what) => $"{GetType().Name}.{what}";

    [Fact]
    public async Task A_person_renames_themselves_and_sets_a_time_zone_and_a_bad_time_zone_is_refused_by_its_field()
    {
        var owner = await server.SignUpAsync("Acme Holdings");
        var page = await server.NewPageAsync();
        await BrowserFlows.SignInAsync(page, owner.Email);

        await page.GetByRole(AriaRole.Link, new() { Name = "Account", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Account", Level = 1 })).ToBeVisibleAsync();
        var facts = page.Locator("dl.facts");
        await Expect(facts).ToContainTextAsync(owner.Email);
        await Expect(facts).ToContainTextAsync("owner");
        await Expect(facts).ToContainTextAsync("Acme Holdings");
        await Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "Account" }).GetByRole(AriaRole.Link, new() { Name = "Profile" }))
            .ToHaveAttributeAsync("aria-current", "page");
        await Expect(page.GetByLabel("Time zone")).ToHaveValueAsync("UTC");
        await BrowserServer<TDatabase>.AssertAccessibleAsync(page, "the profile page");

        await page.GetByLabel("Display name").FillAsync("Olive Owner");
        await page.GetByLabel("Time zone").FillAsync("Mars/Olympus_Mons");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save profile" }).ClickAsync();
        await Expect(page.GetByLabel("Time zone")).ToHaveAccessibleDescriptionAsync(new Regex("Must be an IANA time zone, such as Europe/Paris\\."));
        await Expect(page.GetByLabel("Time zone")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(page.GetByLabel("Time zone")).ToHaveValueAsync("Mars/Olympus_Mons");
        await BrowserServer<TDatabase>.AssertAccessibleAsync(page, "the profile page with a bad time zone");
        Assert.Equal("Owner", (await MeAsync(owner)).GetProperty("displayName").GetString());

        await page.GetByLabel("Time zone").FillAsync("Europe/Paris");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save profile" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Profile saved.");
        await page.ReloadAsync();
        await Expect(page.GetByLabel("Display name")).ToHaveValueAsync("Olive Owner");
        await Expect(page.GetByLabel("Time zone")).ToHaveValueAsync("Europe/Paris");
        var me = await MeAsync(owner);
        Assert.Equal("Olive Owner", me.GetProperty("displayName").GetString());
        Assert.Equal("Europe/Paris", me.GetProperty("timeZone").GetString());

        await ScreenshotsAsync(page, "profile");
    }

    [Fact]
    public async Task Changing_the_password_says_what_is_wrong_ends_the_other_sessions_and_the_new_one_signs_in()
    {
        const string newPassword = "a brand new passphrase";
        var owner = await server.SignUpAsync();
        var page = await server.NewPageAsync();
        await BrowserFlows.SignInAsync(page, owner.Email);
        await page.GotoAsync("/account/password");
        await Expect(page.GetByText("every other session ends")).ToBeVisibleAsync();
        await BrowserServer<TDatabase>.AssertAccessibleAsync(page, "the password page");

        await page.GetByLabel("Current password").FillAsync("not my password");
        await page.GetByLabel("New password").FillAsync(newPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Change password" }).ClickAsync();
        await Expect(page.GetByLabel("Current password")).ToHaveAccessibleDescriptionAsync("Does not match your current password.");

        await page.GetByLabel("Current password").FillAsync(ApiUser.Password);
        await page.GetByLabel("New password").FillAsync("short");
        await page.GetByRole(AriaRole.Button, new() { Name = "Change password" }).ClickAsync();
        await Expect(page.GetByLabel("New password")).ToHaveAccessibleDescriptionAsync(new Regex("Between 10 and 200 characters\\."));
        await BrowserServer<TDatabase>.AssertAccessibleAsync(page, "the password page with an error");
        Assert.Equal(HttpStatusCode.OK, (await owner.Http.GetAsync("/api/me")).StatusCode);

        await page.GetByLabel("Current password").FillAsync(ApiUser.Password);
        await page.GetByLabel("New password").FillAsync(newPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Change password" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Password changed.");
        // The API session signed in with the old password is over; this browser's stays.
        Assert.Equal(HttpStatusCode.Unauthorized, (await owner.Http.GetAsync("/api/me")).StatusCode);
        await page.GotoAsync("/account");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Account", Level = 1 })).ToBeVisibleAsync();
        await ScreenshotsAsync(page, "password");

        await page.SetViewportSizeAsync(1280, 900);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await SignInWithAsync(page, owner.Email, ApiUser.Password);
        await Expect(page.GetByText("Invalid email or password.")).ToBeVisibleAsync();
        await SignInWithAsync(page, owner.Email, newPassword);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Feed", Level = 1 })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Revoking_another_session_signs_that_browser_out_and_a_token_is_shown_once_and_revoked()
    {
        var owner = await server.SignUpAsync();
        var here = await server.NewPageAsync();
        await BrowserFlows.SignInAsync(here, owner.Email);
        var elsewhere = await server.NewPageAsync();
        await BrowserFlows.SignInAsync(elsewhere, owner.Email);

        await here.GotoAsync("/account/sessions");
        var sessions = here.Locator("#sessions > li");
        await Expect(sessions).ToHaveCountAsync(3);
        await Expect(here.Locator("#sessions > li.current")).ToContainTextAsync("This session");
        await Expect(here.GetByText("This session")).ToHaveCountAsync(1);
        await BrowserServer<TDatabase>.AssertAccessibleAsync(here, "the sessions page");

        // Newest first: the other browser signed in last.
        var newest = sessions.First;
        await Expect(newest).Not.ToContainTextAsync("This session");
        await here.EvaluateAsync("() => { window.stillTheSamePage = true; }");
        await newest.GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
        await Expect(here.GetByRole(AriaRole.Status)).ToHaveTextAsync("Session revoked: it is signed out.");
        Assert.True(await here.EvaluateAsync<bool>("() => window.stillTheSamePage === true"), "revoking reloaded the page");
        await elsewhere.GotoAsync("/account");
        await Expect(elsewhere).ToHaveURLAsync(new Regex("/signin\\?returnUrl=%2Faccount$"));
        await here.ReloadAsync();
        await Expect(sessions).ToHaveCountAsync(2);

        await here.GetByRole(AriaRole.Link, new() { Name = "Create a token" }).ClickAsync();
        await BrowserServer<TDatabase>.AssertAccessibleAsync(here, "the new-token page");
        await here.GetByLabel("Expires in (days)").FillAsync("1000");
        await here.GetByRole(AriaRole.Button, new() { Name = "Create token" }).ClickAsync();
        await Expect(here.GetByLabel("Name")).ToHaveAccessibleDescriptionAsync(new Regex("Required\\."));
        await Expect(here.GetByLabel("Expires in (days)")).ToHaveAccessibleDescriptionAsync(new Regex("Must be between 1 and 90\\."));
        await here.GetByLabel("Name").FillAsync("CRM <sync>");
        await here.GetByLabel("Expires in (days)").FillAsync("30");
        await here.GetByRole(AriaRole.Button, new() { Name = "Create token" }).ClickAsync();
        await Expect(here.GetByRole(AriaRole.Heading, new() { Name = "Token \"CRM <sync>\" created" })).ToBeVisibleAsync();
        var secret = await here.GetByLabel("Your new token").InputValueAsync();
        await BrowserServer<TDatabase>.AssertAccessibleAsync(here, "the new token's secret");
        await BrowserServer<TDatabase>.ScreenshotAsync(here, Shot("new-token-1280"));
        var program = server.Authorized(secret);
        Assert.Equal(HttpStatusCode.OK, (await program.GetAsync("/api/me")).StatusCode);

        await here.GotoAsync("/account/sessions");
        Assert.DoesNotContain(secret, await here.ContentAsync());
        var token = here.Locator("#tokens > li", new() { HasText = "CRM <sync>" });
        await Expect(token).ToBeVisibleAsync();
        await ScreenshotsAsync(here, "sessions");

        // Without JavaScript the same button posts the form and comes back to the page.
        var plain = await server.NewPageAsync(javaScript: false);
        await BrowserFlows.SignInAsync(plain, owner.Email);
        await plain.GotoAsync("/account/sessions");
        await plain.Locator("#tokens > li", new() { HasText = "CRM <sync>" }).GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
        await Expect(plain).ToHaveURLAsync(new Regex("/account/sessions$"));
        await Expect(plain.GetByText("You have no personal tokens.")).ToBeVisibleAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, (await program.GetAsync("/api/me")).StatusCode);
    }

    [Fact]
    public async Task A_viewer_saves_notification_preferences_the_api_refuses_what_it_refuses_and_the_page_shows_them_again()
    {
        var owner = await server.SignUpAsync();
        var tag = await owner.Http.PostAsJsonAsync("/api/tags", new { name = "Key accounts" });
        Assert.Equal(HttpStatusCode.Created, tag.StatusCode);
        var tagId = (await tag.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var viewer = await server.AddUserAsync(owner, UserRoles.Viewer, "Vera Viewer");
        var page = await server.NewPageAsync();
        await BrowserFlows.SignInAsync(page, viewer.Email);

        await page.GotoAsync("/account");
        await Expect(page.Locator("dl.facts")).ToContainTextAsync("viewer");
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Account" }).GetByRole(AriaRole.Link, new() { Name = "Notification preferences" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Notification preferences", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Radio, new() { Name = "Clients assigned to me" })).ToBeCheckedAsync();
        await Expect(page.GetByRole(AriaRole.Checkbox, new() { Name = "Any other news about a client" })).Not.ToBeCheckedAsync();
        await Expect(page.GetByRole(AriaRole.Radio, new() { Name = "In Tidings only" })).ToBeCheckedAsync();
        await BrowserServer<TDatabase>.AssertAccessibleAsync(page, "the notification preferences");

        await page.GetByRole(AriaRole.Radio, new() { Name = "Clients with any of these tags" }).CheckAsync();
        await page.GetByLabel("Minimum relevance").FillAsync("2");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save preferences" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Group, new() { Name = "Tags" })).ToHaveAccessibleDescriptionAsync(new Regex("Required: at least one tag"));
        await Expect(page.GetByLabel("Minimum relevance")).ToHaveAccessibleDescriptionAsync(new Regex("Must be between 0 and 1\\."));
        await BrowserServer<TDatabase>.AssertAccessibleAsync(page, "the notification preferences with errors");

        await page.GetByRole(AriaRole.Checkbox, new() { Name = "Key accounts" }).CheckAsync();
        await page.GetByLabel("Minimum relevance").FillAsync("0.6");
        await page.GetByRole(AriaRole.Checkbox, new() { Name = "A webhook was turned off" }).UncheckAsync();
        await page.GetByRole(AriaRole.Checkbox, new() { Name = "Funding" }).CheckAsync();
        await page.GetByRole(AriaRole.Radio, new() { Name = "a weekly digest" }).CheckAsync();
        await page.GetByLabel("Digest hour").SelectOptionAsync("07:00");
        await page.GetByLabel("Day of the weekly digest").SelectOptionAsync("Friday");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save preferences" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Preferences saved.");

        await page.ReloadAsync();
        await Expect(page.GetByRole(AriaRole.Radio, new() { Name = "Clients with any of these tags" })).ToBeCheckedAsync();
        await Expect(page.GetByRole(AriaRole.Checkbox, new() { Name = "Key accounts" })).ToBeCheckedAsync();
        await Expect(page.GetByLabel("Minimum relevance")).ToHaveValueAsync("0.6");
        await Expect(page.GetByRole(AriaRole.Checkbox, new() { Name = "A webhook was turned off" })).Not.ToBeCheckedAsync();
        await Expect(page.GetByRole(AriaRole.Checkbox, new() { Name = "Funding" })).ToBeCheckedAsync();
        await Expect(page.GetByRole(AriaRole.Radio, new() { Name = "a weekly digest" })).ToBeCheckedAsync();
        await Expect(page.GetByLabel("Digest hour")).ToHaveValueAsync("7");
        await Expect(page.GetByLabel("Day of the weekly digest")).ToHaveValueAsync("5");
        await Expect(page.GetByText("Your next digest leaves")).ToBeVisibleAsync();

        var saved = await (await viewer.Http.GetAsync("/api/me/notification-preferences")).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("tagged", saved.GetProperty("clients").GetString());
        Assert.Equal([tagId], saved.GetProperty("tagIds").EnumerateArray().Select(t => t.GetGuid()));
        Assert.Equal(0.6, saved.GetProperty("minRelevance").GetDouble());
        Assert.Equal(["funding"], saved.GetProperty("categories").EnumerateArray().Select(c => c.GetString()));
        Assert.DoesNotContain(NotificationTypes.WebhookDisabled, saved.GetProperty("kinds").EnumerateArray().Select(k => k.GetString()));
        Assert.Equal(("weekly_digest", 7, 5), (saved.GetProperty("channel").GetString(), saved.GetProperty("digestHour").GetInt32(), saved.GetProperty("digestDay").GetInt32()));

        await ScreenshotsAsync(page, "notification-preferences");
    }

    [Fact]
    public async Task Notifications_are_listed_newest_first_link_to_their_event_or_client_and_marking_them_read_lowers_the_count()
    {
        var owner = await server.SignUpAsync();
        var client = await BrowserFlows.AddClientAsync(server, owner, "Globex");
        var ev = await BrowserFlows.AddEventAsync(server, owner, client, "Globex raises a Series C");
        for (var i = 1; i <= 50; i++)
            await AddNotificationAsync(owner, NotificationTypes.ClientMentioned, $"Older news {i:00}", DateTime.UtcNow.AddDays(-2).AddMinutes(i), eventId: ev);
        await AddNotificationAsync(owner, NotificationTypes.ClientAssigned, "Globex was assigned to you", DateTime.UtcNow.AddHours(-2), clientId: client);
        await AddNotificationAsync(owner, NotificationTypes.HighRelevanceEvent, "<b>Globex</b> raises a Series C", DateTime.UtcNow.AddHours(-1), eventId: ev);

        var page = await server.NewPageAsync();
        await BrowserFlows.SignInAsync(page, owner.Email);
        await Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "Main" })).ToContainTextAsync("Notifications 52");
        await page.GetByRole(AriaRole.Link, new() { Name = "Notifications 52 unread" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Notifications", Level = 1 })).ToBeVisibleAsync();

        var items = page.Locator("ul.notifications > li");
        await Expect(items).ToHaveCountAsync(50);
        await Expect(items.Nth(0)).ToContainTextAsync("<b>Globex</b> raises a Series C");
        await Expect(items.Nth(0).Locator("b")).ToHaveCountAsync(0);
        await Expect(items.Nth(0).GetByRole(AriaRole.Link)).ToHaveAttributeAsync("href", $"/events/{ev}");
        await Expect(items.Nth(1).GetByRole(AriaRole.Link, new() { Name = "Globex was assigned to you" })).ToHaveAttributeAsync("href", $"/clients/{client}");
        await Expect(items.Nth(2)).ToContainTextAsync("Older news 50");
        await Expect(items.Nth(0)).ToContainTextAsync("Unread");
        await BrowserServer<TDatabase>.AssertAccessibleAsync(page, "the notifications page");

        await page.EvaluateAsync("() => { window.stillTheSamePage = true; }");
        await items.Nth(0).GetByRole(AriaRole.Button, new() { Name = "Mark as read" }).ClickAsync();
        await Expect(items.Nth(0).GetByRole(AriaRole.Button)).ToHaveCountAsync(0);
        await Expect(items.Nth(0)).Not.ToContainTextAsync("Unread");
        Assert.True(await page.EvaluateAsync<bool>("() => window.stillTheSamePage === true"), "marking read reloaded the page");
        await page.ReloadAsync();
        await Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "Main" })).ToContainTextAsync("Notifications 51");

        await page.GetByRole(AriaRole.Link, new() { Name = "Load more" }).ClickAsync();
        await Expect(items).ToHaveCountAsync(2);
        await Expect(items.Nth(0)).ToContainTextAsync("Older news 02");
        await Expect(items.Nth(1)).ToContainTextAsync("Older news 01");
        await page.GotoAsync("/notifications");

        await page.GetByRole(AriaRole.Button, new() { Name = "Mark all as read" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("51 notifications marked as read.");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Mark as read" })).ToHaveCountAsync(0);
        await page.ReloadAsync();
        await Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "Main" })).ToContainTextAsync("Notifications 0");
        Assert.Equal(0, (await (await owner.Http.GetAsync("/api/notifications/unread-count")).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("count").GetInt32());
        await ScreenshotsAsync(page, "notifications");

        // Without JavaScript: the plain form posts, and the page comes back with the count lowered.
        await AddNotificationAsync(owner, NotificationTypes.SourceStopped, "A Globex source stopped", DateTime.UtcNow, clientId: client);
        var plain = await server.NewPageAsync(javaScript: false);
        await BrowserFlows.SignInAsync(plain, owner.Email);
        await plain.GotoAsync("/notifications");
        await Expect(plain.GetByRole(AriaRole.Navigation, new() { Name = "Main" })).ToContainTextAsync("Notifications 1");
        await plain.GetByRole(AriaRole.Button, new() { Name = "Mark as read" }).ClickAsync();
        await Expect(plain).ToHaveURLAsync(new Regex("/notifications#notification-"));
        await Expect(plain.GetByRole(AriaRole.Navigation, new() { Name = "Main" })).ToContainTextAsync("Notifications 0");
    }

    [Fact]
    public async Task Someone_elses_notification_session_or_token_answers_not_found()
    {
        var owner = await server.SignUpAsync();
        var colleague = await server.AddUserAsync(owner, UserRoles.Member, "Max Member");
        var theirs = await AddNotificationAsync(colleague, NotificationTypes.ClientAssigned, "Not yours", DateTime.UtcNow);
        await using var db = server.Database.Context(owner.BusinessId, TestActors.User(owner.Id, owner.BusinessId));
        var theirSession = await db.ApiTokens.Where(t => t.UserId == colleague.Id).Select(t => t.Id).FirstAsync();

        var page = await server.NewPageAsync();
        await BrowserFlows.SignInAsync(page, owner.Email);
        await page.GotoAsync("/notifications");
        await Expect(page.GetByText("No notifications yet.")).ToBeVisibleAsync();
        var token = await page.Locator("input[name=__RequestVerificationToken]").First.InputValueAsync();
        foreach (var (url, id) in new[] { ("/notifications?handler=Read", theirs), ("/account/sessions?handler=RevokeSession", theirSession), ("/account/sessions?handler=RevokeToken", theirSession) })
        {
            var response = await page.APIRequest.PostAsync(url, new() { Form = page.APIRequest.CreateFormData().Set("id", id.ToString()).Set("__RequestVerificationToken", token) });
            Assert.Equal(404, response.Status);
        }
        Assert.Equal(HttpStatusCode.OK, (await colleague.Http.GetAsync("/api/me")).StatusCode);
        Assert.Equal(1, (await (await colleague.Http.GetAsync("/api/notifications/unread-count")).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("count").GetInt32());
    }

    private Task ScreenshotsAsync(IPage page, string what) => BrowserServer<TDatabase>.ScreenshotsAtBothWidthsAsync(page, Shot(what), what);

    private static async Task SignInWithAsync(IPage page, string email, string password)
    {
        await page.GotoAsync("/signin");
        await page.GetByLabel("Email", new() { Exact = true }).FillAsync(email);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }

    private static async Task<JsonElement> MeAsync(ApiUser user) =>
        await (await user.Http.GetAsync("/api/me")).Content.ReadFromJsonAsync<JsonElement>();

    /// <summary>A notification for <paramref name="user"/> through the data layer, dated <paramref name="at"/> (stamping dates it now; the list orders by it).</summary>
    private async Task<Guid> AddNotificationAsync(ApiUser user, string type, string title, DateTime at, Guid? eventId = null, Guid? clientId = null)
    {
        await using var db = server.Database.Context(user.BusinessId, TestActors.User(user.Id, user.BusinessId));
        var n = new Notification { UserId = user.Id, Type = type, Title = title, Message = $"About {title}.", RelatedEventId = eventId, RelatedClientId = clientId };
        db.Notifications.Add(n);
        await db.SaveChangesAsync();
        using (db.AllowDirectWrites("test: the notification arrived earlier"))
            await db.Notifications.Where(x => x.Id == n.Id).ExecuteUpdateAsync(s => s.SetProperty(x => x.CreatedAt, at));
        return n.Id;
    }
}

public sealed class AccountPagesTests_Sqlite(SqliteBrowser server) : AccountPagesTests<SqliteDatabase>(server), IClassFixture<SqliteBrowser>;
public sealed class AccountPagesTests_Postgres(PostgresBrowser server) : AccountPagesTests<PostgresDatabase>(server), IClassFixture<PostgresBrowser>;
