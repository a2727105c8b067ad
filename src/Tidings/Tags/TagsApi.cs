using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Tidings.Data;
using Tidings.Data.SoftDelete;
using Tidings.Users;
using Tidings.Web;

namespace Tidings.Tags;

/// <summary>
/// The business's tags, and (in TagLinksApi) putting them on clients and events. A name is unique among
/// the business's live tags, compared case-insensitively ("VIP" and "vip" are one tag); a deleted tag's
/// name is free again.
/// </summary>
public static partial class TagsApi
{
    public const int MaxNameLength = 100;

    public static IEndpointRouteBuilder MapTagsApi(this IEndpointRouteBuilder app)
    {
        var tags = app.MapGroup("/api/tags").WithTags("Tags").RequireAuthorization(Policies.Viewer);
        tags.MapGet("/", ListAsync).WithName("ListTags")
            .WithSummary("List tags ordered by name, then id (keyset cursor).")
            .Produces<Page<TagDto>>().ProducesValidationProblem();
        tags.MapPost("/", CreateAsync).WithName("CreateTag").RequireAuthorization(Policies.Member)
            .WithSummary("Create a tag (member+); 409 when a live tag has the same name, whatever its case.")
            .Produces<TagDto>(StatusCodes.Status201Created).ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict);
        tags.MapGet("/{id}", GetAsync).WithName("GetTag")
            .WithSummary("A tag; the ETag header is its version.");
        tags.MapPatch("/{id}", UpdateAsync).WithName("UpdateTag").RequireAuthorization(Policies.Member)
            .WithSummary("Merge-patch a tag's name or color (member+); a stale If-Match answers 412.")
            .Accepts<CreateTagRequest>("application/merge-patch+json", "application/json")
            .Produces<TagDto>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status412PreconditionFailed);
        tags.MapDelete("/{id}", DeleteAsync).WithName("DeleteTag").RequireAuthorization(Policies.Member)
            .WithSummary("Move a tag to the trash (member+); its links hide with it and its name can be used again.")
            .ProducesProblem(StatusCodes.Status412PreconditionFailed);
        tags.MapPost("/{id}/restore", RestoreAsync).WithName("RestoreTag").RequireAuthorization(Policies.Member)
            .WithSummary("Bring a tag back from the trash with its links (member+); 409 when a live tag took its name meanwhile or it is not in the trash.")
            .Produces<TagDto>().ProducesProblem(StatusCodes.Status409Conflict);
        app.MapTagLinksApi();
        return app;
    }

    private static async Task<IResult> ListAsync(TidingsDbContext db, int? limit, string? cursor, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var take = Paging.Limit(limit, errors);
        if (errors.Any)
            return errors.Problem();
        var after = Paging.Decode<TagCursor>(cursor);
        if (after is { Name: null } || after?.Id == Guid.Empty)
            throw new InvalidCursorException();
        var query = db.Tags.AsNoTracking();
        if (after is not null)
            query = query.Where(t => string.Compare(t.Name, after.Name) > 0 || (t.Name == after.Name && t.Id.CompareTo(after.Id) > 0));
        var rows = await query.OrderBy(t => t.Name).ThenBy(t => t.Id).Take(take + 1).ToListAsync(ct);
        return TypedResults.Ok(Paging.Of(rows, take, TagDto.From, t => Paging.Encode(new TagCursor(t.Name, t.Id))));
    }

    private static async Task<IResult> CreateAsync(CreateTagRequest request, TidingsDbContext db, HttpResponse response, CancellationToken ct)
    {
        var errors = ValidateNew(request);
        if (errors.Any)
            return errors.Problem();
        var tag = new Tag { Name = "", Color = NormalizeColor(request.Color) };
        if (await TryNameAsync(db, tag, request.Name!, ct) is { } taken)
            return NameConflict(taken);
        await AddAsync(db, tag, ct);
        ETags.Set(response, tag);
        return TypedResults.Created($"/api/tags/{tag.Id}", TagDto.From(tag));
    }

    /// <summary>A new tag's fields as POST /api/tags and the tags page check them.</summary>
    public static FieldErrors ValidateNew(CreateTagRequest request)
    {
        var errors = new FieldErrors().Required("name", request.Name, MaxNameLength);
        ValidateColor(errors, request.Color);
        return errors;
    }

    /// <summary>
    /// Gives <paramref name="tag"/> the (valid) name unless a live tag other than it has it, whatever its case: then it
    /// answers why, the tag unchanged. Creating and renaming, by the API and the tags page.
    /// </summary>
    public static async Task<string?> TryNameAsync(TidingsDbContext db, Tag tag, string name, CancellationToken ct)
    {
        name = name.Trim();
        if (await NameTakenAsync(db, name, except: tag.Id, ct))
            return $"A tag named \"{name}\" already exists in this business.";
        tag.Name = name;
        return null;
    }

    public static async Task AddAsync(TidingsDbContext db, Tag tag, CancellationToken ct)
    {
        db.Tags.Add(tag);
        await db.SaveChangesAsync(ct);
    }

    private static async Task<Results<Ok<TagDto>, NotFound>> GetAsync(Guid id, TidingsDbContext db, HttpResponse response, CancellationToken ct)
    {
        var tag = await db.Tags.AsNoTracking().SingleOrDefaultAsync(t => t.Id == id, ct);
        if (tag is null)
            return TypedResults.NotFound();
        ETags.Set(response, tag);
        return TypedResults.Ok(TagDto.From(tag));
    }

    private static async Task<IResult> UpdateAsync(Guid id, TidingsDbContext db, HttpContext http, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var patch = await PatchDocument.ReadAsync(http.Request, errors, ct);
        var hasName = patch.Has<string>("name", out var name);
        if (hasName)
            errors.Required("name", name, MaxNameLength);
        var hasColor = patch.Has<string>("color", out var color);
        if (hasColor)
            ValidateColor(errors, color);
        patch.RefuseUnknownFields();
        if (errors.Any)
            return errors.Problem();

        var tag = await db.Tags.SingleOrDefaultAsync(t => t.Id == id, ct);
        if (tag is null)
            return TypedResults.NotFound();
        if (ETags.IsStale(http.Request, tag))
            return ETags.PreconditionFailed();
        if (hasName && await TryNameAsync(db, tag, name!, ct) is { } taken)
            return NameConflict(taken);
        if (hasColor)
            tag.Color = NormalizeColor(color);
        await db.SaveChangesAsync(ct);
        ETags.Set(http.Response, tag);
        return TypedResults.Ok(TagDto.From(tag));
    }

    /// <summary>DELETE /api/tags/{id}, also the tags page's: 204, 404 or 412.</summary>
    public static Task<IResult> DeleteAsync(Guid id, TidingsDbContext db, HttpRequest request, CancellationToken ct) =>
        SoftDeleteRoutes.DeleteAsync(db, db.Tags.Where(t => t.Id == id), request, ct);

    /// <summary>The restore route, which the trash page calls too.</summary>
    public static async Task<IResult> RestoreAsync(Guid id, TidingsDbContext db, HttpResponse response, CancellationToken ct)
    {
        var tag = await db.Tags.IgnoreQueryFilters([SoftDeleteRules.Filter]).SingleOrDefaultAsync(t => t.Id == id, ct);
        if (tag is null)
            return TypedResults.NotFound();
        if (!tag.IsDeleted)
            return TypedResults.Problem(title: "Not in the trash", detail: "The tag is not deleted.", statusCode: StatusCodes.Status409Conflict);
        if (await TryNameAsync(db, tag, tag.Name, ct) is { } taken)
            return NameConflict(taken);
        db.Restore(tag);
        await db.SaveChangesAsync(ct);
        ETags.Set(response, tag);
        return TypedResults.Ok(TagDto.From(tag));
    }

    /// <summary>
    /// Case-insensitive among live tags. The unique index (exact name) backs it up against two
    /// simultaneous creations; lower() is ASCII-only on SQLite, so there non-ASCII case variants
    /// are told apart by the index alone.
    /// </summary>
    private static Task<bool> NameTakenAsync(TidingsDbContext db, string name, Guid? except, CancellationToken ct)
    {
        var lowered = name.ToLowerInvariant();
        var others = except is { } id ? db.Tags.Where(t => t.Id != id) : db.Tags;
        return others.AnyAsync(t => t.Name.ToLower() == lowered, ct);
    }

    /// <summary>The live tag of that name, whatever its case (as <see cref="NameTakenAsync"/> compares), or null.</summary>
    public static Task<Tag?> FindByNameAsync(TidingsDbContext db, string name, CancellationToken ct)
    {
        var lowered = name.Trim().ToLowerInvariant();
        return db.Tags.Where(t => t.Name.ToLower() == lowered).OrderBy(t => t.Id).FirstOrDefaultAsync(ct);
    }

    private static IResult NameConflict(string detail) => TypedResults.Problem(
        title: "Tag name already in use", detail: detail, statusCode: StatusCodes.Status409Conflict);

    private static void ValidateColor(FieldErrors errors, string? color)
    {
        if (color is not null && !HexColor().IsMatch(color))
            errors.Add("color", "Must be a color in the form #RRGGBB.");
    }

    /// <summary>One spelling per color, so "#ff0000" and "#FF0000" compare equal wherever colors are compared.</summary>
    private static string? NormalizeColor(string? color) => color?.ToUpperInvariant();

    [GeneratedRegex(@"^#[0-9A-Fa-f]{6}\z")]
    private static partial Regex HexColor();
}
