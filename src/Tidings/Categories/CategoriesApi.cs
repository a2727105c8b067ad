using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Tidings.Classification;
using Tidings.Data;
using Tidings.Data.SoftDelete;
using Tidings.Users;
using Tidings.Web;

namespace Tidings.Categories;

/// <summary>
/// The business's taxonomy: admins add, rename, describe, merge and retire categories. A key is what events store,
/// so it never changes: a new key is a new category, and merging the old one into it moves the events.
/// Subcategories are one level deep. The list is not paged: a taxonomy is a few dozen rows. Every change drops this
/// process's cached knowledge of the business (ClassifierKnowledge), so its next classification reads the taxonomy again.
/// </summary>
public static partial class CategoriesApi
{
    public static IEndpointRouteBuilder MapCategoriesApi(this IEndpointRouteBuilder app)
    {
        var categories = app.MapGroup("/api/categories").WithTags("Categories").RequireAuthorization(Policies.Viewer);
        categories.MapGet("/", ListAsync).WithName("ListCategories")
            .WithSummary("Every live category, each top-level one (by key) followed by its subcategories (by key), with how many live events use it; not paged.");
        categories.MapPost("/", CreateAsync).WithName("CreateCategory").RequireAuthorization(Policies.Admin)
            .WithSummary("Add a category or, with parentId, a subcategory (admin); 409 when a live category has the key.")
            .Produces<CategoryDto>(StatusCodes.Status201Created).ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        categories.MapGet("/{id}", GetAsync).WithName("GetCategory")
            .WithSummary("A category; the ETag header is its version.");
        categories.MapPatch("/{id}", UpdateAsync).WithName("UpdateCategory").RequireAuthorization(Policies.Admin)
            .WithSummary("Merge-patch a category's name, description, signal or weight (admin); the key cannot change (merge instead); a stale If-Match answers 412.")
            .Accepts<CreateCategoryRequest>("application/merge-patch+json", "application/json")
            .Produces<CategoryDto>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status412PreconditionFailed);
        categories.MapDelete("/{id}", RetireAsync).WithName("RetireCategory").RequireAuthorization(Policies.Admin)
            .WithSummary("Retire a category (admin); its key is free again and its events keep it. 409 while it has live subcategories.")
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status412PreconditionFailed);
        categories.MapPost("/{id}/restore", RestoreAsync).WithName("RestoreCategory").RequireAuthorization(Policies.Admin)
            .WithSummary("Bring a retired category back (admin); 409 when a live category took its key, its parent is retired, or it is not retired.")
            .Produces<CategoryDto>().ProducesProblem(StatusCodes.Status409Conflict);
        categories.MapPost("/{id}/merge", MergeAsync).WithName("MergeCategory").RequireAuthorization(Policies.Admin)
            .WithSummary("Move every event of a category (trashed ones too) to another of the same level, then retire it (admin); answers how many moved.")
            .Produces<CategoryMergeDto>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        categories.MapPost("/reclassify", Reclassification.RunAsync).WithName("ReclassifyEvents").RequireAuthorization(Policies.Admin)
            .WithSummary("Classify again, with the business's categories and examples as they are now, every live event the classifier labelled " +
                "and nobody reviewed (admin); answers how many were examined and how many changed category.");
        return app;
    }

    private static async Task<Ok<List<CategoryDto>>> ListAsync(TidingsDbContext db, CancellationToken ct) =>
        TypedResults.Ok(await ListAllAsync(db, ct));

    /// <summary>Every live category, each top-level one (by key) followed by its subcategories, with its live events: the list the API and the categories page show.</summary>
    public static async Task<List<CategoryDto>> ListAllAsync(TidingsDbContext db, CancellationToken ct)
    {
        var rows = await db.Categories.AsNoTracking().ToListAsync(ct);
        var byCategory = await db.Events.GroupBy(e => e.Category).Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        var bySubcategory = await db.Events.Where(e => e.Subcategory != null).GroupBy(e => e.Subcategory!).Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        var keys = rows.ToDictionary(c => c.Id, c => c.Key);
        var children = rows.Where(c => c.ParentId is not null).ToLookup(c => c.ParentId!.Value);
        var ordered = rows.Where(c => c.ParentId is null).OrderBy(c => c.Key, StringComparer.Ordinal)
            .SelectMany(p => children[p.Id].OrderBy(c => c.Key, StringComparer.Ordinal).Prepend(p));
        return ordered.Select(c => CategoryDto.From(c, c.ParentId is { } p ? keys[p] : null,
            (c.ParentId is null ? byCategory : bySubcategory).GetValueOrDefault(c.Key))).ToList();
    }

    /// <summary>Adds a category (or a subcategory): the API's POST and the categories page. Field errors answer a validation problem.</summary>
    public static async Task<IResult> CreateAsync(CreateCategoryRequest request, TidingsDbContext db, ClassifierKnowledge knowledge,
        HttpResponse response, CancellationToken ct)
    {
        var errors = new FieldErrors()
            .Required("name", request.Name, Category.MaxNameLength)
            .MaxLength("description", request.Description, Category.MaxDescriptionLength)
            .OneOf("signal", request.Signal, CategorySignals.All)
            .Range("weight", request.Weight, 0, 1);
        ValidateKey(errors, request.Key);
        if (errors.Any)
            return errors.Problem();

        Category? parent = null;
        if (request.ParentId is { } parentId)
        {
            parent = await db.Categories.AsNoTracking().SingleOrDefaultAsync(c => c.Id == parentId, ct);
            if (parent is not { ParentId: null })
                return NotAParent();
        }
        var key = request.Key!;
        if (await db.Categories.AnyAsync(c => c.Key == key, ct))
            return KeyConflict(key);

        var category = new Category
        {
            Key = key, Name = request.Name!.Trim(), Description = Blank(request.Description), ParentId = parent?.Id,
            Signal = request.Signal ?? CategorySignals.Neutral, Weight = request.Weight ?? 0.5,
        };
        db.Categories.Add(category);
        await db.SaveChangesAsync(ct);
        knowledge.Forget(category.BusinessId);
        ETags.Set(response, category);
        return TypedResults.Created($"/api/categories/{category.Id}", CategoryDto.From(category, parent?.Key, 0));
    }

    private static async Task<Results<Ok<CategoryDto>, NotFound>> GetAsync(Guid id, TidingsDbContext db, HttpResponse response, CancellationToken ct)
    {
        var category = await db.Categories.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id, ct);
        if (category is null)
            return TypedResults.NotFound();
        ETags.Set(response, category);
        return TypedResults.Ok(await ToDtoAsync(db, category, ct));
    }

    private static async Task<IResult> UpdateAsync(Guid id, TidingsDbContext db, ClassifierKnowledge knowledge, HttpContext http, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var patch = await PatchDocument.ReadAsync(http.Request, errors, ct);
        var category = await db.Categories.SingleOrDefaultAsync(c => c.Id == id, ct);
        if (category is null)
            return TypedResults.NotFound();

        // Sending the key or parent a category already has is no change; changing them would re-file its events behind their back.
        if (patch.Has<JsonNode>("key", out var key) && key?.ToString() != category.Key)
            errors.Add("key", "The key cannot change: events store it. Create a category with the new key and merge this one into it.");
        if (patch.Has<JsonNode>("parentId", out var parentId)
            && (Guid.TryParse(parentId?.ToString(), out var parent) ? parent : (Guid?)null) != category.ParentId)
            errors.Add("parentId", "A category cannot move: create one under the new parent and merge this one into it.");
        var hasName = patch.Has<string>("name", out var name);
        var hasDescription = patch.Has<string>("description", out var description);
        var hasSignal = patch.Has<string>("signal", out var signal);
        var hasWeight = patch.Has<double?>("weight", out var weight);
        patch.RefuseUnknownFields();
        return await EditAsync(category, new CategoryEdit(hasName, name, hasDescription, description, hasSignal, signal, hasWeight, weight),
            errors, db, knowledge, http, ct);
    }

    /// <summary>
    /// Changes a category (tracked by <paramref name="db"/>) as its edit says, by the rules a new one obeys: the API's
    /// PATCH and the categories page's rename. Field errors (with those already in <paramref name="errors"/>) answer a validation problem.
    /// </summary>
    public static async Task<IResult> EditAsync(Category category, CategoryEdit edit, FieldErrors errors, TidingsDbContext db, ClassifierKnowledge knowledge,
        HttpContext http, CancellationToken ct)
    {
        if (edit.HasName)
            errors.Required("name", edit.Name, Category.MaxNameLength);
        errors.MaxLength("description", edit.Description, Category.MaxDescriptionLength);
        if (edit.HasSignal && edit.Signal is null)
            errors.Add("signal", "Required.");
        errors.OneOf("signal", edit.Signal, CategorySignals.All);
        if (edit.HasWeight && edit.Weight is null)
            errors.Add("weight", "Required.");
        errors.Range("weight", edit.Weight, 0, 1);
        if (errors.Any)
            return errors.Problem();
        if (ETags.IsStale(http.Request, category))
            return ETags.PreconditionFailed();

        if (edit.HasName)
            category.Name = edit.Name!.Trim();
        if (edit.HasDescription)
            category.Description = Blank(edit.Description);
        if (edit.HasSignal)
            category.Signal = edit.Signal!;
        if (edit.HasWeight)
            category.Weight = edit.Weight!.Value;
        await db.SaveChangesAsync(ct);
        knowledge.Forget(category.BusinessId);
        ETags.Set(http.Response, category);
        return TypedResults.Ok(await ToDtoAsync(db, category, ct));
    }

    /// <summary>Retires a category: the API's DELETE and the categories page.</summary>
    public static async Task<IResult> RetireAsync(Guid id, TidingsDbContext db, ClassifierKnowledge knowledge, HttpRequest request, CancellationToken ct)
    {
        var category = await db.Categories.SingleOrDefaultAsync(c => c.Id == id, ct);
        if (category is null)
            return TypedResults.NotFound();
        if (ETags.IsStale(request, category))
            return ETags.PreconditionFailed();
        if (await HasSubcategoriesAsync(db, category, ct))
            return HasSubcategories();
        db.Categories.Remove(category);
        await db.SaveChangesAsync(ct);
        knowledge.Forget(category.BusinessId);
        return TypedResults.NoContent();
    }

    /// <summary>Brings a retired category back: the API's POST /restore and the categories page. A refusal is a 409 problem in words.</summary>
    public static async Task<IResult> RestoreAsync(Guid id, TidingsDbContext db, ClassifierKnowledge knowledge, HttpResponse response, CancellationToken ct)
    {
        var category = await db.Categories.IgnoreQueryFilters([SoftDeleteRules.Filter]).SingleOrDefaultAsync(c => c.Id == id, ct);
        if (category is null)
            return TypedResults.NotFound();
        if (!category.IsDeleted)
            return TypedResults.Problem(title: "Not retired", detail: "The category is live.", statusCode: StatusCodes.Status409Conflict);
        if (await db.Categories.AnyAsync(c => c.Key == category.Key, ct))
            return KeyConflict(category.Key);
        // A subcategory under a retired parent would be a live category nobody can reach from the top.
        if (category.ParentId is { } parentId && !await db.Categories.AnyAsync(c => c.Id == parentId, ct))
            return TypedResults.Problem(title: "Parent retired", detail: "Restore its parent category first.", statusCode: StatusCodes.Status409Conflict);
        db.Restore(category);
        await db.SaveChangesAsync(ct);
        knowledge.Forget(category.BusinessId);
        ETags.Set(response, category);
        return TypedResults.Ok(await ToDtoAsync(db, category, ct));
    }

    /// <summary>
    /// One transaction: the events change through the change tracker, so each is audited as an UPDATE of its own, and
    /// the source is retired in the same save. Trashed events move too, so restoring one never brings back a retired key;
    /// the business's labelled examples move with them, so what people taught the classifier lands in the target.
    /// </summary>
    public static async Task<IResult> MergeAsync(Guid id, MergeCategoryRequest request, TidingsDbContext db, ClassifierKnowledge knowledge,
        HttpRequest http, CancellationToken ct)
    {
        var result = await db.InTransactionAsync<IResult>(async ct =>
        {
            var source = await db.Categories.SingleOrDefaultAsync(c => c.Id == id, ct);
            if (source is null)
                return TypedResults.NotFound();
            if (request.Into is not { } intoId)
                return new FieldErrors().Add("into", "Required.").Problem();
            if (ETags.IsStale(http, source))
                return ETags.PreconditionFailed();
            if (intoId == source.Id)
                return Refusals.NotAllowed("A category cannot be merged into itself.");
            var target = await db.Categories.SingleOrDefaultAsync(c => c.Id == intoId, ct);
            if (target is null)
                return TypedResults.Problem(title: "Not Found", detail: "into must name a live category of this business.", statusCode: StatusCodes.Status404NotFound);
            if ((source.ParentId is null) != (target.ParentId is null))
                return Refusals.NotAllowed("A top-level category merges into a top-level category, a subcategory into a subcategory.");
            if (await HasSubcategoriesAsync(db, source, ct))
                return HasSubcategories();

            var events = db.Events.IgnoreQueryFilters([SoftDeleteRules.Filter]);
            var moving = await (source.ParentId is null ? events.Where(e => e.Category == source.Key) : events.Where(e => e.Subcategory == source.Key))
                .ToListAsync(ct);
            // A subcategory is read under its parent: an event moved to another parent's subcategory takes that parent too.
            var targetParentKey = target.ParentId is { } p ? await db.Categories.Where(c => c.Id == p).Select(c => c.Key).SingleAsync(ct) : null;
            foreach (var ev in moving)
                if (targetParentKey is null)
                    ev.Category = target.Key;
                else
                    (ev.Category, ev.Subcategory) = (targetParentKey, target.Key);
            var examples = db.ClassificationExamples.IgnoreQueryFilters([SoftDeleteRules.Filter]);
            foreach (var example in await (source.ParentId is null ? examples.Where(x => x.Category == source.Key) : examples.Where(x => x.Subcategory == source.Key)).ToListAsync(ct))
                if (targetParentKey is null)
                    example.Category = target.Key;
                else
                    (example.Category, example.Subcategory) = (targetParentKey, target.Key);
            db.Categories.Remove(source);
            await db.SaveChangesAsync(ct);
            return TypedResults.Ok(new CategoryMergeDto(moving.Count, await ToDtoAsync(db, target, ct)));
        }, ct);
        if (result is Ok<CategoryMergeDto>)
            knowledge.Forget(db.Tenant.RequireBusinessId());
        return result;
    }

    private static async Task<CategoryDto> ToDtoAsync(TidingsDbContext db, Category category, CancellationToken ct)
    {
        var parentKey = category.ParentId is { } p
            ? await db.Categories.IgnoreQueryFilters([SoftDeleteRules.Filter]).Where(c => c.Id == p).Select(c => c.Key).SingleAsync(ct)
            : null;
        var events = category.ParentId is null
            ? await db.Events.CountAsync(e => e.Category == category.Key, ct)
            : await db.Events.CountAsync(e => e.Subcategory == category.Key, ct);
        return CategoryDto.From(category, parentKey, events);
    }

    private static Task<bool> HasSubcategoriesAsync(TidingsDbContext db, Category category, CancellationToken ct) =>
        db.Categories.AnyAsync(c => c.ParentId == category.Id, ct);

    private static void ValidateKey(FieldErrors errors, string? key)
    {
        if (string.IsNullOrEmpty(key))
            errors.Add("key", "Required.");
        else if (key.Length > Category.MaxKeyLength)
            errors.Add("key", $"At most {Category.MaxKeyLength} characters.");
        else if (!KeyPattern().IsMatch(key))
            errors.Add("key", "Must be a lowercase letter, then lowercase letters, digits or underscores.");
    }

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;

    private static IResult KeyConflict(string key) => TypedResults.Problem(
        title: "Category key already in use", detail: $"A live category of this business has the key \"{key}\".",
        statusCode: StatusCodes.Status409Conflict);

    private static IResult HasSubcategories() => TypedResults.Problem(
        title: "The category has subcategories", detail: "Retire or merge its live subcategories first.",
        statusCode: StatusCodes.Status409Conflict);

    private static IResult NotAParent() => TypedResults.Problem(title: "Not allowed",
        detail: "parentId must name a live top-level category of this business (subcategories are one level deep).", statusCode: 422);


    [GeneratedRegex(@"^[a-z][a-z0-9_]*\z")]
    private static partial Regex KeyPattern();
}
