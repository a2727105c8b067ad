using Microsoft.EntityFrameworkCore;
using Tidings.Data;
using Tidings.Notifications;

namespace Tidings.Events;

/// <summary>
/// Creating events, one (POST /api/events) or a batch (POST /api/events/batch, the way a source poller
/// hands over what it found): each must name a live client of the business, is marked as a duplicate of
/// the oldest live event with the same content (or of an earlier one in the same batch), and notifies its
/// client's assignee when it reaches the business's threshold. Each lookup is one query for the whole
/// batch, and the batch is written in one transaction: all of it or nothing.
/// </summary>
public static class EventCreation
{
    public const int MaxBatch = 500;

    /// <summary>From this many rows a COPY costs less than an INSERT statement per row (bench: write).</summary>
    private const int BulkFrom = 20;

    public sealed record Outcome(IReadOnlyList<EventDto> Created, IReadOnlyList<int> UnknownClientAt);

    private sealed record ClientSummary(Guid Id, string Name, Guid? AssignedToUserId);

    /// <summary>Creates the validated <paramref name="events"/>, or, when some name no live client of the business, nothing.</summary>
    public static async Task<Outcome> CreateAsync(TidingsDbContext db, IReadOnlyList<Event> events, CancellationToken ct)
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
        return new Outcome(events.Select(e => EventDto.From(e, clients[e.ClientId].Name, null, [])).ToList(), []);
    }

    /// <summary>
    /// The original of a story is the oldest live event with its content hash that is not itself a duplicate
    /// (or, when every such original is deleted, the oldest live copy); an event of the batch with no
    /// original becomes the original of the batch's later ones.
    /// </summary>
    private static async Task MarkDuplicatesAsync(TidingsDbContext db, IReadOnlyList<Event> events, CancellationToken ct)
    {
        foreach (var ev in events)
            ev.ContentHash = ContentHash.Of(ev.Url, ev.Title, ev.ClientId);
        var hashes = events.Select(e => e.ContentHash!).Distinct().ToList();
        var stored = await db.Events.Where(e => hashes.Contains(e.ContentHash!))
            .OrderBy(e => e.DuplicateOfEventId == null ? 0 : 1).ThenBy(e => e.CreatedAt).ThenBy(e => e.Id)
            .Select(e => new { e.ContentHash, e.Id }).ToListAsync(ct);
        var originals = new Dictionary<string, Guid>();
        foreach (var row in stored)
            originals.TryAdd(row.ContentHash!, row.Id);
        foreach (var ev in events)
        {
            if (originals.TryGetValue(ev.ContentHash!, out var original))
                ev.DuplicateOfEventId = original;
            else
                originals[ev.ContentHash!] = ev.Id;
        }
    }
}
