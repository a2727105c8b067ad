using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Tidings.Events;
using Tidings.Tests.Infrastructure;
using Tidings.Users;
using static Microsoft.Playwright.Assertions;

namespace Tidings.Tests.Pages;

/// <summary>
/// The feed as a reader works through it: filters kept in the URL (reload, bookmark, load more), acting on the ticked events,
/// marking the page read and undoing it, the keyboard shortcuts, the chart against its data; with and without JavaScript.
/// </summary>
public abstract class FeedPageTests<TDatabase>(BrowserServer<TDatabase> server) where TDatabase : TestDatabase, new()
{
    private string Shot(string what) => $"{GetType().Name}.{what}";

    [Fact]
    public async Task Filters_narrow_the_feed_and_survive_reload_bookmark_and_load_more()
    {
        var owner = await server.SignUpAsync();
        var acme = await BrowserFlows.AddClientAsync(server, owner, "Acme Rockets");
        var globex = await BrowserFlows.AddClientAsync(server, owner, "Globex");
        var now = DateTime.UtcNow;
        // More Acme funding rounds than a page holds, a funding story of Globex's, and an Acme acquisition.
        await AddEventsAsync(owner, Enumerable.Range(1, IndexPageSize + 5)
            .Select(i => (acme, $"Acme funding round {i:00}", "funding", now.AddMinutes(-i))).ToList());
        await AddEventsAsync(owner, [(globex, "Globex funding round", "funding", now.AddMinutes(-3)), (acme, "Acme buys a launch pad", "acquisition", now.AddMinutes(-2))]);

        var page = await server.NewPageAsync();
        await BrowserFlows.SignInAsync(page, owner.Email);
        // The filters beyond the search are folded away until one is on.
        await Expect(page.GetByLabel("Client", new() { Exact = true })).ToBeHiddenAsync();
        await page.Locator("summary", new() { HasText = "Filters" }).ClickAsync();
        await page.GetByLabel("Client", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "Acme Rockets" });
        await page.GetByLabel("Category", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "Funding" });
        await page.GetByLabel("Search", new() { Exact = true }).FillAsync("ROUND");
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply filters" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex($"(?=.*clientId={acme})(?=.*category=funding)(?=.*text=ROUND)"));
        await Expect(page.GetByRole(AriaRole.Article)).ToHaveCountAsync(IndexPageSize);
        await Expect(page.GetByRole(AriaRole.Article, new() { Name = "Globex funding round" })).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Article, new() { Name = "Acme buys a launch pad" })).ToHaveCountAsync(0);
        await BrowserServer<TDatabase>.AssertAccessibleAsync(page, "the filtered feed");
        await BrowserServer<TDatabase>.ScreenshotAsync(page, Shot("feed-filtered-1280"));

        // A bookmark is the URL: a fresh browser opening it sees the same filter, its form filled in.
        var bookmark = page.Url;
        var other = await server.NewPageAsync();
        await BrowserFlows.SignInAsync(other, owner.Email);
        await other.GotoAsync(bookmark);
        await Expect(other.GetByLabel("Client", new() { Exact = true })).ToHaveValueAsync(acme.ToString());
        await Expect(other.GetByLabel("Category", new() { Exact = true })).ToHaveValueAsync("funding");
        await Expect(other.GetByLabel("Search", new() { Exact = true })).ToHaveValueAsync("ROUND");
        await Expect(other.GetByRole(AriaRole.Article)).ToHaveCountAsync(IndexPageSize);

        await page.ReloadAsync();
        await Expect(page.GetByLabel("Category", new() { Exact = true })).ToHaveValueAsync("funding");
        await page.GetByRole(AriaRole.Link, new() { Name = "Load more" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"(?=.*clientId={acme})(?=.*category=funding)(?=.*text=ROUND)(?=.*after=)"));
        await Expect(page.GetByRole(AriaRole.Article)).ToHaveCountAsync(5);
        await Expect(page.GetByRole(AriaRole.Article, new() { Name = $"Acme funding round {IndexPageSize + 5:00}" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Article, new() { Name = "Globex funding round" })).ToHaveCountAsync(0);

        // Starred only and unread only: the reader's own marks.
        await page.GotoAsync("/");
        await page.GetByRole(AriaRole.Article, new() { Name = "Globex funding round" }).GetByRole(AriaRole.Button, new() { Name = "Star", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Unstar", Exact = true })).ToHaveCountAsync(1);
        await page.Locator("summary", new() { HasText = "Filters" }).ClickAsync();
        await page.GetByRole(AriaRole.Checkbox, new() { Name = "Starred" }).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply filters" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("starred=true"));
        await Expect(page.GetByRole(AriaRole.Article)).ToHaveCountAsync(1);
        await Expect(page.GetByRole(AriaRole.Article, new() { Name = "Globex funding round" })).ToBeVisibleAsync();

        await page.SetViewportSizeAsync(375, 800);
        await BrowserServer<TDatabase>.ScreenshotAsync(page, Shot("feed-filtered-375"));
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= 375"), "the filtered feed scrolls sideways at 375 px");
    }

    [Fact]
    public async Task A_date_the_filter_cannot_read_is_explained_beside_its_field()
    {
        var owner = await server.SignUpAsync();
        var client = await BrowserFlows.AddClientAsync(server, owner, "Initech");
        await BrowserFlows.AddEventAsync(server, owner, client, "Initech ships a stapler");
        var page = await server.NewPageAsync();
        await BrowserFlows.SignInAsync(page, owner.Email);

        var response = await page.GotoAsync("/?from=2025-13-45&text=stapler");
        Assert.Equal(200, response!.Status);
        await Expect(page.GetByLabel("From", new() { Exact = true })).ToHaveAccessibleDescriptionAsync("Must be a date, such as 2025-01-31.");
        await Expect(page.GetByLabel("Search", new() { Exact = true })).ToHaveValueAsync("stapler");
        await BrowserServer<TDatabase>.AssertAccessibleAsync(page, "the feed with a filter error");

        await page.GotoAsync("/?from=2025-02-01&to=2025-01-01");
        await Expect(page.GetByLabel("From", new() { Exact = true })).ToHaveAccessibleDescriptionAsync("Must not be after 'to'.");

        // A range that holds the event shows it; the "to" day counts whole.
        var today = DateTime.UtcNow.AddHours(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        await page.GotoAsync($"/?from={today}&to={today}");
        await Expect(page.GetByRole(AriaRole.Article, new() { Name = "Initech ships a stapler" })).ToBeVisibleAsync();
        await page.GotoAsync("/?to=2000-01-01");
        await Expect(page.GetByText("No events match these filters.")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Ticked_events_are_marked_and_starred_together_and_a_viewer_marks_only_their_own()
    {
        var owner = await server.SignUpAsync();
        var viewer = await server.AddUserAsync(owner, UserRoles.Viewer, "Vera Viewer");
        var client = await BrowserFlows.AddClientAsync(server, owner, "Hooli");
        var now = DateTime.UtcNow;
        await AddEventsAsync(owner, [(client, "Hooli one", "funding", now.AddMinutes(-1)), (client, "Hooli two", "funding", now.AddMinutes(-2)),
            (client, "Hooli three", "funding", now.AddMinutes(-3))]);

        var page = await server.NewPageAsync();
        await BrowserFlows.SignInAsync(page, viewer.Email);
        await page.GetByRole(AriaRole.Checkbox, new() { Name = "Hooli one", Exact = true }).CheckAsync();
        await page.GetByRole(AriaRole.Checkbox, new() { Name = "Hooli three", Exact = true }).CheckAsync();
        await BrowserServer<TDatabase>.AssertAccessibleAsync(page, "the feed with ticked events");
        await page.GetByRole(AriaRole.Button, new() { Name = "Mark selected as read", Exact = true }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Marked 2 events as read.");
        await Expect(ReadButton(page, "Hooli one")).ToHaveTextAsync("Mark as unread");
        await Expect(ReadButton(page, "Hooli two")).ToHaveTextAsync("Mark as read");
        await Expect(ReadButton(page, "Hooli three")).ToHaveTextAsync("Mark as unread");
        await BrowserServer<TDatabase>.AssertAccessibleAsync(page, "the feed after a bulk action");

        await page.GetByRole(AriaRole.Checkbox, new() { Name = "Hooli two", Exact = true }).CheckAsync();
        await page.GetByRole(AriaRole.Checkbox, new() { Name = "Hooli three", Exact = true }).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Star selected", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Starred 2 events.");
        await Expect(StarButton(page, "Hooli one")).ToHaveTextAsync("Star");
        await Expect(StarButton(page, "Hooli two")).ToHaveTextAsync("Unstar");
        await Expect(StarButton(page, "Hooli three")).ToHaveTextAsync("Unstar");

        await page.GetByRole(AriaRole.Checkbox, new() { Name = "Hooli three", Exact = true }).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Unstar selected", Exact = true }).ClickAsync();
        await Expect(StarButton(page, "Hooli three")).ToHaveTextAsync("Star");
        await page.GetByRole(AriaRole.Button, new() { Name = "Mark selected as read", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Select at least one event first.");

        // Reading is each person's own: the owner's feed is untouched.
        var ownerPage = await server.NewPageAsync();
        await BrowserFlows.SignInAsync(ownerPage, owner.Email);
        await Expect(ownerPage.GetByRole(AriaRole.Button, new() { Name = "Mark as read" })).ToHaveCountAsync(3);
        await Expect(ownerPage.GetByRole(AriaRole.Button, new() { Name = "Unstar", Exact = true })).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Marking_the_page_read_is_undone_for_exactly_the_events_it_changed()
    {
        var owner = await server.SignUpAsync();
        var client = await BrowserFlows.AddClientAsync(server, owner, "Umbrella");
        var now = DateTime.UtcNow;
        await AddEventsAsync(owner, [(client, "Umbrella one", "funding", now.AddMinutes(-1)), (client, "Umbrella two", "funding", now.AddMinutes(-2)),
            (client, "Umbrella three", "funding", now.AddMinutes(-3))]);

        var page = await server.NewPageAsync();
        await BrowserFlows.SignInAsync(page, owner.Email);
        await ReadButton(page, "Umbrella two").ClickAsync();
        await Expect(ReadButton(page, "Umbrella two")).ToHaveTextAsync("Mark as unread");

        await page.GetByRole(AriaRole.Button, new() { Name = "Mark this page as read" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Marked 2 events as read.");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Mark as unread" })).ToHaveCountAsync(3);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Mark this page as read" })).ToHaveCountAsync(0);
        await BrowserServer<TDatabase>.AssertAccessibleAsync(page, "the feed with the undo");
        await BrowserServer<TDatabase>.ScreenshotAsync(page, Shot("feed-page-read-undo-1280"));

        await page.GetByRole(AriaRole.Button, new() { Name = "Undo" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Undone: 2 events unread again.");
        await Expect(ReadButton(page, "Umbrella one")).ToHaveTextAsync("Mark as read");
        await Expect(ReadButton(page, "Umbrella two")).ToHaveTextAsync("Mark as unread");
        await Expect(ReadButton(page, "Umbrella three")).ToHaveTextAsync("Mark as read");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Undo" })).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Keyboard_shortcuts_move_open_mark_star_search_and_explain_themselves()
    {
        var owner = await server.SignUpAsync();
        var client = await BrowserFlows.AddClientAsync(server, owner, "Stark");
        var now = DateTime.UtcNow;
        var ids = await AddEventsAsync(owner, [(client, "Stark one", "funding", now.AddMinutes(-1)), (client, "Stark two", "funding", now.AddMinutes(-2)),
            (client, "Stark three", "funding", now.AddMinutes(-3))]);
        var page = await server.NewPageAsync();
        await BrowserFlows.SignInAsync(page, owner.Email);
        var one = page.GetByRole(AriaRole.Article, new() { Name = "Stark one" });
        var two = page.GetByRole(AriaRole.Article, new() { Name = "Stark two" });

        // Shortcuts act in place: a mark left on the window would not survive a page load.
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await page.EvaluateAsync("() => { window.stillTheSamePage = true; }");
        await page.Keyboard.PressAsync("j");
        await Expect(one).ToBeFocusedAsync();
        await Expect(one).ToHaveClassAsync(new Regex("\\bcurrent\\b"));
        await page.Keyboard.PressAsync("j");
        await Expect(two).ToBeFocusedAsync();
        await Expect(one).Not.ToHaveClassAsync(new Regex("\\bcurrent\\b"));
        await page.Keyboard.PressAsync("k");
        await Expect(one).ToBeFocusedAsync();
        // With a modifier the key is the browser's, not the feed's.
        await page.Keyboard.PressAsync("Control+j");
        await Expect(one).ToBeFocusedAsync();

        Assert.True(await page.EvaluateAsync<bool>("() => window.stillTheSamePage === true"), "moving reloaded the page");
        await page.Keyboard.PressAsync("m");
        await Expect(one.GetByRole(AriaRole.Button, new() { Name = "Mark as unread" })).ToBeVisibleAsync();
        Assert.True(await page.EvaluateAsync<bool>("() => window.stillTheSamePage === true"), "m reloaded the page");
        await page.Keyboard.PressAsync("s");
        await Expect(one.GetByRole(AriaRole.Button, new() { Name = "Unstar" })).ToBeVisibleAsync();
        await Expect(one).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("m");
        await Expect(one.GetByRole(AriaRole.Button, new() { Name = "Mark as read" })).ToBeVisibleAsync();

        Assert.True(await page.EvaluateAsync<bool>("() => window.stillTheSamePage === true"), "m and s reloaded the page");
        await page.Keyboard.PressAsync("/");
        var search = page.GetByLabel("Search", new() { Exact = true });
        await Expect(search).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync("jks");
        await Expect(search).ToHaveValueAsync("jks");
        await Expect(one.GetByRole(AriaRole.Button, new() { Name = "Unstar" })).ToBeVisibleAsync();
        await search.FillAsync("");

        await one.FocusAsync();
        await page.Keyboard.PressAsync("?");
        var dialog = page.GetByRole(AriaRole.Dialog, new() { Name = "Keyboard shortcuts" });
        await Expect(dialog).ToBeVisibleAsync();
        await Expect(dialog).ToContainTextAsync("Mark this page as read");
        await BrowserServer<TDatabase>.AssertAccessibleAsync(page, "the shortcuts dialog");
        await BrowserServer<TDatabase>.ScreenshotAsync(page, Shot("feed-shortcuts-1280"));
        await page.Keyboard.PressAsync("Escape");
        await Expect(dialog).ToBeHiddenAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Keyboard shortcuts" }).ClickAsync();
        await Expect(dialog).ToBeVisibleAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Close" }).ClickAsync();
        await Expect(dialog).ToBeHiddenAsync();

        await one.FocusAsync();
        await page.Keyboard.PressAsync("Shift+A");
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Marked 3 events as read.");

        await page.Keyboard.PressAsync("j");
        await page.Keyboard.PressAsync("j");
        await page.Keyboard.PressAsync("o");
        await Expect(page).ToHaveURLAsync(new Regex($"/events/{ids[1]}$"));
    }

    [Fact]
    public async Task The_chart_counts_the_filtered_events_by_category_and_week_as_its_table_says()
    {
        var owner = await server.SignUpAsync();
        var client = await BrowserFlows.AddClientAsync(server, owner, "Wayne");
        var today = DateTime.UtcNow.Date;
        var monday = today.AddDays(-(((int)today.DayOfWeek + 6) % 7)).AddHours(1);
        await AddEventsAsync(owner, [
            (client, "Wayne funding A", "funding", monday), (client, "Wayne funding B", "funding", monday.AddMinutes(5)),
            (client, "Wayne buys C", "acquisition", monday.AddMinutes(10)),
            (client, "Wayne funding D", "funding", monday.AddDays(-21)),
            (client, "Wayne funding long ago", "funding", monday.AddDays(-200)),
        ]);

        var page = await server.NewPageAsync();
        await BrowserFlows.SignInAsync(page, owner.Email);
        var chart = page.GetByRole(AriaRole.Region, new() { Name = "Events by category, last 12 weeks" });
        await Expect(chart).ToContainTextAsync("4 events of this filter");
        await chart.GetByText("The chart's numbers").ClickAsync();
        var table = chart.GetByRole(AriaRole.Table);
        await Expect(table).ToBeVisibleAsync();
        var rows = await TableAsync(table);
        Assert.Equal(["Week of", "Funding", "Acquisition", "Total"], rows[0]);
        Assert.Equal(13, rows.Count);
        Assert.Equal(["2", "1", "3"], rows[12][1..]);
        Assert.Equal(["1", "0", "1"], rows[9][1..]);
        Assert.Equal(4, rows.Skip(1).Sum(r => int.Parse(r[^1], CultureInfo.InvariantCulture)));
        Assert.Equal(3, await chart.Locator("svg rect").CountAsync());
        await BrowserServer<TDatabase>.AssertAccessibleAsync(page, "the feed with the chart's table open");
        await BrowserServer<TDatabase>.ScreenshotAsync(page, Shot("feed-chart-1280"));
        await page.SetViewportSizeAsync(375, 800);
        await BrowserServer<TDatabase>.ScreenshotAsync(page, Shot("feed-chart-375"));
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= 375"), "the feed with its chart scrolls sideways at 375 px");

        // The chart follows the filter in view.
        await page.GotoAsync("/?category=acquisition");
        await chart.GetByText("The chart's numbers").ClickAsync();
        rows = await TableAsync(chart.GetByRole(AriaRole.Table));
        Assert.Equal(["Week of", "Acquisition", "Total"], rows[0]);
        Assert.Equal(["1", "1"], rows[12][1..]);
        Assert.Equal(1, rows.Skip(1).Sum(r => int.Parse(r[^1], CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task Ticking_marking_the_page_read_undoing_and_the_chart_work_with_JavaScript_off()
    {
        var owner = await server.SignUpAsync();
        var client = await BrowserFlows.AddClientAsync(server, owner, "Tyrell");
        var now = DateTime.UtcNow;
        await AddEventsAsync(owner, [(client, "Tyrell one", "funding", now.AddMinutes(-1)), (client, "Tyrell two", "legal", now.AddMinutes(-2))]);
        var page = await server.NewPageAsync(javaScript: false, width: 375);
        await BrowserFlows.SignInAsync(page, owner.Email);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Keyboard shortcuts" })).ToBeHiddenAsync();

        await page.GetByRole(AriaRole.Checkbox, new() { Name = "Tyrell two", Exact = true }).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Star selected", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Starred 1 event.");
        await Expect(StarButton(page, "Tyrell two")).ToHaveTextAsync("Unstar");

        await page.GetByRole(AriaRole.Button, new() { Name = "Mark this page as read" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Marked 2 events as read.");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Mark as unread" })).ToHaveCountAsync(2);
        await BrowserServer<TDatabase>.ScreenshotAsync(page, Shot("feed-no-javascript-undo-375"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Undo" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Mark as read" })).ToHaveCountAsync(2);

        await page.GetByRole(AriaRole.Link, new() { Name = "Show the chart of events by category" }).ClickAsync();
        var chart = page.GetByRole(AriaRole.Region, new() { Name = "Events by category, last 12 weeks" });
        await Expect(chart).ToContainTextAsync("2 events of this filter");
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= 375"), "the feed without JavaScript scrolls sideways at 375 px");
    }

    private const int IndexPageSize = Tidings.Pages.IndexModel.PageSize;

    // The button is named for what it does next: "read" or "unread", "star" or "unstar".
    private static ILocator ReadButton(IPage page, string title) =>
        page.GetByRole(AriaRole.Article, new() { Name = title, Exact = true }).Locator("button[name='read'], button[name='unread']");

    private static ILocator StarButton(IPage page, string title) =>
        page.GetByRole(AriaRole.Article, new() { Name = title, Exact = true }).Locator("button[name='star'], button[name='unstar']");

    private static async Task<List<string[]>> TableAsync(ILocator table) =>
        (await table.EvaluateAsync<string[][]>("t => [...t.rows].map(r => [...r.cells].map(c => c.textContent.trim()))")).ToList();

    /// <summary>Events written through the data layer in one save, as the monitor would have stored them.</summary>
    private async Task<List<Guid>> AddEventsAsync(ApiUser owner, List<(Guid Client, string Title, string Category, DateTime EventDate)> events)
    {
        await using var db = server.Database.Context(owner.BusinessId, TestActors.User(owner.Id, owner.BusinessId));
        var added = events.Select(e => new Event
        {
            ClientId = e.Client, Title = e.Title, Category = e.Category, Source = "Example Wire", Url = "https://news.example/story",
            RelevanceScore = 0.8, EventDate = e.EventDate, DiscoveredAt = DateTime.UtcNow,
        }).ToList();
        db.Events.AddRange(added);
        await db.SaveChangesAsync();
        return added.Select(e => e.Id).ToList();
    }
}

public sealed class FeedPageTests_Sqlite(SqliteBrowser server) : FeedPageTests<SqliteDatabase>(server), IClassFixture<SqliteBrowser>;
public sealed class FeedPageTests_Postgres(PostgresBrowser server) : FeedPageTests<PostgresDatabase>(server), IClassFixture<PostgresBrowser>;
