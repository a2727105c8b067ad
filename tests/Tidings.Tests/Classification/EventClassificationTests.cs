using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tidings.Classification;
using Tidings.Data.Auditing;
using Tidings.Data.SoftDelete;
using Tidings.Events;
using Tidings.Tests.Clients;
using Tidings.Tests.Events;
using Tidings.Tests.Infrastructure;
using Tidings.Users;
using Tidings.Web;

namespace Tidings.Tests.Classification;

/// <summary>
/// Events classified as they are created, and the feed's review queue. The assertions hold for any classifier worth
/// shipping: plain headlines land in their obvious category; exact confidences and evidence texts are the classifier's business.
/// </summary>
public abstract class EventClassificationTests<TDatabase>(TidingsServer<TDatabase> server) where TDatabase : TestDatabase, new()
{
    private const string Funding = "Acme raises $40 million in Series B funding led by Sequoia";
    private const string Layoffs = "Acme to cut 1,200 jobs in restructuring";

    private string Version => server.Services.GetRequiredService<HeadlineClassifier>().Version;

    [Fact]
    public async Task An_event_sent_without_a_category_gets_a_live_one_with_confidence_evidence_and_the_classifier_version()
    {
        var owner = await server.SignUpAsync();
        var member = await server.AddUserAsync(owner, UserRoles.Member);
        var client = await server.Database.AddClientAsync(owner, "Acme");
        var live = await LiveCategoryKeysAsync(owner);

        var funding = await member.PostEventAsync(Unlabelled(client, Funding));
        var layoffs = await member.PostEventAsync(Unlabelled(client, Layoffs));

        Assert.Equal(("funding", "layoffs"), (funding.Category, layoffs.Category));
        foreach (var ev in new[] { funding, layoffs })
        {
            Assert.Contains(ev.Category, live);
            Assert.Equal(Version, ev.ClassifiedBy);
            Assert.InRange(ev.ConfidenceScore!.Value, 0, 1);
            Assert.InRange(ev.RelevanceScore, 0, 1);
            Assert.InRange(ev.SentimentScore!.Value, -1, 1);
            Assert.False(string.IsNullOrWhiteSpace(ev.ClassificationEvidence));
            Assert.InRange(ev.ClassificationEvidence!.Length, 1, ClassifiedBy.MaxEvidenceLength);
            // What was answered is what was stored.
            var read = await owner.GetEventAsync(ev.Id);
            Assert.Equal((ev.Category, ev.Subcategory, ev.ConfidenceScore, ev.ClassifiedBy, ev.ClassificationEvidence, ev.NeedsReview),
                (read.Category, read.Subcategory, read.ConfidenceScore, read.ClassifiedBy, read.ClassificationEvidence, read.NeedsReview));
        }

        // Scores the sender gives are kept; the classifier fills only what was left out.
        var scored = await member.PostEventAsync(new { clientId = client, title = Funding + " again", relevanceScore = 0.33, sentimentScore = -0.25, eventDate = DateTime.UtcNow });
        Assert.Equal(("funding", 0.33, -0.25, Version), (scored.Category, scored.RelevanceScore, scored.SentimentScore!.Value, scored.ClassifiedBy));

        // A category the sender gives is theirs: not the classifier's, whatever the headline says.
        var given = await member.PostEventAsync(new { clientId = client, title = Funding + " (filed under legal)", category = "legal", eventDate = DateTime.UtcNow });
        Assert.Equal(("legal", (string?)null, (string?)null, (double?)null, false), (given.Category, given.ClassifiedBy, given.ClassificationEvidence, given.ConfidenceScore, given.NeedsReview));
        Assert.Equal(Event.DefaultRelevanceScore, given.RelevanceScore);

        await using var db = server.Database.Context(owner.BusinessId);
        var created = await db.AuditLogs.SingleAsync(a => a.TableName == "events" && a.RecordId == funding.Id.ToString());
        Assert.Equal((AuditActions.Create, member.Id), (created.Action, created.UserId));
        Assert.Equal(Version, JsonDocument.Parse(created.NewValues!).RootElement.GetProperty("classified_by").GetString());
    }

