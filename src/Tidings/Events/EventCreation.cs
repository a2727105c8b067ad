using Microsoft.EntityFrameworkCore;
using Tidings.Categories;
using Tidings.Classification;
using Tidings.Data;
using Tidings.Monitoring.Matching;
using Tidings.Notifications;

namespace Tidings.Events;

/// <summary>
/// Creating events, one (POST /api/events) or a batch (POST /api/events/batch, the way a source poller
/// hands over what it found): each must name a live client of the business, becomes a copy of its story's
/// original when its client already has one with the same content (Stories), and notifies its client's assignee
/// when it reaches the business's threshold. Each lookup is one query for the whole batch, and the batch is
/// decided and written in one transaction, under the locks of its stories: all of it or nothing, and a
/// concurrent post of the same story sees this one's events. An event sent without a category is classified first
/// (EventDraft); a category its sender gives must be a live category of the business (LiveCategories).
/// </summary>
public static class EventCreation
{
    public const int MaxBatch = 500;

    /// <summary>
    /// An event as its sender gave it. Without a category (an empty <see cref="Event.Category"/>) the classifier labels
    /// it and also gives it the subcategory and sentiment it came without, and the relevance when
    /// <paramref name="HasRelevance"/> is false.
    /// </summary>
    /// <param name="ClientIsSubject">Whether the client is the item's subject or only mentioned, when the sender knows (the monitor).</param>
    public sealed record EventDraft(Event Event, bool HasRelevance, bool? ClientIsSubject = null);

    /// <summary>From this many rows a COPY costs less than an INSERT statement per row (bench: write).</summary>
    private const int BulkFrom = 20;

    /// <param name="NotLabelled">Events whose sender's category or subcategory cannot label them: position, field, why.</param>
    public sealed record Outcome(IReadOnlyList<EventDto> Created, IReadOnlyList<int> UnknownClientAt,
        IReadOnlyList<(int At, string Field, string Message)>? NotLabelled = null);

    private sealed record ClientSummary(Guid Id, string Name, Guid? AssignedToUserId);

    /// <summary>
    /// Creates the validated <paramref name="events"/>, or, when some name no live client of the business or a category
    /// that cannot label them, nothing.
    /// </summary>
    public static async Task<Outcome> CreateAsync(TidingsDbContext db, HeadlineClassifier classifier, ClassifierKnowledge knowledge,
        IReadOnlyList<EventDraft> drafts, CancellationToken ct)
    {
        // CPU work, done once before the transaction: a retry does not repeat it, and no lock waits for it.
        await ClassifyAsync(db, classifier, knowledge, drafts, ct);
        var events = drafts.Select(d => d.Event).ToList();
        return await db.InTransactionAsync(async ct =>
        {
            var clientIds = events.Select(e => e.ClientId).Distinct().ToList();
            var clients = await db.Clients.Where(c => clientIds.Contains(c.Id))
                .Select(c => new ClientSummary(c.Id, c.Name, c.AssignedToUserId)).ToDictionaryAsync(c => c.Id, ct);
            var unknown = Enumerable.Range(0, events.Count).Where(i => !clients.ContainsKey(events[i].ClientId)).ToList();
            if (unknown.Count > 0)
                return new Outcome([], unknown);
            if (events.Any(e => e.ClassifiedBy is null))
            {
                var live = await LiveCategories.ReadAsync(db, ct);
                var refused = Enumerable.Range(0, events.Count).Where(i => events[i].ClassifiedBy is null)
                    .Select(i => (At: i, Refusal: live.Refusal(events[i].Category, events[i].Subcategory)))
                    .Where(r => r.Refusal is not null).Select(r => (r.At, r.Refusal!.Value.Field, r.Refusal.Value.Message)).ToList();
                if (refused.Count > 0)
                    return new Outcome([], [], refused);
            }

            // The settings this creation reads, in one statement: the answer's needsReview, and whether the news scores clients.
            var settings = await db.Businesses.Select(b => new { b.ReviewConfidenceThreshold, b.HealthScoreFromNews }).SingleAsync(ct);
            await MarkDuplicatesAsync(db, events, clients, ct);
            db.Events.AddRange(events);
            await Notifier.HighRelevanceEventsAsync(db,
                events.Select(e => (e, clients[e.ClientId].Name, clients[e.ClientId].AssignedToUserId)).ToList(), ct);
            if (events.Count >= BulkFrom)
                await db.SaveInsertsInBulkAsync(ct);
            else
                await db.SaveChangesAsync(ct);
            if (settings.HealthScoreFromNews)
                await Clients.ClientHealth.RefreshScoredByNewsAsync(db, clientIds, ct);
            return new Outcome(events.Select(e => EventDto.From(e, clients[e.ClientId].Name, null, [], settings.ReviewConfidenceThreshold)).ToList(), []);
        }, ct);
    }

