using System.Net;
using System.Net.Http.Json;
using Tidings.Events;
using Tidings.Tests.Infrastructure;

namespace Tidings.Tests.Events;

/// <summary>
/// The same story told by two outlets (another URL, another title) is one story: the later event is a copy of the
/// first, and the feed shows the first once, with the other outlet under "also reported by".
/// </summary>
public abstract class NearDuplicateStoriesTests<TDatabase>(TidingsServer<TDatabase> server) where TDatabase : TestDatabase, new()
{
    private static readonly DateTime Day = new(2026, 11, 20, 9, 0, 0, DateTimeKind.Utc);

    private static object Item(Guid clientId, string title, string source, string url, DateTime? date = null) => new
    {
        clientId, title, url, source, sourceType = "rss", category = "funding", relevanceScore = 0.5, eventDate = date ?? Day,
    };

    [Fact]
    public async Task A_later_post_of_the_same_story_by_another_outlet_is_a_copy_and_the_feed_names_that_outlet()
    {
        var owner = await server.SignUpAsync();
        var clientId = await server.Database.AddClientAsync(owner, "Vantor AI, Inc.");

        var first = await owner.PostEventAsync(Item(clientId, "Vantor AI raises $50M Series B led by Accel", "TechCrunch", "https://techcrunch.example/vantor"));
        var second = await owner.PostEventAsync(Item(clientId, "Vantor AI lands $50 million in Series B funding - Reuters", "Reuters", "https://reuters.example/vantor", Day.AddDays(1)));
        var third = await owner.PostEventAsync(Item(clientId, "Vantor AI secures $50 million Series B round led by Accel", "Sifted", "https://sifted.example/vantor", Day.AddHours(5)));

        Assert.Null(first.DuplicateOfEventId);
        Assert.Equal(first.Id, second.DuplicateOfEventId);
        Assert.Equal(first.Id, third.DuplicateOfEventId);
        var shown = Assert.Single((await owner.FeedAsync()).Items);
        Assert.Equal(first.Id, shown.Id);
        Assert.Equal([new ReportedBy("Reuters", "https://reuters.example/vantor"), new ReportedBy("Sifted", "https://sifted.example/vantor")], shown.AlsoReportedBy);
        Assert.Equal(shown.AlsoReportedBy, (await owner.GetEventAsync(first.Id)).AlsoReportedBy);
    }

    [Fact]
    public async Task In_one_batch_the_later_outlets_titles_join_the_first_and_different_stories_stay_apart()
    {
        var owner = await server.SignUpAsync();
        var acme = await server.Database.AddClientAsync(owner, "Acme Rocketry");
        var other = await server.Database.AddClientAsync(owner, "Beta Propulsion");

        var created = await PostBatchAsync(owner, [
            Item(acme, "Acme Rocketry acquires Beta Propulsion for $120M", "Reuters", "https://reuters.example/acme-beta"),
            Item(acme, "Acme Rocketry raises $80M Series C", "TechCrunch", "https://techcrunch.example/acme-c"),
            Item(acme, "Acme Rocketry to buy Beta Propulsion in $120 million deal", "Bloomberg", "https://bloomberg.example/acme-beta"),
            Item(other, "Acme Rocketry to buy Beta Propulsion in $120 million deal", "Bloomberg", "https://bloomberg.example/acme-beta"),
            Item(acme, "Acme Rocketry raises $50M Series B", "Sifted", "https://sifted.example/acme-b"),
            // The same title a week later is another story: news repeats, an outlet's account of one event does not wait.
            Item(acme, "Acme Rocketry acquires Beta Propulsion for $120M", "Blog", "https://blog.example/acme-beta", Day.AddDays(7)),
        ]);

        Assert.Equal([null, null, created[0].Id, null, null, null], created.Select(e => e.DuplicateOfEventId));
        var feed = (await owner.FeedAsync("?limit=50")).Items;
        Assert.Equal(5, feed.Count);
        Assert.Equal([new ReportedBy("Bloomberg", "https://bloomberg.example/acme-beta")], feed.Single(e => e.Id == created[0].Id).AlsoReportedBy);
        Assert.All(feed.Where(e => e.Id != created[0].Id), e => Assert.Empty(e.AlsoReportedBy));
    }

