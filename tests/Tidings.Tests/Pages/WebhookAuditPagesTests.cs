using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Tidings.Delivery.Outbox;
using Tidings.Tests.Clients;
using Tidings.Tests.Delivery.Outbox;
using Tidings.Tests.Infrastructure;
using Tidings.Tests.Monitoring;
using Tidings.Users;
using static Microsoft.Playwright.Assertions;

namespace Tidings.Tests.Pages;

/// <summary>
/// The admin pages for webhooks and the audit log, in a real browser: an endpoint added through the page reaches a receiver on loopback
/// (its test message, a dispatched event, a retry), its errors show by their fields, it is deleted after a confirming page; the audit log
/// lists those changes, its filters narrow it and stay in the URL; a member is refused every one of these pages.
/// </summary>
public abstract class WebhookAuditPagesTests<TDatabase>(WebhookBrowser<TDatabase> server) where TDatabase : TestDatabase, new()
{
    private string Shot(string what) => $"{GetType().Name}.{what}";

    private DispatchRound Dispatcher => server.Services.GetRequiredService<DispatchRound>();

    [Fact]
    public async Task An_admin_adds_an_endpoint_tests_it_sees_its_deliveries_retries_one_and_deletes_it()
    {
        var owner = await server.SignUpAsync();
        var clientId = await BrowserFlows.AddClientAsync(server, owner, "Acme Rockets");
        var receiver = new WebhookReceiver(server.Site, $"/hooks/{Guid.NewGuid():N}");
        var page = await server.NewPageAsync();
        await BrowserFlows.SignInAsync(page, owner.Email);

        await page.GetByRole(AriaRole.Link, new() { Name = "Webhooks" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Webhooks", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByText("No endpoints yet.")).ToBeVisibleAsync();
        await BrowserServer<TDatabase>.AssertAccessibleAsync(page, "the empty webhooks page");

        // A hostile or careless address, and no message type: each said by its field, in the API's words.
        await page.GetByLabel("Endpoint URL").FillAsync("ftp://hooks.example/tidings");
        await page.GetByLabel("event.created").UncheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Add endpoint" }).ClickAsync();
        await Expect(page.GetByLabel("Endpoint URL")).ToHaveAccessibleDescriptionAsync(new Regex("Must be an absolute http\\(s\\) URL\\.$"));
        await Expect(page.GetByLabel("Endpoint URL")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(page.GetByRole(AriaRole.Group, new() { Name = "Messages to send" })).ToHaveAccessibleDescriptionAsync(new Regex("^Required: at least one of"));
        await BrowserServer<TDatabase>.AssertAccessibleAsync(page, "the add-endpoint form with errors");
        await page.GetByLabel("Endpoint URL").FillAsync("http://someone:secret@hooks.example/tidings");
        await page.GetByLabel("event.created").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Add endpoint" }).ClickAsync();
        await Expect(page.GetByLabel("Endpoint URL")).ToHaveAccessibleDescriptionAsync(new Regex("Must not carry a user name or password\\.$"));

        await page.GetByLabel("Endpoint URL").FillAsync(receiver.Url);
        await page.GetByLabel("Description (optional)").FillAsync("Acme <b>hook</b>");
        await page.GetByLabel("Acme Rockets").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Add endpoint" }).ClickAsync();
        var secretBox = page.GetByRole(AriaRole.Status).Filter(new() { HasText = "shown this once" });
        await Expect(secretBox.GetByRole(AriaRole.Heading, new() { Name = "Its signing secret, shown this once" })).ToBeVisibleAsync();
        var secret = await secretBox.Locator("code.secret").InnerTextAsync();
        Assert.StartsWith("whsec_", secret);
        await Expect(secretBox.GetByRole(AriaRole.Link, new() { Name = "Standard Webhooks specification" })).ToHaveAttributeAsync("href", "https://www.standardwebhooks.com/");
        var listed = page.GetByRole(AriaRole.Article, new() { Name = "Acme <b>hook</b>" });
        await Expect(listed).ToContainTextAsync("Standard Webhooks (signed JSON)");
        await Expect(listed).ToContainTextAsync("clients Acme Rockets.");
        await Expect(listed).ToContainTextAsync("Nothing sent yet.");
        Assert.Equal(0, await page.Locator("main b").CountAsync());
        await BrowserServer<TDatabase>.AssertAccessibleAsync(page, "the webhooks page with a new secret");
        await BrowserServer<TDatabase>.ScreenshotAsync(page, Shot("webhooks-1280"));
        await page.SetViewportSizeAsync(375, 800);
        await BrowserServer<TDatabase>.ScreenshotAsync(page, Shot("webhooks-375"));
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= 375"), "the webhooks page scrolls sideways at 375 px");
        await page.SetViewportSizeAsync(1280, 900);

        // Once shown, the secret is not shown again.
        await page.GotoAsync("/webhooks");
        await Expect(page.GetByText(secret)).ToHaveCountAsync(0);
        await listed.GetByRole(AriaRole.Link, new() { Name = "Acme <b>hook</b>" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Webhook endpoint", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByText("No attempts yet.")).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Send test" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync(new Regex("Test message sent\\. Delivered: the endpoint answered 200 in \\d+ ms\\."));
        var test = Assert.Single(receiver.Messages);
        Assert.True(receiver.Verifies(test, secret));
        await Expect(page.GetByRole(AriaRole.Listitem).Filter(new() { HasText = "Test message" })).ToContainTextAsync("the endpoint answered 200");

        // An event of the client: queued with the change, sent by a round of the dispatcher, then in the log with the receiver's answer.
        await BrowserFlows.AddEventAsync(server, owner, clientId, "Acme Rockets raises a Series B");
        await Dispatcher.RunAsync(default);
        Assert.Equal(2, receiver.Messages.Count);
        await page.ReloadAsync();
        var attempt = page.GetByRole(AriaRole.Listitem).Filter(new() { HasText = "event.created" });
        await Expect(attempt).ToContainTextAsync(new Regex("attempt 1, [\\s\\S]*Delivered: the endpoint answered 200 in \\d+ ms\\."));
        await Expect(attempt).ToContainTextAsync("delivered.");
        await attempt.GetByText("The endpoint's answer (first 1 KB)").ClickAsync();
        await Expect(attempt.Locator("pre")).ToHaveTextAsync("ok");
        await BrowserServer<TDatabase>.AssertAccessibleAsync(page, "an endpoint's page with its deliveries");
        await BrowserServer<TDatabase>.ScreenshotAsync(page, Shot("webhook-1280"));
        await page.SetViewportSizeAsync(375, 800);
        await BrowserServer<TDatabase>.ScreenshotAsync(page, Shot("webhook-375"));
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= 375"), "the endpoint's page scrolls sideways at 375 px");
        await page.SetViewportSizeAsync(1280, 900);

        // Retry: the same message again under its webhook-id; refused in words while the endpoint is disabled.
        await attempt.GetByRole(AriaRole.Button, new() { Name = "Retry" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Sent again");
        await Dispatcher.RunAsync(default);
        Assert.Equal(3, receiver.Messages.Count);
        Assert.Equal(receiver.Messages[1].Id, receiver.Messages[2].Id);
        await page.ReloadAsync();
        await Expect(page.GetByRole(AriaRole.Listitem).Filter(new() { HasText = "event.created" })).ToHaveCountAsync(2);

        await page.GetByRole(AriaRole.Button, new() { Name = "Disable" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Disabled: nothing is sent");
        await Expect(page.GetByRole(AriaRole.Definition).Filter(new() { HasText = "Disabled." })).ToContainTextAsync("Disabled by Owner.");
        await page.GetByRole(AriaRole.Listitem).Filter(new() { HasText = "event.created" }).First.GetByRole(AriaRole.Button, new() { Name = "Retry" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Not sent again: Endpoint disabled.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Enable" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Enabled: messages are sent");

        // Editing: the API's rules by field, then saved.
        await page.GetByLabel("Minimum relevance (optional)").FillAsync("2");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        await Expect(page.GetByLabel("Minimum relevance (optional)")).ToHaveAccessibleDescriptionAsync(new Regex("Must be between 0 and 1\\.$"));
        await page.GetByLabel("Minimum relevance (optional)").FillAsync("0.5");
        await page.GetByLabel("Description (optional)").FillAsync("Acme hook");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Changes saved.");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Acme hook", Level = 2 })).ToBeVisibleAsync();
        await Expect(page.GetByText("relevance at least 0.5")).ToBeVisibleAsync();

        // A new secret, once; the receiver then verifies with it.
        await page.GetByRole(AriaRole.Button, new() { Name = "Rotate secret" }).ClickAsync();
        var rotated = await page.Locator("code.secret").InnerTextAsync();
        Assert.NotEqual(secret, rotated);
        await page.GotoAsync(page.Url);
        await page.GetByRole(AriaRole.Button, new() { Name = "Send test" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Delivered");
        Assert.True(receiver.Verifies(receiver.Messages[^1], rotated));

        await page.GetByRole(AriaRole.Link, new() { Name = "Delete endpoint…" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Delete this endpoint?" })).ToBeVisibleAsync();
        await BrowserServer<TDatabase>.AssertAccessibleAsync(page, "the delete confirmation");
        await page.GetByRole(AriaRole.Button, new() { Name = "Yes, delete it" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/webhooks$"));
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Deleted the endpoint");
        await Expect(page.GetByText("No endpoints yet.")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task The_audit_log_lists_the_changes_in_words_and_its_filters_narrow_it_and_survive_a_reload()
    {
        var owner = await server.SignUpAsync();
        var clientId = (await owner.Http.CallAsync("POST", "/api/clients", new { name = "Globex <i>Corp</i>" }).ExpectAsync(HttpStatusCode.Created)).Id();
        var receiver = new WebhookReceiver(server.Site, $"/hooks/{Guid.NewGuid():N}");
        var created = await owner.Http.CallAsync("POST", "/api/webhooks", new { url = receiver.Url, eventTypes = new[] { "event.created" }, description = "Before" })
            .ExpectAsync(HttpStatusCode.Created);
        var webhookId = created.Id();
        await owner.Http.CallAsync("PATCH", $"/api/webhooks/{webhookId}", new { description = "After" }).ExpectAsync();
        await owner.Http.CallAsync("DELETE", $"/api/webhooks/{webhookId}").ExpectAsync(HttpStatusCode.NoContent);

        var page = await server.NewPageAsync();
        await BrowserFlows.SignInAsync(page, owner.Email);
        await page.GetByRole(AriaRole.Link, new() { Name = "Audit log" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Audit log", Level = 1 })).ToBeVisibleAsync();
        var entries = page.Locator(".audit-entry");
        await Expect(entries.Filter(new() { HasText = "Owner created a record of clients" }).GetByRole(AriaRole.Link, new() { Name = clientId.ToString() }))
            .ToHaveAttributeAsync("href", $"/clients/{clientId}");
        await Expect(entries.Filter(new() { HasText = "Owner created a record of webhooks" })).ToHaveCountAsync(1);
        var change = entries.Filter(new() { HasText = "Owner changed a record of webhooks" });
        await change.GetByText(new Regex("^\\d+ fields?:")).ClickAsync();
        await Expect(change.Locator("dd").Filter(new() { HasText = "Before" })).ToHaveTextAsync(new Regex("before: Before → after: After"));
        var clientEntry = entries.Filter(new() { HasText = "Owner created a record of clients" });
        await clientEntry.GetByText(new Regex("^\\d+ fields?:")).ClickAsync();
        await Expect(clientEntry.Locator("dd").Filter(new() { HasText = "Globex" })).ToContainTextAsync("Globex <i>Corp</i>");
        Assert.Equal(0, await page.Locator("main i").CountAsync());
        await BrowserServer<TDatabase>.AssertAccessibleAsync(page, "the audit log");
        await BrowserServer<TDatabase>.ScreenshotAsync(page, Shot("audit-1280"));
        await page.SetViewportSizeAsync(375, 800);
        await BrowserServer<TDatabase>.ScreenshotAsync(page, Shot("audit-375"));
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= 375"), "the audit log scrolls sideways at 375 px");
        await page.SetViewportSizeAsync(1280, 900);

        await page.GetByLabel("Table").SelectOptionAsync("webhooks");
        await page.GetByLabel("Action").SelectOptionAsync("DELETE");
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd");
        await page.GetByLabel("From").FillAsync(today);
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"table=webhooks.*action=DELETE.*from={today}"));
        await Expect(entries).ToHaveCountAsync(1);
        await Expect(entries).ToContainTextAsync("Owner deleted a record of webhooks");
        await page.ReloadAsync();
        await Expect(entries).ToHaveCountAsync(1);
        await Expect(page.GetByLabel("Table")).ToHaveValueAsync("webhooks");
        await Expect(page.GetByLabel("Action")).ToHaveValueAsync("DELETE");

        await page.GetByLabel("Action").SelectOptionAsync("");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await Expect(entries).ToHaveCountAsync(3);
        var tomorrow = DateTime.UtcNow.AddDays(1).ToString("yyyy-MM-dd");
        await page.GetByLabel("From").FillAsync(tomorrow);
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await Expect(page.GetByText("No entries match.")).ToBeVisibleAsync();

        // Input typed into the URL by hand: a message by its field, never a 500.
        var answer = await page.GotoAsync("/audit?from=last+tuesday&action=EXPLODE&user=nobody&after=not-a-cursor");
        Assert.Equal(200, answer!.Status);
        await Expect(page.GetByLabel("From")).ToHaveAccessibleDescriptionAsync("Must be an ISO 8601 date-time.");
        await Expect(page.GetByLabel("Action")).ToHaveAccessibleDescriptionAsync(new Regex("^Must be one of: CREATE"));
        await Expect(page.GetByLabel("User")).ToHaveAccessibleDescriptionAsync("Must be one of the business's users.");
        await BrowserServer<TDatabase>.AssertAccessibleAsync(page, "the audit log with bad filters");
        answer = await page.GotoAsync("/audit?after=not-a-cursor");
        Assert.Equal(200, answer!.Status);
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("not one this page gave out");
    }

    [Fact]
    public async Task A_member_is_refused_the_webhook_and_audit_pages_and_another_business_endpoint_is_not_found()
    {
        var owner = await server.SignUpAsync();
        var member = await server.AddUserAsync(owner, UserRoles.Member, "Max Member");
        var receiver = new WebhookReceiver(server.Site, $"/hooks/{Guid.NewGuid():N}");
        var webhookId = (await owner.Http.CallAsync("POST", "/api/webhooks", new { url = receiver.Url, eventTypes = new[] { "event.created" } })
            .ExpectAsync(HttpStatusCode.Created)).Id();

        var page = await server.NewPageAsync();
        await BrowserFlows.SignInAsync(page, member.Email);
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Webhooks" })).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Audit log" })).ToHaveCountAsync(0);
        foreach (var path in new[] { "/webhooks", $"/webhooks/{webhookId}", "/audit" })
            Assert.Equal(403, (await page.GotoAsync(path))!.Status);

        var other = await server.SignUpAsync();
        var otherPage = await server.NewPageAsync();
        await BrowserFlows.SignInAsync(otherPage, other.Email);
        Assert.Equal(404, (await otherPage.GotoAsync($"/webhooks/{webhookId}"))!.Status);
        Assert.Equal(200, (await otherPage.GotoAsync("/webhooks"))!.Status);
        await Expect(otherPage.GetByText("No endpoints yet.")).ToBeVisibleAsync();
    }
}

/// <summary>The browser server with a loopback site for webhook receivers, which the deployment lets endpoints reach (private addresses allowed).</summary>
public abstract class WebhookBrowser<TDatabase> : BrowserServer<TDatabase> where TDatabase : TestDatabase, new()
{
    public LoopbackSite Site { get; } = LoopbackSite.StartAsync().GetAwaiter().GetResult();

    protected override void Configure(WebApplicationBuilder builder)
    {
        base.Configure(builder);
        builder.Configuration["Monitoring:AllowPrivateAddresses"] = "true";
    }
}

public sealed class WebhookSqliteBrowser : WebhookBrowser<SqliteDatabase>;
public sealed class WebhookPostgresBrowser : WebhookBrowser<PostgresDatabase>;
public sealed class WebhookAuditPagesTests_Sqlite(WebhookSqliteBrowser server) : WebhookAuditPagesTests<SqliteDatabase>(server), IClassFixture<WebhookSqliteBrowser>;
public sealed class WebhookAuditPagesTests_Postgres(WebhookPostgresBrowser server)
    : WebhookAuditPagesTests<PostgresDatabase>(server), IClassFixture<WebhookPostgresBrowser>;
