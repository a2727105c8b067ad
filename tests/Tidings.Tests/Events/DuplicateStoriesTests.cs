using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Tidings.Data.Auditing;
using Tidings.Data.SoftDelete;
using Tidings.Events;
using Tidings.Notifications;
using Tidings.Tests.Infrastructure;
using Tidings.Users;

namespace Tidings.Tests.Events;

/// <summary>
/// A story is one piece of news about one client: its original event and the copies that repeat it. The feed
/// shows each live story once, whatever is posted at the same time, deleted, restored, patched or purged.
/// </summary>
public abstract class DuplicateStoriesTests<TDatabase>(TidingsServer<TDatabase> server) where TDatabase : TestDatabase, new()
{
    private const int Tries = 12;

    [Fact]
    public async Task Concurrent_posts_of_one_new_story_leave_exactly_one_original()
    {
        var owner = await server.SignUpAsync();
        var member = await server.AddUserAsync(owner, UserRoles.Member);
        var clientId = await server.Database.AddClientAsync(owner);

        for (var attempt = 0; attempt < Tries; attempt++)
        {
            var url = $"https://news.example/race/{attempt}";
            var posted = await Task.WhenAll(Enumerable.Range(0, 6)
                .Select(i => (i % 2 == 0 ? owner : member).PostEventAsync(clientId, $"Race {attempt}.{i}", url)));

            AssertOneStory(posted, $"attempt {attempt}");
        }
        Assert.Equal(Tries, (await owner.FeedAsync("?limit=100")).Items.Count);
        await AssertNoChainsAsync(owner);
    }

    [Fact]
    public async Task Concurrent_batches_of_the_same_new_stories_leave_exactly_one_original_each()
    {
        var owner = await server.SignUpAsync();
        var member = await server.AddUserAsync(owner, UserRoles.Member);
        var clientId = await server.Database.AddClientAsync(owner);

        for (var attempt = 0; attempt < Tries; attempt++)
        {
            var shared = Enumerable.Range(0, 3).Select(s => $"https://news.example/batch-race/{attempt}/{s}").ToList();
            // Small batches take SaveChanges' INSERTs, big ones the bulk write; both race here.
            // Titles of their own per attempt: one title under two URLs the same day is one story (NearDuplicates).
            var batches = Enumerable.Range(0, 4).Select(b => shared.Select((url, s) => EventsTestData.Body(clientId, $"Shared {attempt * 10 + s}", url))
                    .Concat(Enumerable.Range(0, b % 2 == 0 ? 2 : 25).Select(i => EventsTestData.Body(clientId, $"Own {attempt}.{b}.{i}")))
                    .OrderBy(_ => Random.Shared.Next()).ToList())
                .ToList();
            var answers = await Task.WhenAll(batches.Select((batch, b) => PostBatchAsync(b % 2 == 0 ? owner : member, batch)));

            foreach (var url in shared)
            {
                var story = answers.SelectMany(a => a).Where(e => e.Url == url).ToList();
                Assert.Equal(4, story.Count);
                AssertOneStory(story, $"attempt {attempt}, {url}");
            }
        }
        await AssertNoChainsAsync(owner);
    }

