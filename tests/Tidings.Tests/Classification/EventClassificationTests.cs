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
/// Events classified as they are created, the feed's review queue, people's corrections teaching their own business,
/// and re-classifying. The assertions hold for any classifier worth shipping: plain headlines land in their obvious
/// category, five clearly alike corrections pull a sixth alike headline into a new category; exact confidences and
/// evidence texts are the classifier's business.
/// </summary>
public abstract class EventClassificationTests<TDatabase>(TidingsServer<TDatabase> server) where TDatabase : TestDatabase, new()
{
    private const string Funding = "Acme raises $40 million in Series B funding led by Sequoia";
    private const string Layoffs = "Acme to cut 1,200 jobs in restructuring";

    private static readonly string[] Recalls =
    [
        "Acme recalls 40,000 e-bikes over battery fire risk",
        "Acme recalls 12,000 electric scooters over battery fire risk",
        "Acme recalls 25,000 e-bike batteries after fires",
        "Acme issues recall of 8,000 e-bikes over battery overheating",
        "Acme recalls 30,000 e-scooters over battery fire hazard",
    ];

    private const string RecallProbe = "Acme recalls 15,000 e-bikes over battery fire risk";

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
        await EventsTestData.AssertProblemAsync(await owner.Http.PostAsync($"/api/events/{id}/review", null), 422, "category", "confirming the odd category");
        Assert.Null((await owner.GetEventAsync(id)).ClassifiedBy);
        Assert.Equal(0, await ExampleCountAsync(owner));

        var fixedUp = await owner.SendAsync("PATCH", $"/api/events/{id}", """{"category":"funding"}""").ExpectAsync();
        Assert.Equal(("funding", ClassifiedBy.Person), (fixedUp.GetProperty("category").GetString(), fixedUp.GetProperty("classifiedBy").GetString()));
        Assert.Equal(1, await ExampleCountAsync(owner));
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

        // Reviewed, an event leaves the queue whatever the classifier's confidence was.
        var reviewed = unsure.First();
        await owner.Http.CallAsync("POST", $"/api/events/{reviewed}/review").ExpectAsync();
        Assert.DoesNotContain(reviewed, (await viewer.FeedAsync("?needsReview=true")).Items.Select(e => e.Id));
        Assert.False((await viewer.GetEventAsync(reviewed)).NeedsReview);

        // Marking the queue read marks exactly the queue.
        var marked = await viewer.Http.PostAsJsonAsync("/api/events/mark-read", new { filter = new { needsReview = true } });
        Assert.Equal(HttpStatusCode.OK, marked.StatusCode);
        var read = (await viewer.FeedAsync()).Items.Where(e => e.IsRead).Select(e => e.Id).ToHashSet();
        Assert.True(read.SetEquals(unsure.Where(id => id != reviewed)));

