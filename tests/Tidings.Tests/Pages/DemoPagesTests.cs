using Microsoft.Playwright;
using Tidings.Demo;
using Tidings.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Tidings.Tests.Pages;

/// <summary>`tidings demo`'s business as its owner sees it in the web app: a feed that looks like a real account's, and a trash with something in it.</summary>
public abstract class DemoPagesTests<TDatabase>(BrowserServer<TDatabase> server) where TDatabase : TestDatabase, new()
{
    [Fact]
    public async Task The_demo_owner_signs_in_to_a_feed_of_several_clients_categories_and_states()
    {
        DemoBusiness demo;
        await using (var db = server.Database.Context())
            demo = await DemoBusiness.CreateAsync(db, CancellationToken.None);
        var owner = demo.Users[0];

        var page = await server.NewPageAsync();
        await page.GotoAsync("/signin");
        await page.GetByLabel("Email", new() { Exact = true }).FillAsync(owner.Email);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(demo.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Feed", Level = 1 })).ToBeVisibleAsync();

        var articles = page.GetByRole(AriaRole.Article);
        await Expect(articles).ToHaveCountAsync(50);
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Load more" })).ToBeVisibleAsync();
        var clients = await page.Locator("article .meta .client").AllTextContentsAsync();
        var categories = await page.Locator("article .meta .category").AllTextContentsAsync();
        Assert.True(clients.Distinct().Count() >= 6, $"the first page shows {clients.Distinct().Count()} clients");
        Assert.True(categories.Distinct().Count() >= 8, $"the first page shows {categories.Distinct().Count()} categories");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Mark as unread" }).First).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Unstar" }).First).ToBeVisibleAsync();
        await Expect(page.Locator(".feed .review").First).ToHaveTextAsync("Needs review");
        Assert.NotEqual("0", await page.Locator(".notifications .count").TextContentAsync());
        await BrowserServer<TDatabase>.AssertAccessibleAsync(page, "the demo feed");
        await BrowserServer<TDatabase>.ScreenshotAsync(page, $"{GetType().Name}.demo-feed-1280");
        await page.SetViewportSizeAsync(375, 800);
        await BrowserServer<TDatabase>.ScreenshotAsync(page, $"{GetType().Name}.demo-feed-375");
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= 375"), "the demo feed scrolls sideways at 375 px");

        await page.SetViewportSizeAsync(1280, 900);
        await page.GotoAsync("/trash");
        await Expect(page.Locator(".trash-name").GetByText("Proseware Inc.", new() { Exact = true })).ToBeVisibleAsync();
        await Expect(page.Locator(".trash-name").GetByText("Q3 campaign", new() { Exact = true })).ToBeVisibleAsync();
        await BrowserServer<TDatabase>.ScreenshotAsync(page, $"{GetType().Name}.demo-trash-1280");
    }
}

public sealed class DemoPagesTests_Sqlite(SqliteBrowser server) : DemoPagesTests<SqliteDatabase>(server), IClassFixture<SqliteBrowser>;
public sealed class DemoPagesTests_Postgres(PostgresBrowser server) : DemoPagesTests<PostgresDatabase>(server), IClassFixture<PostgresBrowser>;
