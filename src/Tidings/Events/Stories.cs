using Microsoft.EntityFrameworkCore;
using Tidings.Data;
using Tidings.Data.SoftDelete;

namespace Tidings.Events;

/// <summary>
/// A story is one piece of news about one client: its original event and the copies that repeat it
/// (duplicate_of_event_id). The feed shows a story by its original, so every path that changes events keeps
/// these rules, deleted events included:
/// - a copy points at an original of its own client: never at itself, at another copy (no chains) or across clients;
/// - a live story is never hidden: an original that is deleted hands the story to its oldest live copy, and one
///   that is purged or moved to another client to its oldest copy;
/// - a deleted story stays deleted: posted again, it is a copy of its deleted original, out of the feed,
///   until someone restores one of its events.
/// Callers hold the story locks (StoryLocks) inside one transaction, so concurrent requests decide in turn.
/// </summary>
public static class Stories
{
    /// <summary>Every event, deleted or not, of any client: a story's deleted events still belong to it.</summary>
    private static IQueryable<Event> AllEvents(TidingsDbContext db) => db.Events.IgnoreQueryFilters([SoftDeleteRules.Filter]);

    /// <summary>
    /// The original of each (client, content hash) that has a story: a live original before a deleted one, then the
    /// oldest. An event with that content counts through its story, so a copy whose original has other content
    /// (linked by hand) still leads to that original.
    /// </summary>
    public static async Task<Dictionary<(Guid ClientId, string Hash), Guid>> OriginalsAsync(TidingsDbContext db,
        IReadOnlyCollection<(Guid ClientId, string Hash)> keys, CancellationToken ct)
    {
        var wanted = keys.ToHashSet();
        var hashes = wanted.Select(k => k.Hash).Distinct().ToList();
        var clientIds = wanted.Select(k => k.ClientId).Distinct().ToList();
        // A copy's original by a plain equality, an original standing for itself: joined on COALESCE(duplicate_of, id),
        // row-level security may not probe the original's index with it (COALESCE is not leakproof), and PostgreSQL
        // hashed every event of the business for each new story.
        var found = await (
                from e in AllEvents(db)
                where hashes.Contains(e.ContentHash!) && clientIds.Contains(e.ClientId)
                join o in AllEvents(db) on e.DuplicateOfEventId equals (Guid?)o.Id into linked
                from o in linked.DefaultIfEmpty()
                select new
                {
                    e.ClientId, e.ContentHash, Id = o == null ? e.Id : o.Id,
                    IsDeleted = o == null ? e.IsDeleted : o.IsDeleted, CreatedAt = o == null ? e.CreatedAt : o.CreatedAt,
                })
            .ToListAsync(ct);
        var originals = new Dictionary<(Guid, string), Guid>();
        foreach (var row in found.OrderBy(r => r.IsDeleted).ThenBy(r => r.CreatedAt).ThenBy(r => r.Id))
            if (wanted.Contains((row.ClientId, row.ContentHash!)))
                originals.TryAdd((row.ClientId, row.ContentHash!), row.Id);
        return originals;
    }

    /// <summary>An event that a new one may repeat in other words, with the original of its story.</summary>
    public sealed record Recent(Guid ClientId, string Title, DateTime EventDate, Guid OriginalId, bool OriginalIsDeleted, DateTime OriginalCreatedAt);

    /// <summary>How many recent events one creation compares its new ones with, at most: the newest of the window.</summary>
    public const int MaxRecent = 2_000;

    /// <summary>
    /// The events, deleted or not, of these clients dated from <paramref name="since"/> to <paramref name="until"/>, each with
    /// its story's original (a deleted story stays deleted: its new copies stay out of the feed), newest first, at most
    /// <see cref="MaxRecent"/>. One statement, on the (business, client, event date) index.
    /// </summary>
    public static Task<List<Recent>> RecentAsync(TidingsDbContext db, IReadOnlyCollection<Guid> clientIds, DateTime since, DateTime until, CancellationToken ct) =>
        (from e in AllEvents(db)
         where clientIds.Contains(e.ClientId) && e.EventDate >= since && e.EventDate <= until
         join o in AllEvents(db) on e.DuplicateOfEventId equals (Guid?)o.Id into linked
         from o in linked.DefaultIfEmpty()
         orderby e.EventDate descending, e.Id descending
         select new Recent(e.ClientId, e.Title, e.EventDate, o == null ? e.Id : o.Id,
             o == null ? e.IsDeleted : o.IsDeleted, o == null ? e.CreatedAt : o.CreatedAt))
        .AsNoTracking().Take(MaxRecent).ToListAsync(ct);

