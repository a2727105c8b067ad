using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Tidings.Data;
using Tidings.Data.Tenancy;
using Tidings.Events;
using Tidings.Users;
using Tidings.Web;

namespace Tidings.Interactions;

public sealed record InteractionDto(
    Guid EventId, Guid UserId, bool IsRead, DateTime? ReadAt, bool IsStarred, DateTime? StarredAt, string? Notes,
    DateTime CreatedAt, DateTime UpdatedAt)
{
    public static InteractionDto From(EventUserInteraction i) =>
        new(i.EventId, i.UserId, i.IsRead, i.ReadAt, i.IsStarred, i.StarredAt, i.UserNotes, i.CreatedAt, i.UpdatedAt);
}

/// <summary>Either ids (at most <see cref="InteractionsApi.MaxMarkRead"/>) or a feed filter, not both.</summary>
public sealed record MarkReadRequest(List<Guid>? Ids, FeedFilter? Filter);

/// <param name="Marked">Events that were unread for the caller and now are read.</param>
/// <param name="More">Filter mode only: more unread events match; call again to mark the next batch.</param>
public sealed record MarkReadResult(int Marked, bool More);

/// <summary>
/// Each person's own read/star/notes on events. Any signed-in user, viewers included, may change their
/// own row and nobody else's: the row is always the caller's, found by (event, caller).
/// </summary>
public static class InteractionsApi
{
    public const int MaxMarkRead = 1000;
    public const int MaxNotesLength = 10_000;

    /// <summary>Concurrent calls for one user and event race on the unique index or the row version; the loser re-reads and applies again.</summary>
    private const int MaxAttempts = 5;

    public static IEndpointRouteBuilder MapInteractionsApi(this IEndpointRouteBuilder app)
    {
        var events = app.MapGroup("/api/events").WithTags("Interactions").RequireAuthorization(Policies.Viewer);
        events.MapPut("/{id}/interaction", PutAsync).WithName("PutEventInteraction")
            .Accepts<InteractionChange>("application/json")
            .Produces<InteractionDto>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        events.MapPost("/mark-read", MarkReadAsync).WithName("MarkEventsRead")
            .Produces<MarkReadResult>().ProducesValidationProblem();
        return app;
    }

    /// <summary>The body of PUT .../interaction, for the OpenAPI document; every field is optional and an absent one stays as it is.</summary>
    public sealed record InteractionChange(bool? IsRead, bool? IsStarred, string? Notes);

    private static async Task<IResult> PutAsync(Guid id, HttpRequest request, ClaimsPrincipal principal, TidingsDbContext db,
        TimeProvider clock, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var body = await PatchDocument.ReadAsync(request, errors, ct);
        var change = Read(body, errors);
        body.RefuseUnknownFields();
        if (errors.Any)
            return errors.Problem();
        return await SetAsync(db, principal.UserId(), id, change, clock, ct) is { } mine
            ? TypedResults.Ok(InteractionDto.From(mine))
            : TypedResults.NotFound();
    }

