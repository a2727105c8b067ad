using Microsoft.EntityFrameworkCore;
using Tidings.Data;
using Tidings.Data.Auditing;
using Tidings.Data.SoftDelete;
using Tidings.Events;
using Tidings.Users;
using Tidings.Web;

namespace Tidings.Trash;

/// <summary>A soft-deleted client, event or tag; <see cref="Name"/> is an event's title.</summary>
public sealed record TrashItemDto(string Kind, Guid Id, string Name, DateTime DeletedAt, Guid? DeletedByUserId);

/// <summary>The sort key of the trash: newest deletion first, then id.</summary>
public sealed record TrashCursor(DateTime DeletedAt, Guid Id);

public static class TrashKinds
{
    public const string Client = "client";
    public const string Event = "event";
    public const string Tag = "tag";

    public static readonly IReadOnlyList<string> All = [Client, Event, Tag];
}

/// <summary>
/// What was deleted and can still come back: soft-deleted clients, events and tags of the business.
/// Only rows deleted themselves are listed; an event hidden by its deleted client returns with the client.
/// Purging removes a row for good (audited as PURGE); restoring is each feature's own route
/// (POST /api/clients/{id}/restore, /api/events/{id}/restore, /api/tags/{id}/restore).
/// </summary>
public static class TrashApi
{
    public static IEndpointRouteBuilder MapTrashApi(this IEndpointRouteBuilder app)
    {
        var trash = app.MapGroup("/api/trash").WithTags("Trash");
        trash.MapGet("", ListAsync).WithName("ListTrash").RequireAuthorization(Policies.Member)
            .WithSummary("Deleted clients, events and tags, newest deletion first (keyset cursor); kind=client|event|tag narrows it (member+).")
            .Produces<Page<TrashItemDto>>().ProducesValidationProblem();
        trash.MapDelete("/{kind}/{id}", PurgeAsync).WithName("PurgeTrashItem").RequireAuthorization(Policies.Admin)
            .WithSummary("Remove a deleted client, event or tag for good, audited as PURGE (admin+); a live one answers 409.")
            .Produces(StatusCodes.Status204NoContent).ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status412PreconditionFailed);
        return app;
    }

    private static async Task<IResult> ListAsync(TidingsDbContext db, string? kind, int? limit, string? cursor, CancellationToken ct)
    {
        var errors = new FieldErrors().OneOf("kind", kind, TrashKinds.All);
        var take = Paging.Limit(limit, errors);
        if (errors.Any)
            return errors.Problem();
        return TypedResults.Ok(await PageAsync(db, kind, take, DecodeCursor(cursor), ct));
    }

    public static TrashCursor? DecodeCursor(string? cursor) =>
        Paging.Decode<TrashCursor>(cursor) is { } after ? after with { DeletedAt = DateTime.SpecifyKind(after.DeletedAt, DateTimeKind.Utc) } : null;

    /// <summary>A page of the trash, the list route's and the trash page's; <paramref name="kind"/> is one of TrashKinds or null for all.</summary>
    public static async Task<Page<TrashItemDto>> PageAsync(TidingsDbContext db, string? kind, int take, TrashCursor? after, CancellationToken ct)
    {
        // Each kind gives its own first page in the trash's order; merged, they give the page of all three.
        var items = new List<TrashItemDto>();
        if (kind is null or TrashKinds.Client)
            items.AddRange(await Deleted(db.Clients, after).Take(take + 1)
                .Select(c => new TrashItemDto(TrashKinds.Client, c.Id, c.Name, c.DeletedAt!.Value, c.DeletedByUserId)).ToListAsync(ct));
        if (kind is null or TrashKinds.Event)
            items.AddRange(await Deleted(db.Events, after).Take(take + 1)
                .Select(e => new TrashItemDto(TrashKinds.Event, e.Id, e.Title, e.DeletedAt!.Value, e.DeletedByUserId)).ToListAsync(ct));
        if (kind is null or TrashKinds.Tag)
            items.AddRange(await Deleted(db.Tags, after).Take(take + 1)
                .Select(t => new TrashItemDto(TrashKinds.Tag, t.Id, t.Name, t.DeletedAt!.Value, t.DeletedByUserId)).ToListAsync(ct));
        // Guid.CompareTo orders as the databases do (uuid bytes, SQLite's upper-case text): by the canonical string.
        var page = items.OrderByDescending(i => i.DeletedAt).ThenByDescending(i => i.Id).Take(take + 1).ToList();
        return Paging.Of(page, take, i => i, i => Paging.Encode(new TrashCursor(i.DeletedAt, i.Id)));
    }

    private static IQueryable<T> Deleted<T>(DbSet<T> set, TrashCursor? after) where T : class, ISoftDeletable
    {
        var query = set.IgnoreQueryFilters([SoftDeleteRules.Filter]).AsNoTracking().Where(r => r.IsDeleted && r.DeletedAt != null);
        if (after is not null)
            query = query.Where(r => r.DeletedAt < after.DeletedAt
                || (r.DeletedAt == after.DeletedAt && EF.Property<Guid>(r, "Id").CompareTo(after.Id) < 0));
        return query.OrderByDescending(r => r.DeletedAt).ThenByDescending(r => EF.Property<Guid>(r, "Id"));
    }

    /// <summary>
    /// Removes a row of the trash for good, with what the database removes with it (every row accounted for in the
    /// audit trail: TidingsDbContext.Purge). A live row is refused with 409: delete it first. An event that is the
    /// original of a story first hands the story to its oldest copy (Stories), in the same transaction.
    /// </summary>
    public static async Task<IResult> PurgeAsync(string kind, Guid id, HttpRequest request, TidingsDbContext db, CancellationToken ct)
    {
        var errors = new FieldErrors().OneOf("kind", kind, TrashKinds.All);
        if (errors.Any)
            return errors.Problem();
        return await db.InTransactionAsync(async ct =>
        {
            var row = await FindAsync(db, kind, id, ct);
            if (row is null)
                return TypedResults.NotFound();
            if (ETags.IsStale(request, (ITimestamped)row))
                return ETags.PreconditionFailed();
            if (!row.IsDeleted)
                return NotInTrash(kind);
            if (row is Event ev)
            {
                await Stories.HandOverAsync(db, ev, stays: false, ct);
                await db.SaveChangesAsync(ct);
            }
            db.Purge(row);
            await db.SaveChangesAsync(ct);
            return TypedResults.NoContent();
        }, ct);
    }

    private static async Task<ISoftDeletable?> FindAsync(TidingsDbContext db, string kind, Guid id, CancellationToken ct) => kind switch
    {
        TrashKinds.Client => await db.Clients.IgnoreQueryFilters([SoftDeleteRules.Filter]).SingleOrDefaultAsync(c => c.Id == id, ct),
        TrashKinds.Event => await Stories.FindLockedAsync(db, db.Events.IgnoreQueryFilters([SoftDeleteRules.Filter]).Where(e => e.Id == id), ct),
        TrashKinds.Tag => await db.Tags.IgnoreQueryFilters([SoftDeleteRules.Filter]).SingleOrDefaultAsync(t => t.Id == id, ct),
        _ => null,
    };

    private static IResult NotInTrash(string kind) => TypedResults.Problem(
        title: $"The {kind} is not in the trash", detail: "Only a deleted record can be purged; delete it first.",
        statusCode: StatusCodes.Status409Conflict);
}
