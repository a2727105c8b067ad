using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Tidings.Events;
using Tidings.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Tidings.Tests.Pages;

/// <summary>The steps every page test starts from: signing in as a person does, and data written through the data layer under the business's tenant.</summary>
public static class BrowserFlows
{
    /// <summary>Signs in through the sign-in page and waits for the feed.</summary>
    public static async Task SignInAsync(IPage page, string email)
    {
        await page.GotoAsync("/signin");
        await page.GetByLabel("Email", new() { Exact = true }).FillAsync(email);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(ApiUser.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Feed", Level = 1 })).ToBeVisibleAsync();
    }

    public static async Task<Guid> AddClientAsync<TDatabase>(TidingsServer<TDatabase> server, ApiUser owner, string name, string? domain = null)
        where TDatabase : TestDatabase, new()
    {
        await using var db = server.Database.Context(owner.BusinessId, TestActors.User(owner.Id, owner.BusinessId));
        var client = new Tidings.Clients.Client { Name = name, Domain = domain };
        db.Clients.Add(client);
        await db.SaveChangesAsync();
        return client.Id;
    }

    public static async Task<Guid> AddEventAsync<TDatabase>(TidingsServer<TDatabase> server, ApiUser owner, Guid clientId, string title,
        string category = "funding", double relevance = 0.8, DateTime? eventDate = null, Action<Event>? shape = null)
        where TDatabase : TestDatabase, new()
    {
        await using var db = server.Database.Context(owner.BusinessId, TestActors.User(owner.Id, owner.BusinessId));
        var e = new Event
        {
            ClientId = clientId, Title = title, Category = category, Source = "Example Wire", Url = "https://news.example/story",
            RelevanceScore = relevance, EventDate = eventDate ?? DateTime.UtcNow.AddHours(-1), DiscoveredAt = DateTime.UtcNow,
        };
        shape?.Invoke(e);
        db.Events.Add(e);
        await db.SaveChangesAsync();
        return e.Id;
    }

    public static async Task<Guid> ClientIdAsync<TDatabase>(TidingsServer<TDatabase> server, ApiUser owner, string clientName)
        where TDatabase : TestDatabase, new()
    {
        await using var db = server.Database.Context(owner.BusinessId, TestActors.User(owner.Id, owner.BusinessId));
        return await db.Clients.Where(c => c.Name == clientName).Select(c => c.Id).SingleAsync();
    }
}
