using Microsoft.EntityFrameworkCore;
using Tidings.Data;
using Tidings.Users;

namespace Tidings.Tags;

/// <summary>
/// Putting a tag on a client or an event and taking it off. Both verbs are idempotent: PUT answers 204
/// whether the link is new or was there, DELETE whether it was there or not. A client, event or tag
/// that is missing, deleted or another business's answers 404.
/// </summary>
public static class TagLinksApi
{
    public static IEndpointRouteBuilder MapTagLinksApi(this IEndpointRouteBuilder app)
    {
        var links = app.MapGroup("/api").WithTags("Tags").RequireAuthorization(Policies.Member);
        links.MapPut("/clients/{id}/tags/{tagId}", TagClientAsync).WithName("TagClient").WithSummary("Put a tag on a client (member+).");
        links.MapDelete("/clients/{id}/tags/{tagId}", UntagClientAsync).WithName("UntagClient").WithSummary("Take a tag off a client (member+).");
        links.MapPut("/events/{id}/tags/{tagId}", TagEventAsync).WithName("TagEvent").WithSummary("Put a tag on an event (member+).");
        links.MapDelete("/events/{id}/tags/{tagId}", UntagEventAsync).WithName("UntagEvent").WithSummary("Take a tag off an event (member+).");
        return app;
    }

    public static async Task<IResult> TagClientAsync(Guid id, Guid tagId, TidingsDbContext db, CancellationToken ct)
    {
        if (!await db.Clients.AnyAsync(c => c.Id == id, ct) || !await db.Tags.AnyAsync(t => t.Id == tagId, ct))
            return TypedResults.NotFound();
        var linked = db.ClientTags.Where(l => l.ClientId == id && l.TagId == tagId);
        if (!await linked.AnyAsync(ct))
        {
            db.ClientTags.Add(new ClientTag { ClientId = id, TagId = tagId });
            await SaveUnlessLinkedMeanwhileAsync(db, linked, ct);
        }
        return TypedResults.NoContent();
    }

    public static async Task<IResult> UntagClientAsync(Guid id, Guid tagId, TidingsDbContext db, CancellationToken ct)
    {
        if (!await db.Clients.AnyAsync(c => c.Id == id, ct) || !await db.Tags.AnyAsync(t => t.Id == tagId, ct))
            return TypedResults.NotFound();
        if (await db.ClientTags.SingleOrDefaultAsync(l => l.ClientId == id && l.TagId == tagId, ct) is { } link)
        {
            db.ClientTags.Remove(link);
            await db.SaveChangesAsync(ct);
        }
        return TypedResults.NoContent();
    }

    /// <summary>PUT /api/events/{id}/tags/{tagId}, also the event page's: 204, or 404 for a missing event or tag.</summary>
    public static async Task<IResult> TagEventAsync(Guid id, Guid tagId, TidingsDbContext db, CancellationToken ct)
    {
        if (!await db.Events.AnyAsync(e => e.Id == id, ct) || !await db.Tags.AnyAsync(t => t.Id == tagId, ct))
            return TypedResults.NotFound();
        var linked = db.EventTags.Where(l => l.EventId == id && l.TagId == tagId);
        if (!await linked.AnyAsync(ct))
        {
            db.EventTags.Add(new EventTag { EventId = id, TagId = tagId });
            await SaveUnlessLinkedMeanwhileAsync(db, linked, ct);
        }
        return TypedResults.NoContent();
    }

    /// <summary>DELETE /api/events/{id}/tags/{tagId}, also the event page's: 204, or 404 for a missing event or tag.</summary>
    public static async Task<IResult> UntagEventAsync(Guid id, Guid tagId, TidingsDbContext db, CancellationToken ct)
    {
        if (!await db.Events.AnyAsync(e => e.Id == id, ct) || !await db.Tags.AnyAsync(t => t.Id == tagId, ct))
            return TypedResults.NotFound();
        if (await db.EventTags.SingleOrDefaultAsync(l => l.EventId == id && l.TagId == tagId, ct) is { } link)
        {
            db.EventTags.Remove(link);
            await db.SaveChangesAsync(ct);
        }
        return TypedResults.NoContent();
    }

    /// <summary>Two simultaneous PUTs of one link: the unique index refuses the second, which then finds the link there and is done.</summary>
    private static async Task SaveUnlessLinkedMeanwhileAsync<TLink>(TidingsDbContext db, IQueryable<TLink> linked, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            if (!await linked.AnyAsync(ct))
                throw;
        }
    }
}
