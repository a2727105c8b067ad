using Microsoft.EntityFrameworkCore;
using Tidings.Data;
using Tidings.Notifications;

namespace Tidings.Events;

/// <summary>
/// Creating events, one (POST /api/events) or a batch (POST /api/events/batch, the way a source poller
/// hands over what it found): each must name a live client of the business, becomes a copy of its story's
/// original when its client already has one with the same content (Stories), and notifies its client's assignee
/// when it reaches the business's threshold. Each lookup is one query for the whole batch, and the batch is
/// decided and written in one transaction, under the locks of its stories: all of it or nothing, and a
/// concurrent post of the same story sees this one's events.
/// </summary>
public static class EventCreation
{
    public const int MaxBatch = 500;

    /// <summary>From this many rows a COPY costs less than an INSERT statement per row (bench: write).</summary>
    private const int BulkFrom = 20;

    public sealed record Outcome(IReadOnlyList<EventDto> Created, IReadOnlyList<int> UnknownClientAt);

    private sealed record ClientSummary(Guid Id, string Name, Guid? AssignedToUserId);

    /// <summary>Creates the validated <paramref name="events"/>, or, when some name no live client of the business, nothing.</summary>
    public static Task<Outcome> CreateAsync(TidingsDbContext db, IReadOnlyList<Event> events, CancellationToken ct) =>
        db.InTransactionAsync(async ct =>
        {
            var clientIds = events.Select(e => e.ClientId).Distinct().ToList();
            var clients = await db.Clients.Where(c => clientIds.Contains(c.Id))
                .Select(c => new ClientSummary(c.Id, c.Name, c.AssignedToUserId)).ToDictionaryAsync(c => c.Id, ct);
            var unknown = Enumerable.Range(0, events.Count).Where(i => !clients.ContainsKey(events[i].ClientId)).ToList();
            if (unknown.Count > 0)
                return new Outcome([], unknown);

            await MarkDuplicatesAsync(db, events, ct);
            db.Events.AddRange(events);
            await Notifier.HighRelevanceEventsAsync(db,
                events.Select(e => (e, clients[e.ClientId].Name, clients[e.ClientId].AssignedToUserId)).ToList(), ct);
            if (events.Count >= BulkFrom)
                await db.SaveInsertsInBulkAsync(ct);
            else
                await db.SaveChangesAsync(ct);
            await Clients.ClientHealth.RefreshAsync(db, clientIds, ct);
            return new Outcome(events.Select(e => EventDto.From(e, clients[e.ClientId].Name, null, [])).ToList(), []);
        }, ct);

    /// <summary>
    /// Each event joins the story of its client and content when there is one (Stories.OriginalsAsync: a deleted
    /// story too, so it stays out of the feed); an event of the batch with none becomes the original of the
    /// batch's later events of the same client and content.
    /// </summary>
    private static async Task MarkDuplicatesAsync(TidingsDbContext db, IReadOnlyList<Event> events, CancellationToken ct)
    {
        foreach (var ev in events)
        {
            ev.ContentHash = ContentHash.Of(ev.Url, ev.Title, ev.ClientId);
            ev.DuplicateOfEventId = null;
        }
        var keys = events.Select(e => (e.ClientId, e.ContentHash!)).Distinct().ToList();
        await StoryLocks.ForPostingAsync(db, keys, ct);
        var originals = await Stories.OriginalsAsync(db, keys, ct);
        foreach (var ev in events)
        {
            if (originals.TryGetValue((ev.ClientId, ev.ContentHash!), out var original))
                ev.DuplicateOfEventId = original;
            else
                originals[(ev.ClientId, ev.ContentHash!)] = ev.Id;
        }
    }
}
