using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Tidings.Clients;
using Tidings.Data;
using Tidings.Notifications;
using Tidings.Tests.Infrastructure;
using Tidings.Tests.Users;
using Tidings.Users;

namespace Tidings.Tests.Pages;

/// <summary>
/// What the pages keep a while (the feed's filter lists, the navigation bar's unread count) changes as soon as the
/// process saves a change to it, through the API or any other context, and never crosses businesses.
/// </summary>
public abstract partial class PageCachesTests<TDatabase>(TidingsServer<TDatabase> server) where TDatabase : TestDatabase, new()
{
    [Fact]
    public async Task The_feed_filters_show_a_client_tag_or_category_as_soon_as_it_is_added_renamed_or_removed()
    {
        var owner = await server.SignUpAsync();
        var other = await server.SignUpAsync();
        Assert.Empty(Options(await FeedAsync(owner), "feed-client"));
        Assert.Contains("Funding", Options(await FeedAsync(owner), "feed-category"));

        var globex = await CreateAsync(owner, "/api/clients", """{"name":"Globex"}""");
        await CreateAsync(other, "/api/clients", """{"name":"Initech"}""");
        Assert.Equal(["Globex"], Options(await FeedAsync(owner), "feed-client"));

        // A save through another context of the process (as the monitor's or an import's) counts as much.
        await using (var db = server.Database.Context(owner.BusinessId, TestActors.User(owner.Id, owner.BusinessId)))
        {
            db.Clients.Add(new Client { Name = "Hooli" });
            await db.SaveChangesAsync();
        }
        Assert.Equal(["Globex", "Hooli"], Options(await FeedAsync(owner), "feed-client"));

        Assert.Equal(HttpStatusCode.OK, (await SendAsync(owner, HttpMethod.Patch, $"/api/clients/{globex}", """{"name":"Globex Corp"}""")).StatusCode);
        Assert.Equal(["Globex Corp", "Hooli"], Options(await FeedAsync(owner), "feed-client"));
        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(owner, HttpMethod.Delete, $"/api/clients/{globex}", null)).StatusCode);
        Assert.Equal(["Hooli"], Options(await FeedAsync(owner), "feed-client"));

        await CreateAsync(owner, "/api/tags", """{"name":"renewal"}""");
        Assert.Equal(["renewal"], Options(await FeedAsync(owner), "feed-tag"));

        var categories = await owner.Http.GetFromJsonAsync<JsonElement>("/api/categories");
        var funding = categories.EnumerateArray().Single(c => c.GetProperty("key").GetString() == "funding").GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(owner, HttpMethod.Patch, $"/api/categories/{funding}", """{"name":"Money raised"}""")).StatusCode);
        var offered = Options(await FeedAsync(owner), "feed-category");
        Assert.Contains("Money raised", offered);
        Assert.DoesNotContain("Funding", offered);

        // The other business's lists are its own, and kept apart.
        Assert.Equal(["Initech"], Options(await FeedAsync(other), "feed-client"));
        Assert.Contains("Funding", Options(await FeedAsync(other), "feed-category"));
        Assert.Empty(Options(await FeedAsync(other), "feed-tag"));
    }

    [Fact]
    public async Task The_navigation_count_follows_new_notifications_reading_one_and_reading_all()
    {
        var owner = await server.SignUpAsync();
        var member = await server.AddUserAsync(owner, UserRoles.Member);
        Assert.Equal(0, UnreadCount(await FeedAsync(member)));

        var first = await NotifyAsync(owner, member.Id);
        Assert.Equal(1, UnreadCount(await FeedAsync(member)));
        await NotifyAsync(owner, member.Id);
        await NotifyAsync(owner, owner.Id);
        Assert.Equal(2, UnreadCount(await FeedAsync(member)));
        Assert.Equal(1, UnreadCount(await FeedAsync(owner)));

        // A save in bulk (as a large batch of events with their notifications) writes past EF's SaveChanges: it tells the count itself.
        await using (var db = server.Database.Context(owner.BusinessId, TestActors.User(owner.Id, owner.BusinessId)))
        {
            db.Notifications.Add(new Notification { UserId = member.Id, Type = NotificationTypes.ClientAssigned, Title = "Bulk", Message = "Written in bulk." });
            await db.SaveInsertsInBulkAsync();
        }
        Assert.Equal(3, UnreadCount(await FeedAsync(member)));

        Assert.Equal(HttpStatusCode.OK, (await member.Http.PostAsync($"/api/notifications/{first}/read", null)).StatusCode);
        Assert.Equal(2, UnreadCount(await FeedAsync(member)));
        // Read-all writes past the change tracker, in batches: it says so itself.
        Assert.Equal(HttpStatusCode.OK, (await member.Http.PostAsync("/api/notifications/read-all", null)).StatusCode);
        Assert.Equal(0, UnreadCount(await FeedAsync(member)));
        Assert.Equal(1, UnreadCount(await FeedAsync(owner)));
    }

    /// <summary>The feed with a filter on, so it shows its filter form even without events (a first run shows none).</summary>
    private static async Task<string> FeedAsync(ApiUser user)
    {
        var response = await user.Http.GetAsync("/?unread=true");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>The names a filter list offers, without its "All ..." choice.</summary>
    private static List<string> Options(string html, string selectId)
    {
        var select = Regex.Match(html, $"""<select id="{selectId}"[^>]*>(?<options>.*?)</select>""", RegexOptions.Singleline);
        Assert.True(select.Success, $"no list {selectId}");
        return OptionPattern().Matches(select.Groups["options"].Value)
            .Where(m => m.Groups["value"].Value.Length > 0)
            .Select(m => WebUtility.HtmlDecode(m.Groups["name"].Value)).ToList();
    }

    private static int UnreadCount(string html) => int.Parse(CountPattern().Match(html).Groups["count"].Value);

    private static async Task<Guid> CreateAsync(ApiUser user, string path, string json)
    {
        var response = await user.Http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    private static async Task<HttpResponseMessage> SendAsync(ApiUser user, HttpMethod method, string path, string? json)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        return await user.Http.SendAsync(request);
    }

    private async Task<Guid> NotifyAsync(ApiUser owner, Guid userId)
    {
        await using var db = server.Database.Context(owner.BusinessId, TestActors.User(owner.Id, owner.BusinessId));
        var notification = new Notification { UserId = userId, Type = NotificationTypes.ClientAssigned, Title = "A client for you", Message = "Globex is yours." };
        db.Notifications.Add(notification);
        await db.SaveChangesAsync();
        return notification.Id;
    }

    [GeneratedRegex("""<option value="(?<value>[^"]*)"[^>]*>(?<name>[^<]*)</option>""")]
    private static partial Regex OptionPattern();

    [GeneratedRegex("""class="count">(?<count>\d+)<""")]
    private static partial Regex CountPattern();
}