    /// <summary>
    /// Labels the events sent without a category, in one call to the classifier, with what their senders left out
    /// (subcategory, relevance, sentiment). The client's name goes with each headline so the classifier can tell the
    /// subject apart.
    /// </summary>
    private static async Task ClassifyAsync(TidingsDbContext db, HeadlineClassifier classifier, ClassifierKnowledge knowledge,
        IReadOnlyList<EventDraft> drafts, CancellationToken ct)
    {
        var unlabelled = drafts.Where(d => d.Event.Category.Length == 0).ToList();
        if (unlabelled.Count == 0)
            return;
        var clientIds = unlabelled.Select(d => d.Event.ClientId).Distinct().ToList();
        // An unknown client has no name here; the transaction refuses its event.
        var names = await db.Clients.Where(c => clientIds.Contains(c.Id)).Select(c => new { c.Id, c.Name }).ToDictionaryAsync(c => c.Id, c => c.Name, ct);
        var known = await knowledge.ForCurrentBusinessAsync(db, ct);
        var verdicts = classifier.Classify(unlabelled.Select(d => new Headline(d.Event.Title, d.Event.Description,
            names.GetValueOrDefault(d.Event.ClientId), d.Event.EventDate, d.ClientIsSubject)).ToList(), known, db.Clock.GetUtcNow().UtcDateTime);
        for (var i = 0; i < unlabelled.Count; i++)
        {
            var (ev, verdict) = (unlabelled[i].Event, verdicts[i]);
            EventLabels.Apply(ev, verdict, known, classifier.Version);
            if (!unlabelled[i].HasRelevance)
                ev.RelevanceScore = Math.Clamp(verdict.Relevance, 0, 1);
            ev.SentimentScore ??= Math.Clamp(verdict.Sentiment, -1, 1);
        }
    }

    /// <summary>
    /// Each event joins the story of its client and content when there is one (Stories.OriginalsAsync: a deleted
    /// story too, so it stays out of the feed). One with none joins the story of a near-identical title about its client
    /// dated within NearDuplicates.Window, stored or earlier in the batch: another outlet's account of the same news
    /// (a live story before a deleted one, then the oldest). An event of the batch that joins no story becomes the
    /// original of the batch's later events of the same client and content.
    /// </summary>
    private static async Task MarkDuplicatesAsync(TidingsDbContext db, IReadOnlyList<Event> events,
        IReadOnlyDictionary<Guid, ClientSummary> clients, CancellationToken ct)
    {
        foreach (var ev in events)
        {
            ev.ContentHash = ContentHash.Of(ev.Url, ev.Title, ev.ClientId);
            ev.DuplicateOfEventId = null;
        }
        var keys = events.Select(e => (e.ClientId, e.ContentHash!)).Distinct().ToList();
        await StoryLocks.ForPostingAsync(db, keys, events.Select(e => (e.ClientId, e.EventDate)), ct);
        var originals = await Stories.OriginalsAsync(db, keys, ct);
        var recent = await RecentStoriesAsync(db, events, clients, originals, ct);
        foreach (var ev in events)
        {
            var key = (ev.ClientId, ev.ContentHash!);
            if (originals.TryGetValue(key, out var original))
            {
                ev.DuplicateOfEventId = original;
                continue;
            }
            var story = NearDuplicates.Of(ev.Title, clients[ev.ClientId].Name);
            var same = recent.Where(r => r.Recent.ClientId == ev.ClientId && (r.Recent.EventDate - ev.EventDate).Duration() <= NearDuplicates.Window
                    && NearDuplicates.IsSameStory(story, r.Story.Value))
                .Select(r => r.Recent).OrderBy(r => r.OriginalIsDeleted).ThenBy(r => r.OriginalCreatedAt).ThenBy(r => r.OriginalId).FirstOrDefault();
            ev.DuplicateOfEventId = same?.OriginalId;
            originals[key] = same?.OriginalId ?? ev.Id;
            if (same is null)
                recent.Add((new Stories.Recent(ev.ClientId, ev.Title, ev.EventDate, ev.Id, false, DateTime.MaxValue), new Lazy<NearDuplicates.Story>(() => story)));
        }
    }

    /// <summary>
    /// The stored events that the batch's new stories may repeat in other words, in one statement for the batch: its
    /// clients' events dated within the window of its dates. None when every event repeats a stored story's content.
    /// </summary>
    private static async Task<List<(Stories.Recent Recent, Lazy<NearDuplicates.Story> Story)>> RecentStoriesAsync(TidingsDbContext db,
        IReadOnlyList<Event> events, IReadOnlyDictionary<Guid, ClientSummary> clients,
        Dictionary<(Guid ClientId, string Hash), Guid> originals, CancellationToken ct)
    {
        var fresh = events.Where(e => !originals.ContainsKey((e.ClientId, e.ContentHash!))).ToList();
        if (fresh.Count == 0)
            return [];
        var found = await Stories.RecentAsync(db, fresh.Select(e => e.ClientId).Distinct().ToList(),
            fresh.Min(e => e.EventDate) - NearDuplicates.Window, fresh.Max(e => e.EventDate) + NearDuplicates.Window, ct);
        // Read only when compared: most stored titles never meet a new one within the window.
        return found.Select(r => (r, new Lazy<NearDuplicates.Story>(() => NearDuplicates.Of(r.Title, clients[r.ClientId].Name)))).ToList();
    }
}
