using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Tidings.Tests.Infrastructure;
using Tidings.Users;
using static Microsoft.Playwright.Assertions;

namespace Tidings.Tests.Pages;

/// <summary>
/// The trash page in a real browser: what was deleted through the API comes back from the page, with JavaScript (the row
/// goes in place) and without (post, redirect, message); the API's refusal in words; an admin's purge after a confirmation;
/// a viewer is refused it and offered no link.
/// </summary>
public abstract class TrashPageTests<TDatabase>(BrowserServer<TDatabase> server) where TDatabase : TestDatabase, new()
{
    private string Shot(string what) => $"{GetType().Name}.{what}";

    [Fact]
    public async Task A_member_restores_a_deleted_client_event_and_tag_in_place_and_they_are_back()
    {
        var owner = await server.SignUpAsync();
        var member = await server.AddUserAsync(owner, UserRoles.Member, "Max Member");
        var globex = await BrowserFlows.AddClientAsync(server, owner, "Globex Corporation", "globex.example");
        var initech = await BrowserFlows.AddClientAsync(server, owner, "Initech", "initech.example");
        var plant = await BrowserFlows.AddEventAsync(server, owner, globex, "Globex opens a plant in Porto");
        await BrowserFlows.AddEventAsync(server, owner, initech, "Initech names a new chief executive");
        var tag = await AddTagAsync(owner, "Key account");
        await DeleteAsync(owner, $"/api/events/{plant}");
        await DeleteAsync(owner, $"/api/clients/{initech}");
        await DeleteAsync(owner, $"/api/tags/{tag}");

        var page = await server.NewPageAsync();
        await BrowserFlows.SignInAsync(page, member.Email);
        await Expect(page.GetByRole(AriaRole.Article, new() { Name = "Globex opens a plant in Porto" })).ToHaveCountAsync(0);
        await page.GetByRole(AriaRole.Link, new() { Name = "Trash", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Trash", Level = 1 })).ToBeVisibleAsync();
        var items = page.GetByRole(AriaRole.List, new() { Name = "Deleted items, newest deletion first" }).GetByRole(AriaRole.Listitem);
        await Expect(items).ToHaveCountAsync(3);
        var eventRow = Row(page, "Globex opens a plant in Porto");
        await Expect(eventRow).ToContainTextAsync("Event");
        await Expect(eventRow).ToContainTextAsync("by Owner");
        await Expect(Row(page, "Initech")).ToContainTextAsync("Client");
        await Expect(Row(page, "Key account")).ToContainTextAsync("Tag");
        // A member restores; only an admin deletes for good.
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Delete for good" })).ToHaveCountAsync(0);
        await BrowserServer<TDatabase>.AssertAccessibleAsync(page, "the trash");
        await BrowserServer<TDatabase>.ScreenshotAsync(page, Shot("trash-1280"));

        await page.EvaluateAsync("() => { window.stillTheSamePage = true; }");
        await eventRow.GetByRole(AriaRole.Button, new() { Name = "Restore" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Restored the event “Globex opens a plant in Porto”.");
        await Expect(eventRow).ToHaveCountAsync(0);
        await Row(page, "Initech").GetByRole(AriaRole.Button, new() { Name = "Restore" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Restored the client “Initech”.");
        await Row(page, "Key account").GetByRole(AriaRole.Button, new() { Name = "Restore" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Restored the tag “Key account”.");
        await Expect(items).ToHaveCountAsync(0);
        Assert.True(await page.EvaluateAsync<bool>("() => window.stillTheSamePage === true"), "restoring reloaded the page");
        await BrowserServer<TDatabase>.AssertAccessibleAsync(page, "the trash after restoring everything");

        await page.GotoAsync("/trash");
        await Expect(page.GetByText("The trash is empty.")).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Feed", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Article, new() { Name = "Globex opens a plant in Porto" })).ToBeVisibleAsync();
        // Initech's event was hidden with its client and came back with it.
        await Expect(page.GetByRole(AriaRole.Article, new() { Name = "Initech names a new chief executive" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Clients", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Cell, new() { Name = "Initech", Exact = true })).ToBeVisibleAsync();
        var tags = await owner.Http.GetFromJsonAsync<JsonElement>("/api/tags");
        Assert.Contains(tags.GetProperty("items").EnumerateArray(), t => t.GetProperty("name").GetString() == "Key account");
    }

    [Fact]
    public async Task With_JavaScript_off_restoring_posts_and_comes_back_with_the_message_and_the_api_refusal_in_words()
    {
        var owner = await server.SignUpAsync();
        var member = await server.AddUserAsync(owner, UserRoles.Member, "Max Member");
        var hooli = await BrowserFlows.AddClientAsync(server, owner, "Hooli", "hooli.example");
        var story = await BrowserFlows.AddEventAsync(server, owner, hooli, "Hooli faces a patent lawsuit");
        await DeleteAsync(owner, $"/api/events/{story}");
        await DeleteAsync(owner, $"/api/clients/{hooli}");

        var page = await server.NewPageAsync(javaScript: false);
        await BrowserFlows.SignInAsync(page, member.Email);
        await page.GotoAsync("/trash");
        await Row(page, "Hooli faces a patent lawsuit").GetByRole(AriaRole.Button, new() { Name = "Restore" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/trash$"));
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("The event's client is deleted: restore the client first.");
        await Expect(Row(page, "Hooli faces a patent lawsuit")).ToBeVisibleAsync();
        // No axe here: it runs as a script, and this browser runs none (it would wait for ever). The JavaScript test checks the same page.
        await BrowserServer<TDatabase>.ScreenshotAsync(page, Shot("trash-refused-1280"));

        await Row(page, "Hooli", exact: true).GetByRole(AriaRole.Button, new() { Name = "Restore" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Restored the client “Hooli”.");
        await Row(page, "Hooli faces a patent lawsuit").GetByRole(AriaRole.Button, new() { Name = "Restore" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Restored the event “Hooli faces a patent lawsuit”.");
        await Expect(page.GetByText("The trash is empty.")).ToBeVisibleAsync();
        // The message was for that one answer: it is gone on the next visit.
        await page.ReloadAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("");

        await page.GotoAsync("/");
        await Expect(page.GetByRole(AriaRole.Article, new() { Name = "Hooli faces a patent lawsuit" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task An_admin_deletes_for_good_only_after_confirming_with_and_without_JavaScript()
    {
        var owner = await server.SignUpAsync();
        var acme = await BrowserFlows.AddClientAsync(server, owner, "Acme Anvils", "acme.example");
        var first = await BrowserFlows.AddEventAsync(server, owner, acme, "Acme Anvils recalls a product");
        var second = await BrowserFlows.AddEventAsync(server, owner, acme, "Acme Anvils opens a warehouse");
        await DeleteAsync(owner, $"/api/events/{first}");
        await DeleteAsync(owner, $"/api/events/{second}");

        var page = await server.NewPageAsync();
        await BrowserFlows.SignInAsync(page, owner.Email);
        await page.GotoAsync("/trash?kind=event");
        var recall = Row(page, "Acme Anvils recalls a product");
        await recall.GetByRole(AriaRole.Link, new() { Name = "Delete for good" }).ClickAsync();
        await Expect(recall).ToContainTextAsync("Delete the event “Acme Anvils recalls a product” for good? It cannot be restored afterwards.");
        await BrowserServer<TDatabase>.AssertAccessibleAsync(page, "the trash asking to confirm a purge");
        await BrowserServer<TDatabase>.ScreenshotAsync(page, Shot("trash-confirm-1280"));
        await recall.GetByRole(AriaRole.Link, new() { Name = "Cancel" }).ClickAsync();
        await Expect(recall.GetByRole(AriaRole.Button, new() { Name = "Restore" })).ToBeVisibleAsync();
        await recall.GetByRole(AriaRole.Link, new() { Name = "Delete for good" }).ClickAsync();
        await recall.GetByRole(AriaRole.Button, new() { Name = "Delete for good" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Deleted the event “Acme Anvils recalls a product” for good.");
        await Expect(recall).ToHaveCountAsync(0);

        var plain = await server.NewPageAsync(javaScript: false);
        await BrowserFlows.SignInAsync(plain, owner.Email);
        await plain.GotoAsync("/trash");
        var warehouse = Row(plain, "Acme Anvils opens a warehouse");
        await warehouse.GetByRole(AriaRole.Link, new() { Name = "Delete for good" }).ClickAsync();
        await Expect(plain).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"confirm={second}"));
        await warehouse.GetByRole(AriaRole.Button, new() { Name = "Delete for good" }).ClickAsync();
        await Expect(plain.GetByRole(AriaRole.Status)).ToHaveTextAsync("Deleted the event “Acme Anvils opens a warehouse” for good.");
        await Expect(plain.GetByText("The trash is empty.")).ToBeVisibleAsync();

        var trash = await owner.Http.GetFromJsonAsync<JsonElement>("/api/trash");
        Assert.Equal(0, trash.GetProperty("items").GetArrayLength());
        Assert.Equal(HttpStatusCode.NotFound, (await owner.Http.PostAsync($"/api/events/{second}/restore", null)).StatusCode);
    }

    [Fact]
    public async Task A_viewer_is_offered_no_trash_and_refused_it()
    {
        var owner = await server.SignUpAsync();
        var viewer = await server.AddUserAsync(owner, UserRoles.Viewer, "Vera Viewer");
        var tag = await AddTagAsync(owner, "Churn risk");
        await DeleteAsync(owner, $"/api/tags/{tag}");

        var page = await server.NewPageAsync();
        await BrowserFlows.SignInAsync(page, viewer.Email);
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Trash", Exact = true })).ToHaveCountAsync(0);
        var response = await page.GotoAsync("/trash");
        Assert.Equal(403, response!.Status);
        // Posting straight to the handler is refused too, and restores nothing.
        var post = await page.APIRequest.PostAsync("/trash?handler=Restore", new()
        {
            Form = FormOf(page, ("kind", "tag"), ("id", tag.ToString())),
        });
        Assert.Equal(403, post.Status);
        var trash = await owner.Http.GetFromJsonAsync<JsonElement>("/api/trash");
        Assert.Equal(1, trash.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task The_trash_fits_a_narrow_screen()
    {
        var owner = await server.SignUpAsync();
        var client = await BrowserFlows.AddClientAsync(server, owner, "Vandelay Industries International Import Export", "vandelay.example");
        var ev = await BrowserFlows.AddEventAsync(server, owner, client,
            "Vandelay Industries International Import Export announces an unusually long headline about latex");
        await DeleteAsync(owner, $"/api/events/{ev}");

        var page = await server.NewPageAsync(width: 375);
        await BrowserFlows.SignInAsync(page, owner.Email);
        await page.GotoAsync("/trash");
        await Expect(Row(page, "Vandelay Industries International Import Export announces")).ToBeVisibleAsync();
        await BrowserServer<TDatabase>.AssertAccessibleAsync(page, "the trash at 375 px");
        await BrowserServer<TDatabase>.ScreenshotAsync(page, Shot("trash-375"));
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= 375"), "the trash scrolls sideways at 375 px");
    }

    private static ILocator Row(IPage page, string name, bool exact = false) =>
        page.GetByRole(AriaRole.Listitem).Filter(new()
        {
            Has = page.Locator(".trash-name").GetByText(name, new() { Exact = exact }),
        });

    private static IFormData FormOf(IPage page, params (string Name, string Value)[] fields)
    {
        var form = page.APIRequest.CreateFormData();
        foreach (var (name, value) in fields)
            form.Set(name, value);
        return form;
    }

    private static async Task<Guid> AddTagAsync(ApiUser owner, string name)
    {
        var response = await owner.Http.PostAsJsonAsync("/api/tags", new { name, color = "#5CB85C" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    private static async Task DeleteAsync(ApiUser owner, string path)
    {
        var response = await owner.Http.DeleteAsync(path);
        Assert.True(response.StatusCode == HttpStatusCode.NoContent, $"DELETE {path} answered {(int)response.StatusCode}");
    }
}

public sealed class TrashPageTests_Sqlite(SqliteBrowser server) : TrashPageTests<SqliteDatabase>(server), IClassFixture<SqliteBrowser>;
public sealed class TrashPageTests_Postgres(PostgresBrowser server) : TrashPageTests<PostgresDatabase>(server), IClassFixture<PostgresBrowser>;