public sealed class PageCachesTests_Sqlite(SqliteApi server) : PageCachesTests<SqliteDatabase>(server), IClassFixture<SqliteApi>;
public sealed class PageCachesTests_Postgres(PostgresApi server) : PageCachesTests<PostgresDatabase>(server), IClassFixture<PostgresApi>;

/// <summary>The rule every kept answer follows: served while its key's version stands and its lifetime lasts, never one read across a change.</summary>
public sealed class KeptAnswersTests
{
    [Fact]
    public async Task An_answer_is_kept_until_its_key_changes_or_it_lapses_and_one_read_across_a_change_is_not_kept()
    {
        var clock = new MovableClock();
        var versions = new Versions<string>();
        using var kept = new KeptAnswers<string, int>(versions, TimeSpan.FromSeconds(30), maxEntries: 10, clock);
        var reads = 0;
        Task<int> Read() => Task.FromResult(++reads);

        Assert.Equal(1, await kept.GetAsync("a", Read));
        Assert.Equal(1, await kept.GetAsync("a", Read));
        Assert.Equal(2, await kept.GetAsync("b", Read));

        versions.MoveOn(["a"]);
        Assert.Equal(3, await kept.GetAsync("a", Read));
        Assert.Equal(2, await kept.GetAsync("b", Read));

        clock.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(4, await kept.GetAsync("b", Read));

        // A change that commits while the answer is read: the answer is used once and not kept.
        Assert.Equal(5, await kept.GetAsync("c", () => { versions.MoveOn(["c"]); return Read(); }));
        Assert.Equal(6, await kept.GetAsync("c", Read));
        Assert.Equal(6, await kept.GetAsync("c", Read));
    }
}