    // 4 events take SaveChanges' INSERTs, 24 the bulk write: both store what the classifier said.
    [Theory]
    [InlineData(1)]
    [InlineData(6)]
    public async Task A_batch_keeps_the_categories_it_was_sent_and_classifies_the_rest_in_order(int repeat)
    {
        var owner = await server.SignUpAsync();
        var client = await server.Database.AddClientAsync(owner, "Acme");
        var bodies = Enumerable.Range(0, repeat).SelectMany(i => new object[]
        {
            new { clientId = client, title = $"{Funding} #{i}", category = "legal", confidenceScore = 0.42, eventDate = DateTime.UtcNow },
            Unlabelled(client, $"{Funding} #{i}, retold"),
            new { clientId = client, title = $"{Layoffs} #{i}", category = "earnings", eventDate = DateTime.UtcNow },
            Unlabelled(client, $"{Layoffs} #{i}, retold"),
        }).ToList();

        var response = await owner.Http.PostAsJsonAsync("/api/events/batch", new { events = bodies });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var created = (await response.Content.ReadFromJsonAsync<CreatedEvents>())!.Events;

        Assert.Equal(Enumerable.Repeat(new[] { "legal", "funding", "earnings", "layoffs" }, repeat).SelectMany(c => c), created.Select(e => e.Category));
        Assert.Equal(Enumerable.Repeat(new[] { null, Version, null, Version }, repeat).SelectMany(c => c), created.Select(e => e.ClassifiedBy));
        Assert.All(created.Where((_, i) => i % 2 == 0), e => Assert.Null(e.ClassificationEvidence));
        Assert.All(created.Where((_, i) => i % 2 == 1), e => Assert.False(string.IsNullOrEmpty(e.ClassificationEvidence)));
        Assert.Equal(0.42, created[0].ConfidenceScore);

        await using var db = server.Database.Context(owner.BusinessId);
        var stored = await db.Events.AsNoTracking().ToDictionaryAsync(e => e.Id);
        Assert.All(created, e => Assert.Equal((e.Category, e.ClassifiedBy, e.ConfidenceScore, e.ClassificationEvidence),
            (stored[e.Id].Category, stored[e.Id].ClassifiedBy, stored[e.Id].ConfidenceScore, stored[e.Id].ClassificationEvidence)));
    }