    /// <summary>Applies <paramref name="change"/> to the user's own row for a live event (made when missing); null when there is no such event.</summary>
    public static async Task<EventUserInteraction?> SetAsync(TidingsDbContext db, Guid userId, Guid id, InteractionChange change, TimeProvider clock, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            // The event and the caller's row in one round trip; no event (or another business's) is a 404. A left join, not
            // a subquery in the projection: EF translates that one with ROW_NUMBER() over every interaction of the caller.
            // Live events, as the feed reads them: the row's own soft-delete filter would join the event again.
            var found = await (
                    from e in EventFeed.LiveTracked(db).WithGenericPlan()
                    where e.Id == id
                    from i in db.EventUserInteractions.Where(i => i.EventId == e.Id && i.UserId == userId).DefaultIfEmpty()
                    select new { Mine = i })
                .SingleOrDefaultAsync(ct);
            if (found is null)
                return null;
            var mine = found.Mine;
            if (mine is null)
                db.EventUserInteractions.Add(mine = new EventUserInteraction { EventId = id, UserId = userId });
            Apply(mine, change, StoredTime.Now(clock));
            try
            {
                await db.SaveChangesAsync(ct);
                return mine;
            }
            catch (DbUpdateException) when (attempt < MaxAttempts)
            {
                // Someone (the same user in another tab) inserted or changed the row first: start over from what is stored.
                db.ChangeTracker.Clear();
            }
        }
    }

    private static async Task<IResult> MarkReadAsync(MarkReadRequest request, ClaimsPrincipal principal, TidingsDbContext db,
        TimeProvider clock, CancellationToken ct)
    {
        var errors = new FieldErrors();
        if ((request.Ids is null) == (request.Filter is null))
            errors.Add("ids", "Give either ids or filter, not both.");
        if (request.Ids is { Count: > MaxMarkRead })
            errors.Add("ids", $"At most {MaxMarkRead} ids per call.");
        request.Filter?.Validate(errors, "filter.");
        if (errors.Any)
            return errors.Problem();

        var userId = principal.UserId();
        var reviewThreshold = request.Filter?.NeedsReview == true ? await EventFeed.ReviewThresholdAsync(db, ct) : (double?)null;
        var eventIds = request.Ids ?? await EventFeed.Matching(db, userId, request.Filter! with { Unread = true }, reviewThreshold)
            .NewestFirst().Select(x => x.Event.Id).Take(MaxMarkRead + 1).ToListAsync(ct);
        var more = request.Ids is null && eventIds.Count > MaxMarkRead;
        var marked = await SetManyAsync(db, userId, eventIds.Take(MaxMarkRead).ToList(), new InteractionChange(IsRead: true, null, null), clock, ct);
        return TypedResults.Ok(new MarkReadResult(marked.Count, more));
    }

    /// <summary>
    /// Applies <paramref name="change"/> to the user's own rows for those of <paramref name="ids"/> that are live events of the
    /// business, in one save; ids of missing, deleted or other businesses' events are skipped, not refused. Answers the ids
    /// whose row changed (an event already read is not "marked read"), so an undo restores exactly those.
    /// </summary>
    public static async Task<List<Guid>> SetManyAsync(TidingsDbContext db, Guid userId, IReadOnlyCollection<Guid> ids, InteractionChange change,
        TimeProvider clock, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var eventIds = await db.Events.Where(e => ids.Contains(e.Id)).Select(e => e.Id).ToListAsync(ct);
            var existing = await db.EventUserInteractions.Where(i => i.UserId == userId && eventIds.Contains(i.EventId))
                .ToDictionaryAsync(i => i.EventId, ct);
            var now = StoredTime.Now(clock);
            var changed = new List<Guid>();
            foreach (var eventId in eventIds)
            {
                var isNew = !existing.TryGetValue(eventId, out var mine);
                mine ??= new EventUserInteraction { EventId = eventId, UserId = userId };
                if (!Apply(mine, change, now))
                    continue;
                // A row is made only when it says something: unstarring an event never touched stores nothing.
                if (isNew)
                    db.EventUserInteractions.Add(mine);
                changed.Add(eventId);
            }
            try
            {
                await db.SaveChangesAsync(ct);
                return changed;
            }
            catch (DbUpdateException) when (attempt < MaxAttempts)
            {
                // Someone (the same user in another tab) inserted or changed a row first: start over from what is stored.
                db.ChangeTracker.Clear();
            }
        }
    }

    private static InteractionChange Read(PatchDocument body, FieldErrors errors)
    {
        var isRead = Flag(body, errors, "isRead");
        var isStarred = Flag(body, errors, "isStarred");
        string? notes = null;
        // Notes present as null clear them; absent, they stay. The empty string stands for "present, cleared".
        if (body.Has<string>("notes", out var text))
            notes = text ?? "";
        errors.MaxLength("notes", notes, MaxNotesLength);
        // An empty change would store a row that says nothing (or, for a row already there, do nothing): a mistake either way.
        if (isRead is null && isStarred is null && notes is null && !errors.Any)
            errors.Add("body", "Give at least one of isRead, isStarred, notes.");
        return new InteractionChange(isRead, isStarred, notes);
    }

    /// <summary>An absent flag stays as it is; a present one must be true or false.</summary>
    private static bool? Flag(PatchDocument body, FieldErrors errors, string field)
    {
        if (!body.Has<bool?>(field, out var value))
            return null;
        if (value is null)
            errors.Add(field, "Must be a boolean.");
        return value;
    }

    /// <summary>Sets what the change names; read_at/starred_at follow their flag, kept while it stays on. Answers whether anything changed.</summary>
    private static bool Apply(EventUserInteraction mine, InteractionChange change, DateTime now)
    {
        var changed = false;
        if (change.IsRead is { } read && read != mine.IsRead)
            ((mine.IsRead, mine.ReadAt), changed) = ((read, read ? now : null), true);
        if (change.IsStarred is { } starred && starred != mine.IsStarred)
            ((mine.IsStarred, mine.StarredAt), changed) = ((starred, starred ? now : null), true);
        if (change.Notes is { } notes && (notes.Length == 0 ? null : notes) != mine.UserNotes)
            (mine.UserNotes, changed) = (notes.Length == 0 ? null : notes, true);
        return changed;
    }
}