        await SetThresholdAsync(owner, 0);
        Assert.Empty((await viewer.FeedAsync("?needsReview=true")).Items);
        Assert.All((await viewer.FeedAsync()).Items, e => Assert.False(e.NeedsReview));
    }

    [Fact]
    public async Task Changing_an_events_category_makes_it_a_persons_label_and_the_business_example_audited()
    {
        var owner = await server.SignUpAsync();
        var member = await server.AddUserAsync(owner, UserRoles.Member);
        var client = await server.Database.AddClientAsync(owner, "Acme");
        var ev = await member.PostEventAsync(Unlabelled(client, Layoffs));
        var confidence = ev.ConfidenceScore;

        var patched = await member.SendAsync("PATCH", $"/api/events/{ev.Id}", """{"category":"acquisition","subcategory":"target"}""").ExpectAsync();
        Assert.Equal(("acquisition", "target", ClassifiedBy.Person, false),
            (patched.GetProperty("category").GetString(), patched.GetProperty("subcategory").GetString(), patched.GetProperty("classifiedBy").GetString(), patched.GetProperty("needsReview").GetBoolean()));
        Assert.Equal(confidence, patched.GetProperty("confidenceScore").GetDouble());

        ClassificationExample example;
        await using (var db = server.Database.Context(owner.BusinessId))
        {
            example = await db.ClassificationExamples.AsNoTracking().SingleAsync();
            Assert.Equal((ev.Id, "acquisition", "target", Layoffs, "Acme", member.Id),
                (example.EventId, example.Category, example.Subcategory, example.Title, example.ClientName, example.CreatedByUserId));
            var log = await db.AuditLogs.SingleAsync(a => a.TableName == "classification_examples");
            Assert.Equal((AuditActions.Create, example.Id.ToString(), member.Id), (log.Action, log.RecordId, log.UserId));
        }

        // The same category sent again is a label too; another relabels the one example.
        await member.SendAsync("PATCH", $"/api/events/{ev.Id}", """{"category":"layoffs","subcategory":null}""").ExpectAsync();
        // An edit that does not touch the label leaves the example as it was taught.
        await member.SendAsync("PATCH", $"/api/events/{ev.Id}", """{"title":"Acme cuts jobs"}""").ExpectAsync();
        await using (var db = server.Database.Context(owner.BusinessId))
        {
            var relabelled = await db.ClassificationExamples.AsNoTracking().SingleAsync();
            Assert.Equal((example.Id, "layoffs", (string?)null, Layoffs), (relabelled.Id, relabelled.Category, relabelled.Subcategory, relabelled.Title));
            Assert.Equal([AuditActions.Create, AuditActions.Update], await db.AuditLogs.Where(a => a.TableName == "classification_examples")
                .OrderBy(a => a.CreatedAt).Select(a => a.Action).ToListAsync());
        }

        // A category the sender gave becomes a person's label once a member sets it.
        var sent = await member.PostEventAsync(new { clientId = client, title = "Acme wins a tender", category = "other", eventDate = DateTime.UtcNow });
        await member.SendAsync("PATCH", $"/api/events/{sent.Id}", """{"category":"contract_win"}""").ExpectAsync();
        Assert.Equal(ClassifiedBy.Person, (await member.GetEventAsync(sent.Id)).ClassifiedBy);
        Assert.Equal(2, await ExampleCountAsync(owner));
    }

    [Fact]
    public async Task A_member_reviews_an_event_to_confirm_or_set_its_category()
    {
        var owner = await server.SignUpAsync();
        var member = await server.AddUserAsync(owner, UserRoles.Member);
        var viewer = await server.AddUserAsync(owner, UserRoles.Viewer);
        var client = await server.Database.AddClientAsync(owner, "Acme");
        var ev = await member.PostEventAsync(Unlabelled(client, Funding));
        var etag = (await member.Http.GetAsync($"/api/events/{ev.Id}")).ETag();
        await viewer.FeedAsync(); // a token's first use is itself a write
        var before = await server.Database.CountsAsync(owner.BusinessId);

        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.Http.PostAsync($"/api/events/{ev.Id}/review", null)).StatusCode);
        var refusals = new (string Body, int Status, string? Field)[]
        {
            ("""{"category":"nope"}""", 422, "category"),
            ("""{"category":"acquisition","subcategory":"series_b"}""", 422, "subcategory"),
            ("""{"subcategory":"target"}""", 422, "subcategory"),
            ("""{"category":""}""", 400, "category"),
            ($$"""{"category":"{{new string('c', 51)}}"}""", 400, "category"),
            ($$"""{"subcategory":"{{new string('s', 51)}}"}""", 400, "subcategory"),
            ("""{"category":"funding","confidence":1}""", 400, null),
            ("""{"category":5}""", 400, null),
            ("""[1]""", 400, null),
        };
        foreach (var (body, status, field) in refusals)
            await EventsTestData.AssertProblemAsync(await member.SendAsync("POST", $"/api/events/{ev.Id}/review", body), status, field, body);
        await EventsTestData.AssertProblemAsync(await member.SendAsync("POST", $"/api/events/{Guid.NewGuid()}/review"), 404, null, "unknown id");
        Assert.Equal(HttpStatusCode.BadRequest, (await member.SendAsync("POST", "/api/events/not-a-uuid/review")).StatusCode);
        Assert.Equal(before, await server.Database.CountsAsync(owner.BusinessId));

        // No body confirms the label it has.
        var confirmed = await member.SendAsync("POST", $"/api/events/{ev.Id}/review", ifMatch: etag).ExpectAsync();
        Assert.Equal(("funding", ClassifiedBy.Person), (confirmed.GetProperty("category").GetString(), confirmed.GetProperty("classifiedBy").GetString()));
        await EventsTestData.AssertProblemAsync(await member.SendAsync("POST", $"/api/events/{ev.Id}/review", "{}", etag), 412, null, "stale If-Match");

        // A category comes with its subcategory; a subcategory alone goes under the event's category.
        foreach (var (body, category, subcategory) in new[]
                 {
                     ("""{"category":"acquisition","subcategory":"acquirer"}""", "acquisition", "acquirer"),
                     ("""{"subcategory":"target"}""", "acquisition", "target"),
                     ("""{"category":"funding"}""", "funding", null),
                 })
        {
            await member.SendAsync("POST", $"/api/events/{ev.Id}/review", body).ExpectAsync();
            var now = await member.GetEventAsync(ev.Id);
            Assert.Equal((category, subcategory, ClassifiedBy.Person), (now.Category, now.Subcategory, now.ClassifiedBy));
        }

        await using var db = server.Database.Context(owner.BusinessId);
        var example = await db.ClassificationExamples.AsNoTracking().SingleAsync();
        Assert.Equal(("funding", (string?)null, ev.Id), (example.Category, example.Subcategory, example.EventId));
        Assert.Equal(4, await db.AuditLogs.CountAsync(a => a.TableName == "classification_examples" && a.UserId == member.Id));
    }

    [Fact]
    public async Task Corrections_teach_the_business_that_made_them_and_no_other()
    {
        var a = await server.SignUpAsync();
        var b = await server.SignUpAsync();
        var aClient = await server.Database.AddClientAsync(a, "Acme");
        var bClient = await server.Database.AddClientAsync(b, "Acme");
        await a.Http.CallAsync("POST", "/api/categories", new { key = "product_recall", name = "Product recall", signal = "risk", weight = 0.8 }).ExpectAsync(HttpStatusCode.Created);

        // Before any correction, nothing lands in the new category.
        var first = await a.PostEventAsync(Unlabelled(aClient, RecallProbe + ", first report"));
        Assert.NotEqual("product_recall", first.Category);

        foreach (var title in Recalls)
        {
            var ev = await a.PostEventAsync(Unlabelled(aClient, title));
            await a.SendAsync("POST", $"/api/events/{ev.Id}/review", """{"category":"product_recall"}""").ExpectAsync();
        }

        var probe = await a.PostEventAsync(Unlabelled(aClient, RecallProbe));
        Assert.Equal(("product_recall", Version), (probe.Category, probe.ClassifiedBy));
        Assert.Equal("funding", (await a.PostEventAsync(Unlabelled(aClient, Funding))).Category);

        var theirs = await b.PostEventAsync(Unlabelled(bClient, RecallProbe));
        Assert.NotEqual("product_recall", theirs.Category);
        Assert.Equal("funding", (await b.PostEventAsync(Unlabelled(bClient, Funding))).Category);
        await EventsTestData.AssertProblemAsync(await b.Http.PostAsJsonAsync("/api/events", new { clientId = bClient, title = RecallProbe, category = "product_recall", eventDate = DateTime.UtcNow }),
            422, "category", "B has no such category");
        Assert.Equal(0, await ExampleCountAsync(b));
    }

    [Fact]
    public async Task Reclassifying_relabels_only_what_the_classifier_chose_and_answers_the_counts()
    {
        var owner = await server.SignUpAsync();
        var member = await server.AddUserAsync(owner, UserRoles.Member);
        var stranger = await server.SignUpAsync();
        var client = await server.Database.AddClientAsync(owner, "Acme");
        var strangerClient = await server.Database.AddClientAsync(stranger, "Acme");

        // Labelled before the business had the category: the classifier's, a sender's, a person's and a trashed one.
        var machine = await owner.PostEventAsync(Unlabelled(client, RecallProbe));
        var funding = await owner.PostEventAsync(Unlabelled(client, Funding));
        var sent = await owner.PostEventAsync(new { clientId = client, title = RecallProbe + " (sent as other)", category = "other", eventDate = DateTime.UtcNow });
        var person = await owner.PostEventAsync(Unlabelled(client, Layoffs));
        await owner.Http.CallAsync("POST", $"/api/events/{person.Id}/review").ExpectAsync();
        var trashed = await owner.PostEventAsync(Unlabelled(client, RecallProbe + " (trashed)"));
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Http.DeleteAsync($"/api/events/{trashed.Id}")).StatusCode);
        var theirs = await stranger.PostEventAsync(Unlabelled(strangerClient, RecallProbe));

        await owner.Http.CallAsync("POST", "/api/categories", new { key = "product_recall", name = "Product recall" }).ExpectAsync(HttpStatusCode.Created);
        foreach (var title in Recalls)
        {
            var ev = await owner.PostEventAsync(new { clientId = client, title, category = "product_recall", eventDate = DateTime.UtcNow });
            await owner.Http.CallAsync("POST", $"/api/events/{ev.Id}/review").ExpectAsync();
        }
        var untouched = new Dictionary<Guid, EventDto>();
        foreach (var id in new[] { sent.Id, person.Id })
            untouched[id] = await owner.GetEventAsync(id);
        var (trashedBefore, theirsBefore) = (await StoredAsync(owner, trashed.Id), await StoredAsync(stranger, theirs.Id));

        Assert.Equal(HttpStatusCode.Forbidden, (await member.Http.PostAsync("/api/categories/reclassify", null)).StatusCode);
        var answer = await owner.Http.CallAsync("POST", "/api/categories/reclassify").ExpectAsync();
        Assert.Equal((2, 1, Version), (answer.GetProperty("examined").GetInt32(), answer.GetProperty("changed").GetInt32(), answer.GetProperty("classifierVersion").GetString()));

        var moved = await owner.GetEventAsync(machine.Id);
        Assert.Equal(("product_recall", Version), (moved.Category, moved.ClassifiedBy));
        Assert.False(string.IsNullOrEmpty(moved.ClassificationEvidence));
        Assert.Equal(("funding", Version), ((await owner.GetEventAsync(funding.Id)).Category, (await owner.GetEventAsync(funding.Id)).ClassifiedBy));
        foreach (var (id, was) in untouched)
        {
            var now = await owner.GetEventAsync(id);
            Assert.Equal((was.Category, was.ClassifiedBy, was.UpdatedAt), (now.Category, now.ClassifiedBy, now.UpdatedAt));
        }
        Assert.Equal(trashedBefore, await StoredAsync(owner, trashed.Id));
        Assert.Equal(theirsBefore, await StoredAsync(stranger, theirs.Id));

        await using var db = server.Database.Context(owner.BusinessId);
        Assert.Equal(1, await db.AuditLogs.CountAsync(a => a.TableName == "events" && a.RecordId == machine.Id.ToString() && a.Action == AuditActions.Update));

        // Nothing new learnt: a second run changes nothing.
        var again = await owner.Http.CallAsync("POST", "/api/categories/reclassify").ExpectAsync();
        Assert.Equal((2, 0), (again.GetProperty("examined").GetInt32(), again.GetProperty("changed").GetInt32()));
    }

    [Fact]
    public async Task Purging_an_event_removes_its_example_accounted_for_in_the_audit_trail()
    {
        var owner = await server.SignUpAsync();
        var client = await server.Database.AddClientAsync(owner, "Acme");
        var ev = await owner.PostEventAsync(Unlabelled(client, Funding));
        var kept = await owner.PostEventAsync(Unlabelled(client, Layoffs));
        foreach (var id in new[] { ev.Id, kept.Id })
            await owner.Http.CallAsync("POST", $"/api/events/{id}/review").ExpectAsync();
        Guid exampleId;
        await using (var db = server.Database.Context(owner.BusinessId))
            exampleId = (await db.ClassificationExamples.SingleAsync(x => x.EventId == ev.Id)).Id;

        Assert.Equal(HttpStatusCode.NoContent, (await owner.Http.DeleteAsync($"/api/events/{ev.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Http.DeleteAsync($"/api/trash/event/{ev.Id}")).StatusCode);

        await using (var db = server.Database.Context(owner.BusinessId))
        {
            Assert.Equal([kept.Id], await db.ClassificationExamples.IgnoreQueryFilters([SoftDeleteRules.Filter]).Select(x => x.EventId).ToListAsync());
            var purge = await db.AuditLogs.SingleAsync(a => a.TableName == "classification_examples" && a.Action == AuditActions.Purge);
            Assert.Equal($"events/{ev.Id}", purge.RecordId);
            Assert.Contains(exampleId.ToString(), purge.OldValues);
        }
    }

    private static object Unlabelled(Guid clientId, string title) => new { clientId, title, eventDate = DateTime.UtcNow };

    private static async Task SetThresholdAsync(ApiUser admin, double threshold) =>
        await admin.Http.CallAsync("PATCH", "/api/business", new { reviewConfidenceThreshold = threshold }).ExpectAsync();

    private static async Task<HashSet<string>> LiveCategoryKeysAsync(ApiUser user) =>
        (await user.Http.GetAsync("/api/categories").ExpectAsync()).EnumerateArray().Select(c => c.GetProperty("key").GetString()!).ToHashSet();

    /// <summary>An event's category and version as stored, trashed or not.</summary>
    private async Task<(string, DateTime)> StoredAsync(ApiUser user, Guid id)
    {
        await using var db = server.Database.Context(user.BusinessId);
        var ev = await db.Events.IgnoreQueryFilters([SoftDeleteRules.Filter]).AsNoTracking().SingleAsync(e => e.Id == id);
        return (ev.Category, ev.UpdatedAt);
    }

    private async Task<int> ExampleCountAsync(ApiUser user)
    {
        await using var db = server.Database.Context(user.BusinessId);
        return await db.ClassificationExamples.IgnoreQueryFilters([SoftDeleteRules.Filter]).CountAsync();
    }
}

public sealed class EventClassificationTests_Sqlite(SqliteApi server) : EventClassificationTests<SqliteDatabase>(server), IClassFixture<SqliteApi>;
public sealed class EventClassificationTests_Postgres(PostgresApi server) : EventClassificationTests<PostgresDatabase>(server), IClassFixture<PostgresApi>;
public sealed class EventClassificationTests_Citus(CitusApi server) : EventClassificationTests<CitusDatabase>(server), IClassFixture<CitusApi>;