    [Fact]
    public async Task One_url_about_two_clients_is_a_story_for_each_and_notifies_both_assignees()
    {
        var owner = await server.SignUpAsync();
        var first = await server.AddUserAsync(owner, UserRoles.Member, "First assignee");
        var second = await server.AddUserAsync(owner, UserRoles.Member, "Second assignee");
        var alpha = await server.Database.AddClientAsync(owner, "Alpha", assignedTo: first.Id);
        var beta = await server.Database.AddClientAsync(owner, "Beta", assignedTo: second.Id);

        var forAlpha = await owner.PostEventAsync(alpha, "Alpha and Beta merge", "https://news.example/merger", relevance: 0.95);
        var forBeta = await owner.PostEventAsync(beta, "Alpha and Beta merge", "https://news.example/merger?utm_source=x", relevance: 0.95);
        var batched = await PostBatchAsync(owner, [
            EventsTestData.Body(alpha, "Gamma sues both", "https://news.example/lawsuit", relevance: 0.9),
            EventsTestData.Body(beta, "Gamma sues both", "https://news.example/lawsuit/", relevance: 0.9),
            EventsTestData.Body(beta, "Gamma sues both (again)", "https://news.example/lawsuit", relevance: 0.9),
        ]);

        Assert.False(forAlpha.IsDuplicate);
        Assert.False(forBeta.IsDuplicate);
        Assert.Equal([false, false, true], batched.Select(e => e.IsDuplicate));
        Assert.Equal(batched[1].Id, batched[2].DuplicateOfEventId);
        Assert.Equal([forAlpha.Id, batched[0].Id], (await owner.FeedAsync($"?clientId={alpha}")).Items.Select(e => e.Id).Order());
        Assert.Equal([forBeta.Id, batched[1].Id], (await owner.FeedAsync($"?clientId={beta}")).Items.Select(e => e.Id).Order());

        await using var db = server.Database.Context(owner.BusinessId);
        var notified = await db.Notifications.Where(n => n.Type == NotificationTypes.HighRelevanceEvent)
            .Select(n => new { n.UserId, n.RelatedEventId }).ToListAsync();
        Assert.Equal(
            new[] { (first.Id, forAlpha.Id), (second.Id, forBeta.Id), (first.Id, batched[0].Id), (second.Id, batched[1].Id) }.Order(),
            notified.Select(n => (n.UserId, n.RelatedEventId!.Value)).Order());

        // Deleting one client hides its stories, not the other's.
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Http.DeleteAsync($"/api/clients/{alpha}")).StatusCode);
        Assert.Equal([forBeta.Id, batched[1].Id], (await owner.FeedAsync()).Items.Select(e => e.Id).Order());
    }

    [Fact]
    public async Task Deleting_an_original_hands_the_story_to_its_oldest_live_copy_and_the_feed_keeps_it()
    {
        var owner = await server.SignUpAsync();
        var clientId = await server.Database.AddClientAsync(owner);
        var original = await owner.PostEventAsync(clientId, "Acme launches", "https://news.example/launch");
        var gone = await owner.PostEventAsync(clientId, "Acme launches (wire)", "https://news.example/launch/");
        var oldest = await owner.PostEventAsync(clientId, "Acme launches (blog)", "https://news.example/launch?utm_medium=x");
        var younger = await owner.PostEventAsync(clientId, "Acme launches (radio)", "https://NEWS.example/launch");
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Http.DeleteAsync($"/api/events/{gone.Id}")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await owner.Http.DeleteAsync($"/api/events/{original.Id}")).StatusCode);

        Assert.Equal([oldest.Id], (await owner.FeedAsync()).Items.Select(e => e.Id));
        Assert.False((await owner.GetEventAsync(oldest.Id)).IsDuplicate);
        Assert.Equal(oldest.Id, (await owner.GetEventAsync(younger.Id)).DuplicateOfEventId);
        await using (var db = server.Database.Context(owner.BusinessId))
        {
            var stored = await db.Events.IgnoreQueryFilters([SoftDeleteRules.Filter]).ToDictionaryAsync(e => e.Id, e => e.DuplicateOfEventId);
            // The deleted ones follow the story too, so nothing ever points at a copy.
            Assert.Equal(oldest.Id, stored[original.Id]);
            Assert.Equal(oldest.Id, stored[gone.Id]);
            var updates = await db.AuditLogs.Where(a => a.TableName == "events" && a.Action == AuditActions.Update)
                .Select(a => a.RecordId).ToListAsync();
            Assert.Equal(new[] { original.Id, oldest.Id, younger.Id, gone.Id }.Select(id => id.ToString()).Order(), updates.Order());
        }

        // Restored, the old original is one more copy of the story: never a second original.
        Assert.Equal(HttpStatusCode.OK, (await owner.Http.PostAsync($"/api/events/{original.Id}/restore", null)).StatusCode);
        Assert.Equal(oldest.Id, (await owner.GetEventAsync(original.Id)).DuplicateOfEventId);
        Assert.Equal([oldest.Id], (await owner.FeedAsync()).Items.Select(e => e.Id));
        await AssertNoChainsAsync(owner);
    }

    [Fact]
    public async Task Restoring_a_copy_of_a_deleted_story_brings_the_story_back_with_it_as_the_original()
    {
        var owner = await server.SignUpAsync();
        var clientId = await server.Database.AddClientAsync(owner);
        var original = await owner.PostEventAsync(clientId, "Acme recalls a product", "https://news.example/recall");
        var copy = await owner.PostEventAsync(clientId, "Acme recall", "https://news.example/recall/");
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Http.DeleteAsync($"/api/events/{copy.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Http.DeleteAsync($"/api/events/{original.Id}")).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await owner.Http.PostAsync($"/api/events/{copy.Id}/restore", null)).StatusCode);

        Assert.Equal([copy.Id], (await owner.FeedAsync()).Items.Select(e => e.Id));
        Assert.Equal(HttpStatusCode.OK, (await owner.Http.PostAsync($"/api/events/{original.Id}/restore", null)).StatusCode);
        Assert.Equal(copy.Id, (await owner.GetEventAsync(original.Id)).DuplicateOfEventId);
        Assert.Equal([copy.Id], (await owner.FeedAsync()).Items.Select(e => e.Id));
        await AssertNoChainsAsync(owner);
    }

    [Fact]
    public async Task A_deleted_story_posted_again_stays_out_of_the_feed_as_a_copy_of_the_deleted_one()
    {
        var owner = await server.SignUpAsync();
        var assignee = await server.AddUserAsync(owner, UserRoles.Member, "Assignee");
        var clientId = await server.Database.AddClientAsync(owner, assignedTo: assignee.Id);
        var linked = await owner.PostEventAsync(clientId, "Acme is sued", "https://news.example/suit", relevance: 0.9);
        var titled = await owner.PostEventAsync(clientId, "Acme quarterly results", relevance: 0.9);
        foreach (var ev in new[] { linked, titled })
            Assert.Equal(HttpStatusCode.NoContent, (await owner.Http.DeleteAsync($"/api/events/{ev.Id}")).StatusCode);

        var again = await owner.PostEventAsync(clientId, "Acme sued", "https://news.example/suit?utm_source=feed", relevance: 0.9);
        var batched = await PostBatchAsync(owner, [EventsTestData.Body(clientId, "ACME  Quarterly Results", relevance: 0.9)]);

        Assert.Equal(linked.Id, again.DuplicateOfEventId);
        Assert.Equal(titled.Id, batched[0].DuplicateOfEventId);
        Assert.Empty((await owner.FeedAsync()).Items);
        Assert.Equal(2, (await owner.FeedAsync("?includeDuplicates=true")).Items.Count);
        await using var db = server.Database.Context(owner.BusinessId);
        Assert.Equal(2, await db.Notifications.IgnoreQueryFilters([SoftDeleteRules.Filter]).CountAsync()); // of the first two only
    }

    [Fact]
    public async Task A_patch_never_makes_a_chain_of_copies_nor_links_two_clients()
    {
        var owner = await server.SignUpAsync();
        var clientId = await server.Database.AddClientAsync(owner);
        var other = await server.Database.AddClientAsync(owner, "Other");
        var a = await owner.PostEventAsync(clientId, "A", "https://news.example/a");
        var aCopy = await owner.PostEventAsync(clientId, "A again", "https://news.example/a/");
        var b = await owner.PostEventAsync(clientId, "B", "https://news.example/b");
        var elsewhere = await owner.PostEventAsync(other, "Elsewhere", "https://news.example/elsewhere");
        Assert.Equal(HttpStatusCode.OK, (await owner.Http.GetAsync("/api/me")).StatusCode);
        var before = await server.Database.CountsAsync(owner.BusinessId);

        foreach (var (id, target, because) in new[]
                 {
                     (b.Id, aCopy.Id, "a copy as the original"),
                     (b.Id, b.Id, "itself"),
                     (b.Id, elsewhere.Id, "another client's event"),
                 })
        {
            var refused = await owner.SendAsync("PATCH", $"/api/events/{id}", $$"""{"duplicateOfEventId":"{{target}}"}""");
            await EventsTestData.AssertProblemAsync(refused, 422, null, because);
        }
        Assert.Equal(before, await server.Database.CountsAsync(owner.BusinessId));

        // An event with copies that becomes a copy takes its copies along: they all point at the new original.
        await PatchAsync(owner, a.Id, $$"""{"duplicateOfEventId":"{{b.Id}}"}""");
        Assert.Equal(b.Id, (await owner.GetEventAsync(a.Id)).DuplicateOfEventId);
        Assert.Equal(b.Id, (await owner.GetEventAsync(aCopy.Id)).DuplicateOfEventId);
        Assert.Equal(new[] { b.Id, elsewhere.Id }.Order(), (await owner.FeedAsync()).Items.Select(e => e.Id).Order());
        await AssertNoChainsAsync(owner);
    }

    [Fact]
    public async Task Moving_an_event_to_another_client_takes_it_out_of_its_story()
    {
        var owner = await server.SignUpAsync();
        var clientId = await server.Database.AddClientAsync(owner);
        var other = await server.Database.AddClientAsync(owner, "Other");
        var original = await owner.PostEventAsync(clientId, "Filed under the wrong client", "https://news.example/misfiled");
        var copy = await owner.PostEventAsync(clientId, "Filed twice", "https://news.example/misfiled/");
        var theirs = await owner.PostEventAsync(other, "Their own story", "https://news.example/theirs");
        var theirsAgain = await owner.PostEventAsync(clientId, "Their story, filed here", "https://news.example/theirs/");

        await PatchAsync(owner, original.Id, $$"""{"clientId":"{{other}}"}""");
        await PatchAsync(owner, theirsAgain.Id, $$"""{"clientId":"{{other}}"}""");

        // The story it left keeps its copy, now its original; where it arrives, it joins the story of the same content.
        Assert.False((await owner.GetEventAsync(copy.Id)).IsDuplicate);
        Assert.False((await owner.GetEventAsync(original.Id)).IsDuplicate);
        Assert.Equal(theirs.Id, (await owner.GetEventAsync(theirsAgain.Id)).DuplicateOfEventId);
        Assert.Equal([copy.Id], (await owner.FeedAsync($"?clientId={clientId}")).Items.Select(e => e.Id));
        Assert.Equal(new[] { original.Id, theirs.Id }.Order(), (await owner.FeedAsync($"?clientId={other}")).Items.Select(e => e.Id).Order());
        await AssertNoChainsAsync(owner);
    }

    [Fact]
    public async Task Concurrent_patches_linking_two_events_to_each_other_never_leave_a_cycle()
    {
        var owner = await server.SignUpAsync();
        var member = await server.AddUserAsync(owner, UserRoles.Member);
        var clientId = await server.Database.AddClientAsync(owner);

        for (var attempt = 0; attempt < Tries; attempt++)
        {
            var a = await owner.PostEventAsync(clientId, $"Left {attempt}");
            var b = await owner.PostEventAsync(clientId, $"Right {attempt}");
            var answers = await Task.WhenAll(
                owner.SendAsync("PATCH", $"/api/events/{a.Id}", $$"""{"duplicateOfEventId":"{{b.Id}}"}"""),
                member.SendAsync("PATCH", $"/api/events/{b.Id}", $$"""{"duplicateOfEventId":"{{a.Id}}"}"""));
            Assert.All(answers, r => Assert.Contains((int)r.StatusCode, new[] { 200, 422 }));
        }
        await AssertNoChainsAsync(owner);
        Assert.Equal(Tries, (await owner.FeedAsync("?limit=100")).Items.Count);
    }

    /// <summary>One original among <paramref name="events"/>, and every other event a copy of it.</summary>
    private static void AssertOneStory(IReadOnlyCollection<EventDto> events, string because)
    {
        var originals = events.Where(e => !e.IsDuplicate).Select(e => e.Id).ToList();
        Assert.True(originals.Count == 1, $"{because}: {originals.Count} originals of one story");
        Assert.All(events.Where(e => e.IsDuplicate), e => Assert.Equal(originals[0], e.DuplicateOfEventId));
    }

    private static async Task PatchAsync(ApiUser user, Guid id, string json)
    {
        var response = await user.SendAsync("PATCH", $"/api/events/{id}", json);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private static async Task<List<EventDto>> PostBatchAsync(ApiUser user, IEnumerable<object> events)
    {
        var response = await user.Http.PostAsJsonAsync("/api/events/batch", new { events });
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<CreatedEvents>())!.Events.ToList();
    }

    /// <summary>Every copy, deleted or not, points at an original of its own client.</summary>
    private async Task AssertNoChainsAsync(ApiUser owner)
    {
        await using var db = server.Database.Context(owner.BusinessId);
        var events = await db.Events.IgnoreQueryFilters([SoftDeleteRules.Filter]).AsNoTracking()
            .ToDictionaryAsync(e => e.Id, e => (e.ClientId, e.DuplicateOfEventId));
        foreach (var (id, (clientId, original)) in events.Where(e => e.Value.DuplicateOfEventId is not null))
        {
            Assert.NotEqual(id, original);
            Assert.Null(events[original!.Value].DuplicateOfEventId);
            Assert.Equal(clientId, events[original.Value].ClientId);
        }
    }
}

public sealed class DuplicateStoriesTests_Sqlite(SqliteApi server) : DuplicateStoriesTests<SqliteDatabase>(server), IClassFixture<SqliteApi>;
public sealed class DuplicateStoriesTests_Postgres(PostgresApi server) : DuplicateStoriesTests<PostgresDatabase>(server), IClassFixture<PostgresApi>;