    [Fact]
    public async Task Another_clients_near_identical_title_is_its_own_story()
    {
        var owner = await server.SignUpAsync();
        var acme = await server.Database.AddClientAsync(owner, "Acme");
        var globex = await server.Database.AddClientAsync(owner, "Globex");

        var forAcme = await owner.PostEventAsync(Item(acme, "Acme and Globex to merge in $4 billion deal", "Reuters", "https://reuters.example/merge"));
        var forGlobex = await owner.PostEventAsync(Item(globex, "Globex and Acme agree $4bn merger", "FT", "https://ft.example/merge"));

        Assert.Null(forAcme.DuplicateOfEventId);
        Assert.Null(forGlobex.DuplicateOfEventId);
        Assert.Equal(2, (await owner.FeedAsync()).Items.Count);
    }

    [Fact]
    public async Task Another_outlets_account_of_a_deleted_story_stays_out_of_the_feed()
    {
        var owner = await server.SignUpAsync();
        var clientId = await server.Database.AddClientAsync(owner, "Kingsmere Bank plc");
        var deleted = await owner.PostEventAsync(Item(clientId, "Kingsmere Bank to axe 1,500 branch roles", "BBC", "https://bbc.example/kingsmere"));
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Http.DeleteAsync($"/api/events/{deleted.Id}")).StatusCode);

        var again = await owner.PostEventAsync(Item(clientId, "Kingsmere Bank to cut 1,500 branch jobs - Reuters", "Reuters", "https://reuters.example/kingsmere", Day.AddDays(2)));

        Assert.Equal(deleted.Id, again.DuplicateOfEventId);
        Assert.Empty((await owner.FeedAsync()).Items);
    }

    [Fact]
    public async Task A_copy_that_is_deleted_is_no_longer_named_and_the_originals_own_source_never_is()
    {
        var owner = await server.SignUpAsync();
        var clientId = await server.Database.AddClientAsync(owner, "Halberd Security");
        var first = await owner.PostEventAsync(Item(clientId, "Halberd Security wins DHS cybersecurity contract worth $90M", "Reuters", "https://reuters.example/halberd"));
        var sameOutlet = await owner.PostEventAsync(Item(clientId, "Halberd Security wins $90 million DHS cybersecurity contract", "reuters", "https://reuters.example/halberd-2"));
        var gone = await owner.PostEventAsync(Item(clientId, "Halberd Security wins $90M DHS cyber contract", "CNBC", "https://cnbc.example/halberd"));
        Assert.Equal([first.Id, first.Id], new[] { sameOutlet.DuplicateOfEventId, gone.DuplicateOfEventId });

        Assert.Equal(HttpStatusCode.NoContent, (await owner.Http.DeleteAsync($"/api/events/{gone.Id}")).StatusCode);

        Assert.Empty(Assert.Single((await owner.FeedAsync()).Items).AlsoReportedBy);
    }

    [Fact]
    public async Task Concurrent_posts_of_one_story_by_several_outlets_leave_exactly_one_original()
    {
        var owner = await server.SignUpAsync();
        var clientId = await server.Database.AddClientAsync(owner, "Fizzwell Beverages Ltd");
        string[] titles = ["Fizzwell Beverages cuts {0} jobs at bottling plants", "Fizzwell Beverages to cut {0} jobs at bottling plants - Reuters",
            "Fizzwell Beverages to axe {0} bottling plant jobs", "FIZZWELL BEVERAGES CUTS {0} JOBS AT BOTTLING PLANTS"];

        for (var attempt = 0; attempt < 6; attempt++)
        {
            var posted = await Task.WhenAll(titles.Select((title, i) => owner.PostEventAsync(
                Item(clientId, string.Format(title, 100 + attempt), $"Outlet {i}", $"https://outlet{i}.example/fizzwell/{attempt}", Day.AddHours(i)))));

            var original = Assert.Single(posted, e => e.DuplicateOfEventId is null);
            Assert.All(posted.Where(e => e.Id != original.Id), e => Assert.Equal(original.Id, e.DuplicateOfEventId));
        }
        Assert.Equal(6, (await owner.FeedAsync()).Items.Count);
    }

    private static async Task<List<EventDto>> PostBatchAsync(ApiUser user, IEnumerable<object> events)
    {
        var response = await user.Http.PostAsJsonAsync("/api/events/batch", new { events });
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<CreatedEvents>())!.Events.ToList();
    }
}

public sealed class NearDuplicateStoriesTests_Sqlite(SqliteApi server) : NearDuplicateStoriesTests<SqliteDatabase>(server), IClassFixture<SqliteApi>;
public sealed class NearDuplicateStoriesTests_Postgres(PostgresApi server) : NearDuplicateStoriesTests<PostgresDatabase>(server), IClassFixture<PostgresApi>;