    [Fact]
    public async Task A_category_that_is_not_a_live_category_of_the_business_answers_422_naming_it_and_nothing_is_stored()
    {
        var owner = await server.SignUpAsync();
        var stranger = await server.SignUpAsync();
        var client = await server.Database.AddClientAsync(owner, "Acme");
        await stranger.Http.CallAsync("POST", "/api/categories", new { key = "zz_only_b", name = "B's own" }).ExpectAsync(HttpStatusCode.Created);
        var award = (await owner.Http.GetAsync("/api/categories").ExpectAsync()).EnumerateArray().Single(c => c.GetProperty("key").GetString() == "award").Id();
        await owner.Http.CallAsync("DELETE", $"/api/categories/{award}").ExpectAsync(HttpStatusCode.NoContent);
        await owner.FeedAsync();
        var before = await server.Database.CountsAsync(owner.BusinessId);

        foreach (var category in new[] { "hiring", "award", "zz_only_b", "Funding", "target" })
        {
            var single = await owner.Http.PostAsJsonAsync("/api/events", new { clientId = client, title = "Something", category, eventDate = DateTime.UtcNow });
            await EventsTestData.AssertProblemAsync(single, 422, "category", category);
        }
        var batch = await owner.Http.PostAsJsonAsync("/api/events/batch", new
        {
            events = new object[]
            {
                Unlabelled(client, Funding),
                new { clientId = client, title = "One", category = "hiring", eventDate = DateTime.UtcNow },
                new { clientId = client, title = "Two", category = "funding", eventDate = DateTime.UtcNow },
                new { clientId = client, title = "Three", category = "acquisition", subcategory = "series_b", eventDate = DateTime.UtcNow },
            },
        });
        await EventsTestData.AssertProblemAsync(batch, 422, "events[1].category", "batch");
        var errors = (await batch.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Equal(["events[1].category", "events[3].subcategory"], errors.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(before, await server.Database.CountsAsync(owner.BusinessId));

        // A category the business adds is usable at once; a retired one is again once restored.
        await owner.Http.CallAsync("POST", "/api/categories", new { key = "zz_mine", name = "Mine" }).ExpectAsync(HttpStatusCode.Created);
        Assert.Equal("zz_mine", (await owner.PostEventAsync(new { clientId = client, title = "Mine", category = "zz_mine", eventDate = DateTime.UtcNow })).Category);
        await owner.Http.CallAsync("POST", $"/api/categories/{award}/restore").ExpectAsync();
        Assert.Equal("award", (await owner.PostEventAsync(new { clientId = client, title = "Prize", category = "award", eventDate = DateTime.UtcNow })).Category);
        var bought = await owner.PostEventAsync(new { clientId = client, title = "Bought", category = "acquisition", subcategory = "target", eventDate = DateTime.UtcNow });
        Assert.Equal(("acquisition", "target"), (bought.Category, bought.Subcategory));
    }

    [Fact]
    public async Task An_imported_category_outside_the_taxonomy_stays_until_someone_changes_it()
    {
        var owner = await server.SignUpAsync();
        var client = await server.Database.AddClientAsync(owner, "Acme");
        Guid id;
        await using (var db = server.Database.Context(owner.BusinessId, TestActors.System("legacy import")))
        {
            var ev = new Event { ClientId = client, Title = "Old news", Category = "Funding Round", EventDate = DateTime.UtcNow };
            db.Events.Add(ev);
            await db.SaveChangesAsync();
            id = ev.Id;
        }

        var edited = await owner.SendAsync("PATCH", $"/api/events/{id}", """{"title":"Old news, retitled","subcategory":"seed"}""").ExpectAsync();
        Assert.Equal(("Funding Round", "seed"), (edited.GetProperty("category").GetString(), edited.GetProperty("subcategory").GetString()));
        await EventsTestData.AssertProblemAsync(await owner.SendAsync("PATCH", $"/api/events/{id}", """{"category":"Funding Round"}"""), 422, "category", "the odd category sent back");
        Assert.Null((await owner.GetEventAsync(id)).ClassifiedBy);
        var fixedUp = await owner.SendAsync("PATCH", $"/api/events/{id}", """{"category":"funding"}""").ExpectAsync();
        Assert.Equal("funding", fixedUp.GetProperty("category").GetString());
    }

    [Fact]
    public async Task The_feed_shows_which_classifications_need_review_by_the_business_threshold_and_filters_them()
    {
        var owner = await server.SignUpAsync();
        var viewer = await server.AddUserAsync(owner, UserRoles.Viewer);
        var client = await server.Database.AddClientAsync(owner, "Acme");
        var classified = new[] { await owner.PostEventAsync(Unlabelled(client, Funding)), await owner.PostEventAsync(Unlabelled(client, Layoffs)) };
        var given = await owner.PostEventAsync(new { clientId = client, title = "Quarterly results", category = "earnings", confidenceScore = 0.1, eventDate = DateTime.UtcNow });

        await SetThresholdAsync(owner, 1.0);
        var unsure = classified.Where(e => e.ConfidenceScore < 1.0).Select(e => e.Id).ToHashSet();
        Assert.NotEmpty(unsure);
        var queue = (await viewer.FeedAsync("?needsReview=true")).Items;
        Assert.True(unsure.SetEquals(queue.Select(e => e.Id)));
        Assert.All(queue, e => Assert.True(e.NeedsReview));
        var all = (await viewer.FeedAsync()).Items.ToDictionary(e => e.Id);
        Assert.Equal(3, (await viewer.FeedAsync("?needsReview=false")).Items.Count);
        Assert.False(all[given.Id].NeedsReview);
        Assert.All(unsure, id => Assert.True(all[id].NeedsReview));
        Assert.True((await viewer.GetEventAsync(classified[0].Id)).NeedsReview == unsure.Contains(classified[0].Id));

        // Marking the queue read marks exactly the queue.
        var marked = await viewer.Http.PostAsJsonAsync("/api/events/mark-read", new { filter = new { needsReview = true } });
        Assert.Equal(HttpStatusCode.OK, marked.StatusCode);
        var read = (await viewer.FeedAsync()).Items.Where(e => e.IsRead).Select(e => e.Id).ToHashSet();
        Assert.True(read.SetEquals(unsure));

        await SetThresholdAsync(owner, 0);
        Assert.Empty((await viewer.FeedAsync("?needsReview=true")).Items);
        Assert.All((await viewer.FeedAsync()).Items, e => Assert.False(e.NeedsReview));
    }

    private static object Unlabelled(Guid clientId, string title) => new { clientId, title, eventDate = DateTime.UtcNow };

    private static async Task SetThresholdAsync(ApiUser admin, double threshold) =>
        await admin.Http.CallAsync("PATCH", "/api/business", new { reviewConfidenceThreshold = threshold }).ExpectAsync();

    private static async Task<HashSet<string>> LiveCategoryKeysAsync(ApiUser user) =>
        (await user.Http.GetAsync("/api/categories").ExpectAsync()).EnumerateArray().Select(c => c.GetProperty("key").GetString()!).ToHashSet();

}

public sealed class EventClassificationTests_Sqlite(SqliteApi server) : EventClassificationTests<SqliteDatabase>(server), IClassFixture<SqliteApi>;
public sealed class EventClassificationTests_Postgres(PostgresApi server) : EventClassificationTests<PostgresDatabase>(server), IClassFixture<PostgresApi>;
public sealed class EventClassificationTests_Citus(CitusApi server) : EventClassificationTests<CitusDatabase>(server), IClassFixture<CitusApi>;
