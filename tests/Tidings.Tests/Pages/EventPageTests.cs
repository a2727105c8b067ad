using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Tidings.Classification;
using Tidings.Data.SoftDelete;
using Tidings.Events;
using Tidings.Tests.Infrastructure;
using Tidings.Users;
using static Microsoft.Playwright.Assertions;

namespace Tidings.Tests.Pages;

/// <summary>
/// The event page (/events/{id}) and the tags page (/tags) as people use them in a real browser: reading, starring,
/// a note, tags, a category correction the classifier learns from, the story's other reports, the history, deleting;
/// what a viewer is offered and refused; another business's event; axe-core on every state.
/// </summary>
public abstract class EventPageTests<TDatabase>(BrowserServer<TDatabase> server) where TDatabase : TestDatabase, new()
{
    private string Shot(string what) => $"{GetType().Name}.{what}";

    [Fact]
    public async Task A_member_opens_an_event_by_its_address_reads_stars_notes_and_tags_it()
    {
        var owner = await server.SignUpAsync();
        var client = await BrowserFlows.AddClientAsync(server, owner, "Acme Rockets");
        var id = await BrowserFlows.AddEventAsync(server, owner, client, "Acme Rockets raises a Series B",
            shape: e => e.Description = "First paragraph.\nSecond line of the story.");
        var page = await server.NewPageAsync();
        await BrowserFlows.SignInAsync(page, owner.Email);

        await page.GotoAsync($"/events/{id}");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Acme Rockets raises a Series B", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Acme Rockets", Exact = true })).ToHaveAttributeAsync("href", $"/clients/{client}");
        var original = page.GetByRole(AriaRole.Link, new() { Name = "Read the original at Example Wire" });
        await Expect(original).ToHaveAttributeAsync("href", "https://news.example/story");
        await Expect(original).ToHaveAttributeAsync("rel", "noopener noreferrer");
        await Expect(page.Locator(".description")).ToHaveTextAsync("First paragraph.\nSecond line of the story.");
        Assert.Equal("pre-line", await page.Locator(".description").EvaluateAsync<string>("e => getComputedStyle(e).whiteSpace"));
        // GET /api/events/{id} does not mark an event read, and neither does opening its page.
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Mark as read" })).ToBeVisibleAsync();
        await BrowserServer<TDatabase>.AssertAccessibleAsync(page, "the event page");

        await page.GetByRole(AriaRole.Button, new() { Name = "Mark as read" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Mark as unread" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Star", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Unstar" })).ToBeVisibleAsync();

        await page.GetByLabel("Your note").FillAsync("Call Jane about the round.\nShe knows the lead investor.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save note" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Note saved.");
        await page.ReloadAsync();
        await Expect(page.GetByLabel("Your note")).ToHaveValueAsync("Call Jane about the round.\nShe knows the lead investor.");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Mark as unread" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Unstar" })).ToBeVisibleAsync();

        // A new name makes the tag; the same name in another case is that tag again, not a second one.
        var tags = page.GetByRole(AriaRole.Region, new() { Name = "Tags" });
        await page.GetByLabel("Add a tag").FillAsync("Urgent");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add tag" }).ClickAsync();
        await Expect(tags.GetByRole(AriaRole.Link, new() { Name = "Urgent" })).ToBeVisibleAsync();
        var tagId = await TagIdAsync(owner, "Urgent");
        await Expect(tags.GetByRole(AriaRole.Link, new() { Name = "Urgent" })).ToHaveAttributeAsync("href", $"/?tag={tagId}");
        await page.GetByLabel("Add a tag").FillAsync("urgent");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add tag" }).ClickAsync();
        await Expect(page.GetByLabel("Add a tag")).ToHaveValueAsync("");
        await Expect(tags.GetByRole(AriaRole.Listitem)).ToHaveCountAsync(1);
        await page.GetByLabel("Add a tag").FillAsync(new string('x', 101));
        await page.GetByRole(AriaRole.Button, new() { Name = "Add tag" }).ClickAsync();
        await Expect(page.GetByLabel("Add a tag")).ToHaveAccessibleDescriptionAsync(new Regex("Pick one of your tags.*characters"));
        await BrowserServer<TDatabase>.AssertAccessibleAsync(page, "the event page with a tag refused");
        await page.GetByLabel("Add a tag").FillAsync("");
        await BrowserServer<TDatabase>.ScreenshotAsync(page, Shot("event-1280"));
        await page.SetViewportSizeAsync(375, 800);
        await BrowserServer<TDatabase>.ScreenshotAsync(page, Shot("event-375"));
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= 375"), "the event page scrolls sideways at 375 px");

        await tags.GetByRole(AriaRole.Button, new() { Name = "Remove tag Urgent" }).ClickAsync();
        await Expect(tags).ToContainTextAsync("No tags yet.");
        await using var db = Db(owner);
        Assert.False(await db.EventTags.AnyAsync(l => l.EventId == id));
        Assert.Equal("Call Jane about the round.\nShe knows the lead investor.",
            await db.EventUserInteractions.Where(i => i.EventId == id && i.UserId == owner.Id).Select(i => i.UserNotes).SingleAsync());
    }

    [Fact]
    public async Task Changing_the_category_records_a_correction_and_the_history_tells_it()
    {
        var owner = await server.SignUpAsync();
        var client = await BrowserFlows.AddClientAsync(server, owner, "Globex");
        var id = await BrowserFlows.AddEventAsync(server, owner, client, "Globex agrees to be bought by Initech", shape: e =>
        {
            e.ClassifiedBy = "test-classifier-1";
            e.ConfidenceScore = 0.2;
        });
        var page = await server.NewPageAsync();
        await BrowserFlows.SignInAsync(page, owner.Email);
        await page.GotoAsync($"/events/{id}");
        await Expect(page.Locator(".facts")).ToContainTextAsync("Needs review");

        await page.GetByLabel("Category", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "Acquisition › Target" });
        await page.GetByRole(AriaRole.Button, new() { Name = "Change category" }).ClickAsync();
        await Expect(page.Locator(".facts")).ToContainTextAsync("Acquisition › Target (set by a person)");
        await Expect(page.Locator(".facts")).Not.ToContainTextAsync("Needs review");
        await Expect(page.GetByLabel("Category", new() { Exact = true })).ToHaveValueAsync("acquisition/target");

        await using (var db = Db(owner))
        {
            var example = await db.ClassificationExamples.SingleAsync(x => x.EventId == id);
            Assert.Equal(("acquisition", "target", "Globex"), (example.Category, example.Subcategory, example.ClientName));
            Assert.Equal(ClassifiedBy.Person, await db.Events.Where(e => e.Id == id).Select(e => e.ClassifiedBy).SingleAsync());
        }

        var history = page.GetByRole(AriaRole.Region, new() { Name = "History" });
        var lines = history.GetByRole(AriaRole.Listitem);
        await Expect(lines.First).ToContainTextAsync("Owner changed category from “funding” to “acquisition”");
        await Expect(lines.First).ToContainTextAsync("subcategory from none to “target”");
        await Expect(lines.Last).ToContainTextAsync("added the event");
        await BrowserServer<TDatabase>.AssertAccessibleAsync(page, "the event page after a correction");
        await BrowserServer<TDatabase>.ScreenshotAsync(page, Shot("event-corrected-1280"));
    }

    [Fact]
    public async Task The_other_reports_of_the_story_are_listed_with_their_sources()
    {
        var owner = await server.SignUpAsync();
        var client = await BrowserFlows.AddClientAsync(server, owner, "Initech");
        var first = await BrowserFlows.AddEventAsync(server, owner, client, "Initech opens a Berlin office");
        var copy = await BrowserFlows.AddEventAsync(server, owner, client, "Initech expands to Berlin", shape: e =>
        {
            e.Source = "Other Wire";
            e.Url = "https://other.example/initech-berlin";
            e.DuplicateOfEventId = first;
        });
        var page = await server.NewPageAsync();
        await BrowserFlows.SignInAsync(page, owner.Email);

        await page.GotoAsync($"/events/{first}");
        var story = page.GetByRole(AriaRole.Region, new() { Name = "Also reported by" });
        await Expect(story).ToContainTextAsync("Other Wire");
        await Expect(story.GetByRole(AriaRole.Link, new() { Name = "Initech expands to Berlin" })).ToHaveAttributeAsync("href", $"/events/{copy}");
        var elsewhere = story.GetByRole(AriaRole.Link, new() { Name = "Read it at Other Wire" });
        await Expect(elsewhere).ToHaveAttributeAsync("href", "https://other.example/initech-berlin");
        await Expect(elsewhere).ToHaveAttributeAsync("rel", "noopener noreferrer");

        await story.GetByRole(AriaRole.Link, new() { Name = "Initech expands to Berlin" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Initech expands to Berlin", Level = 1 })).ToBeVisibleAsync();
        await Expect(story).ToContainTextAsync("Example Wire (first report)");
        await BrowserServer<TDatabase>.AssertAccessibleAsync(page, "the event page of a copy");
    }

    [Fact]
    public async Task Markup_in_an_event_title_and_description_shows_as_text_and_runs_nothing()
    {
        const string hostile = "<script>alert(1)</script><img src=x onerror=alert(2)>";
        var owner = await server.SignUpAsync();
        var client = await BrowserFlows.AddClientAsync(server, owner, "Umbrella");
        var id = await BrowserFlows.AddEventAsync(server, owner, client, hostile, shape: e =>
        {
            e.Description = "<b>bold</b><img src=x onerror=alert(3)><script>alert(4)</script>";
            e.Url = "javascript:alert(5)";
            e.Source = "<i>Wire</i>";
        });
        var page = await server.NewPageAsync();
        var dialogs = new List<string>();
        page.Dialog += (_, dialog) =>
        {
            dialogs.Add(dialog.Message);
            _ = dialog.DismissAsync();
        };
        await BrowserFlows.SignInAsync(page, owner.Email);
        await page.GotoAsync($"/events/{id}");

        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync(hostile);
        await Expect(page.Locator(".description")).ToHaveTextAsync("<b>bold</b><img src=x onerror=alert(3)><script>alert(4)</script>");
        var main = page.Locator("main");
        Assert.Equal(0, await main.Locator("img, script, b, i").CountAsync());
        // Not an http(s) address: no link to it at all.
        Assert.Equal(0, await main.Locator("a[href^='javascript']").CountAsync());
        await Expect(page.GetByRole(AriaRole.Link, new() { NameRegex = new Regex("Read the original") })).ToHaveCountAsync(0);
        await page.GetByRole(AriaRole.Button, new() { Name = "Mark as read" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Mark as unread" })).ToBeVisibleAsync();
        Assert.Equal(0, await main.Locator("img, script").CountAsync());
        Assert.Empty(dialogs);
    }

    [Fact]
    public async Task A_viewer_sees_the_tags_but_no_editing_controls_and_their_direct_posts_are_refused()
    {
        var owner = await server.SignUpAsync();
        var viewer = await server.AddUserAsync(owner, UserRoles.Viewer, "Vera Viewer");
        var client = await BrowserFlows.AddClientAsync(server, owner, "Hooli");
        var id = await BrowserFlows.AddEventAsync(server, owner, client, "Hooli launches a phone");
        var tagId = await AddTagAsync(owner, "Watch", id);

        var page = await server.NewPageAsync();
        await BrowserFlows.SignInAsync(page, viewer.Email);
        await page.GotoAsync($"/events/{id}");
        var tags = page.GetByRole(AriaRole.Region, new() { Name = "Tags" });
        await Expect(tags.GetByRole(AriaRole.Link, new() { Name = "Watch" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Remove tag Watch" })).ToHaveCountAsync(0);
        await Expect(page.GetByLabel("Add a tag")).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Change category" })).ToHaveCountAsync(0);
        await Expect(page.GetByText("Delete this event")).ToHaveCountAsync(0);
        // Their own reading and note are theirs to keep.
        await page.GetByRole(AriaRole.Button, new() { Name = "Star", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Unstar" })).ToBeVisibleAsync();
        await page.GetByLabel("Your note").FillAsync("Ask a member to tag this.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save note" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Note saved.");
        await page.ReloadAsync();
        await Expect(page.GetByLabel("Your note")).ToHaveValueAsync("Ask a member to tag this.");
        await BrowserServer<TDatabase>.AssertAccessibleAsync(page, "the event page of a viewer");
        await BrowserServer<TDatabase>.ScreenshotAsync(page, Shot("event-viewer-1280"));

        Assert.Equal(403, await PostAsync(page, $"/events/{id}?handler=AddTag", ("TagName", "Sneaky")));
        Assert.Equal(403, await PostAsync(page, $"/events/{id}?handler=RemoveTag", ("tagId", tagId.ToString())));
        Assert.Equal(403, await PostAsync(page, $"/events/{id}?handler=Category", ("Category", "legal")));
        Assert.Equal(403, await PostAsync(page, $"/events/{id}?handler=Delete"));
        await page.GotoAsync("/tags");
        await Expect(page.GetByLabel("New tag")).ToHaveCountAsync(0);
        Assert.Equal(403, await PostAsync(page, "/tags?handler=Create", ("Name", "Sneaky")));
        Assert.Equal(403, await PostAsync(page, $"/tags?handler=Rename&id={tagId}", ("Name", "Renamed")));
        Assert.Equal(403, await PostAsync(page, $"/tags?handler=Delete&id={tagId}"));

        await using var db = Db(owner);
        var ev = await db.Events.SingleAsync(e => e.Id == id);
        Assert.Equal(("funding", (string?)null), (ev.Category, ev.ClassifiedBy));
        Assert.Equal(["Watch"], await db.Tags.Select(t => t.Name).ToListAsync());
        Assert.True(await db.EventTags.AnyAsync(l => l.EventId == id && l.TagId == tagId));
    }

    [Fact]
    public async Task Another_business_event_and_a_missing_one_are_not_found()
    {
        var owner = await server.SignUpAsync();
        var stranger = await server.SignUpAsync();
        var theirs = await BrowserFlows.AddEventAsync(server, stranger, await BrowserFlows.AddClientAsync(server, stranger, "Their client"), "Their news");
        var mine = await BrowserFlows.AddEventAsync(server, owner, await BrowserFlows.AddClientAsync(server, owner, "My client"), "My news");
        var page = await server.NewPageAsync();
        await BrowserFlows.SignInAsync(page, owner.Email);

        Assert.Equal(404, (await page.GotoAsync($"/events/{theirs}"))!.Status);
        Assert.Equal(404, (await page.GotoAsync($"/events/{Guid.NewGuid()}"))!.Status);
        await page.GotoAsync($"/events/{mine}");
        Assert.Equal(404, await PostAsync(page, $"/events/{theirs}?handler=Delete"));
        Assert.Equal(404, await PostAsync(page, $"/events/{theirs}?handler=Star", ("star", "true")));
        Assert.Equal(404, await PostAsync(page, $"/events/{theirs}?handler=Category", ("Category", "legal")));
        Assert.Equal(404, await PostAsync(page, $"/events/{theirs}?handler=AddTag", ("TagName", "Theirs")));

        await using var db = Db(stranger);
        var ev = await db.Events.SingleAsync(e => e.Id == theirs);
        Assert.Equal(("funding", false), (ev.Category, ev.IsDeleted));
        await using var ours = Db(owner);
        Assert.False(await ours.Tags.AnyAsync(), "a refused tagging made a tag");
    }

    [Fact]
    public async Task A_member_moves_an_event_to_the_trash_after_confirming()
    {
        var owner = await server.SignUpAsync();
        var member = await server.AddUserAsync(owner, UserRoles.Member, "Max Member");
        var client = await BrowserFlows.AddClientAsync(server, owner, "Stark");
        var id = await BrowserFlows.AddEventAsync(server, owner, client, "Stark recalls a suit");
        var page = await server.NewPageAsync();
        await BrowserFlows.SignInAsync(page, member.Email);
        await page.GotoAsync($"/events/{id}");

        var confirm = page.GetByRole(AriaRole.Button, new() { Name = "Yes, move it to the trash" });
        await Expect(confirm).Not.ToBeVisibleAsync();
        await page.GetByText("Delete this event").ClickAsync();
        await BrowserServer<TDatabase>.AssertAccessibleAsync(page, "the event page asking to confirm a delete");
        await confirm.ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Feed", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("\"Stark recalls a suit\" was moved to the trash");
        await Expect(page.GetByRole(AriaRole.Article, new() { Name = "Stark recalls a suit" })).ToHaveCountAsync(0);
        await BrowserServer<TDatabase>.AssertAccessibleAsync(page, "the feed after a delete");

        Assert.Equal(404, (await page.GotoAsync($"/events/{id}"))!.Status);
        await using var db = Db(owner);
        var ev = await db.Events.IgnoreQueryFilters([SoftDeleteRules.Filter]).SingleAsync(e => e.Id == id);
        Assert.True(ev.IsDeleted);
        Assert.Equal(member.Id, ev.DeletedByUserId);
    }

    [Fact]
    public async Task The_tags_page_creates_renames_and_deletes_tags_and_says_what_is_wrong_by_the_field()
    {
        var owner = await server.SignUpAsync();
        var client = await BrowserFlows.AddClientAsync(server, owner, "Wayne");
        var id = await BrowserFlows.AddEventAsync(server, owner, client, "Wayne funds a foundation");
        var page = await server.NewPageAsync();
        await BrowserFlows.SignInAsync(page, owner.Email);
        await page.GetByRole(AriaRole.Link, new() { Name = "Tags", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Tags", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByText("No tags yet.")).ToBeVisibleAsync();
        await BrowserServer<TDatabase>.AssertAccessibleAsync(page, "the empty tags page");

        await page.GetByRole(AriaRole.Button, new() { Name = "Create tag" }).ClickAsync();
        await Expect(page.GetByLabel("New tag")).ToHaveAccessibleDescriptionAsync("Required.");
        await page.GetByLabel("New tag").FillAsync("VIP");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create tag" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Tag \"VIP\" created.");
        await page.GetByLabel("New tag").FillAsync("vip");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create tag" }).ClickAsync();
        await Expect(page.GetByLabel("New tag")).ToHaveAccessibleDescriptionAsync("A tag named \"vip\" already exists in this business.");
        await Expect(page.GetByLabel("New tag")).ToHaveAttributeAsync("aria-invalid", "true");
        await BrowserServer<TDatabase>.AssertAccessibleAsync(page, "the tags page with an error");

        var vip = await TagIdAsync(owner, "VIP");
        await AddTagAsync(owner, "Board", id, vip);
        await page.GotoAsync("/tags");
        var vipLink = page.GetByRole(AriaRole.Link, new() { Name = "VIP", Exact = true });
        await Expect(vipLink).ToHaveAttributeAsync("href", $"/?tag={vip}");
        await Expect(page.GetByRole(AriaRole.Listitem).Filter(new() { Has = vipLink })).ToContainTextAsync("1 event");
        await Expect(page.GetByRole(AriaRole.Listitem).Filter(new() { Has = page.GetByRole(AriaRole.Link, new() { Name = "Board" }) })).ToContainTextAsync("0 events");

        await page.GetByLabel("New name for VIP").FillAsync("board");
        await page.GetByRole(AriaRole.Button, new() { Name = "Rename VIP" }).ClickAsync();
        await Expect(page.GetByLabel("New name for VIP")).ToHaveAccessibleDescriptionAsync("A tag named \"board\" already exists in this business.");
        await Expect(page.GetByLabel("New tag")).Not.ToHaveAttributeAsync("aria-invalid", "true");
        await page.GetByLabel("New name for VIP").FillAsync("Key account");
        await page.GetByRole(AriaRole.Button, new() { Name = "Rename VIP" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Tag \"VIP\" renamed to \"Key account\".");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Key account" })).ToHaveAttributeAsync("href", $"/?tag={vip}");
        await BrowserServer<TDatabase>.AssertAccessibleAsync(page, "the tags page");
        await BrowserServer<TDatabase>.ScreenshotAsync(page, Shot("tags-1280"));
        await page.SetViewportSizeAsync(375, 800);
        await BrowserServer<TDatabase>.ScreenshotAsync(page, Shot("tags-375"));
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= 375"), "the tags page scrolls sideways at 375 px");

        await page.GetByRole(AriaRole.Button, new() { Name = "Delete Board" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Tag \"Board\" moved to the trash");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Board" })).ToHaveCountAsync(0);
        await using var db = Db(owner);
        var board = await db.Tags.IgnoreQueryFilters([SoftDeleteRules.Filter]).SingleAsync(t => t.Name == "Board");
        Assert.True(board.IsDeleted);
        Assert.Equal("Key account", await db.Tags.Where(t => t.Id == vip).Select(t => t.Name).SingleAsync());
    }

    private Tidings.Data.TidingsDbContext Db(ApiUser user) => server.Database.Context(user.BusinessId, TestActors.User(user.Id, user.BusinessId));

    private async Task<Guid> TagIdAsync(ApiUser owner, string name)
    {
        await using var db = Db(owner);
        return await db.Tags.Where(t => t.Name == name).Select(t => t.Id).SingleAsync();
    }

    /// <summary>A tag made through the data layer, on the event unless <paramref name="onEventTag"/> names the tag to put there instead.</summary>
    private async Task<Guid> AddTagAsync(ApiUser owner, string name, Guid eventId, Guid? onEventTag = null)
    {
        await using var db = Db(owner);
        var tag = new Tidings.Tags.Tag { Name = name };
        db.Tags.Add(tag);
        db.EventTags.Add(new Tidings.Tags.EventTag { EventId = eventId, TagId = onEventTag ?? tag.Id });
        await db.SaveChangesAsync();
        return tag.Id;
    }

    /// <summary>A form post as the signed-in browser makes it (its cookies, the page's antiforgery token), answered without following a redirect.</summary>
    private static async Task<int> PostAsync(IPage page, string url, params (string Name, string Value)[] fields)
    {
        var token = await page.Locator("input[name=__RequestVerificationToken]").First.GetAttributeAsync("value");
        var form = page.APIRequest.CreateFormData();
        form.Set("__RequestVerificationToken", token!);
        foreach (var (name, value) in fields)
            form.Set(name, value);
        var response = await page.APIRequest.PostAsync(url, new() { Form = form, MaxRedirects = 0 });
        return response.Status;
    }
}

public sealed class EventPageTests_Sqlite(SqliteBrowser server) : EventPageTests<SqliteDatabase>(server), IClassFixture<SqliteBrowser>;
public sealed class EventPageTests_Postgres(PostgresBrowser server) : EventPageTests<PostgresDatabase>(server), IClassFixture<PostgresBrowser>;