    /// <summary>
    /// The event the query names, read and tracked after its client's story lock is held, so what it says about its
    /// story is current. Null when there is none.
    /// </summary>
    public static async Task<Event?> FindLockedAsync(TidingsDbContext db, IQueryable<Event> query, CancellationToken ct)
    {
        while (true)
        {
            var clientId = await query.AsNoTracking().Select(e => (Guid?)e.ClientId).SingleOrDefaultAsync(ct);
            if (clientId is null)
                return null;
            await StoryLocks.ForChangingAsync(db, [clientId.Value], ct);
            var ev = await query.SingleOrDefaultAsync(ct);
            if (ev is null || ev.ClientId == clientId)
                return ev;
            // Moved to another client between the two reads: lock that one too and read it again.
            db.Entry(ev).State = EntityState.Detached;
        }
    }

    /// <summary>
    /// Before <paramref name="leaving"/> stops being its story's original. Deleted (<paramref name="stays"/>), it stays in
    /// the story as a copy of the oldest live copy, which becomes the original; with no live copy, it keeps the deleted
    /// story. Purged or moved away, the oldest copy, live first, takes over. Either way the other copies follow.
    /// </summary>
    public static async Task HandOverAsync(TidingsDbContext db, Event leaving, bool stays, CancellationToken ct)
    {
        if (leaving.DuplicateOfEventId is not null)
            return;
        var copies = await AllEvents(db).Where(e => e.DuplicateOfEventId == leaving.Id)
            .OrderBy(e => e.IsDeleted).ThenBy(e => e.CreatedAt).ThenBy(e => e.Id).ToListAsync(ct);
        if (copies.Count == 0 || (stays && copies[0].IsDeleted))
            return;
        var heir = copies[0];
        heir.DuplicateOfEventId = null;
        foreach (var copy in copies.Skip(1))
            copy.DuplicateOfEventId = heir.Id;
        if (stays)
            leaving.DuplicateOfEventId = heir.Id;
    }

    /// <summary>
    /// Before <paramref name="restored"/> comes back: a copy of a deleted original brings its story back as its
    /// original (the deleted original and the other copies point at it); any other event keeps its place.
    /// </summary>
    public static async Task BeforeRestoreAsync(TidingsDbContext db, Event restored, CancellationToken ct)
    {
        if (restored.DuplicateOfEventId is not { } originalId
            || !await AllEvents(db).AnyAsync(e => e.Id == originalId && e.IsDeleted, ct))
            return;
        var story = await AllEvents(db).Where(e => e.Id == originalId || (e.DuplicateOfEventId == originalId && e.Id != restored.Id)).ToListAsync(ct);
        restored.DuplicateOfEventId = null;
        foreach (var other in story)
            other.DuplicateOfEventId = restored.Id;
    }

    /// <summary>
    /// After an edit of <paramref name="ev"/> (PATCH), its place in the stories. Moved from <paramref name="previousClientId"/>
    /// to another client, it leaves its story behind (HandOverAsync) and joins the new client's story of its content, if
    /// any. Named a copy of another event (<paramref name="duplicateOf"/> present), it becomes one, and its own copies with
    /// it; named no copy, an original. Answers why not when the event named cannot be its original.
    /// </summary>
    public static async Task<string?> AfterEditAsync(TidingsDbContext db, Event ev, Guid previousClientId,
        (bool Present, Guid? Value) duplicateOf, CancellationToken ct)
    {
        var moves = ev.ClientId != previousClientId;
        if (moves)
            await StoryLocks.ForChangingAsync(db, [ev.ClientId], ct);
        if (duplicateOf is (true, { } named) && await RefuseLinkAsync(db, ev, named, ct) is { } refusal)
            return refusal;
        if (moves)
        {
            await HandOverAsync(db, ev, stays: false, ct);
            var story = (ev.ClientId, ev.ContentHash!);
            ev.DuplicateOfEventId = duplicateOf.Present ? duplicateOf.Value
                : (await OriginalsAsync(db, [story], ct)).TryGetValue(story, out var original) ? original : null;
        }
        else if (duplicateOf is (true, { } linkTo))
        {
            foreach (var copy in await AllEvents(db).Where(e => e.DuplicateOfEventId == ev.Id).ToListAsync(ct))
                copy.DuplicateOfEventId = linkTo;
            ev.DuplicateOfEventId = linkTo;
        }
        else if (duplicateOf.Present)
            ev.DuplicateOfEventId = null;
        return null;
    }

    private static async Task<string?> RefuseLinkAsync(TidingsDbContext db, Event ev, Guid originalId, CancellationToken ct)
    {
        if (originalId == ev.Id)
            return "An event cannot be a duplicate of itself.";
        var original = await db.Events.Where(e => e.Id == originalId)
            .Select(e => new { e.ClientId, e.DuplicateOfEventId }).SingleOrDefaultAsync(ct);
        if (original is null)
            return "duplicateOfEventId must name a live event of this business.";
        if (original.DuplicateOfEventId is not null)
            return "duplicateOfEventId names a duplicate: name the original it repeats.";
        return original.ClientId != ev.ClientId ? "duplicateOfEventId must name an event of the same client: a story is about one client." : null;
    }
}
