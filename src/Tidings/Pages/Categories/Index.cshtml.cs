using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Tidings.Categories;
using Tidings.Classification;
using Tidings.Data;
using Tidings.Data.SoftDelete;
using Tidings.Users;
using Tidings.Web;

namespace Tidings.Pages.Categories;

/// <summary>
/// The business's taxonomy by CategoriesApi's own methods: add, rename, merge one into another, retire, and classify
/// the classifier's unreviewed events again, and bring a retired one back. Merging and retiring ask first (a details element, no script).
/// </summary>
[Authorize(Policy = Policies.Admin)]
public sealed class IndexModel(TidingsDbContext db, ClassifierKnowledge knowledge, HeadlineClassifier classifier) : PageModel
{
    /// <summary>At most this many retired categories are listed, the most recently retired first.</summary>
    public const int RetiredShown = 200;

    /// <summary>A retired (or merged) category as the page lists it; ParentKey is its parent's, live or not.</summary>
    public sealed record RetiredCategory(Guid Id, string Key, string Name, string? ParentKey, DateTime? RetiredAt);

    public List<CategoryDto> Categories { get; private set; } = [];
    public List<RetiredCategory> Retired { get; private set; } = [];
    public string ClassifierVersion => classifier.Version;

    [BindProperty] public string? Key { get; set; }
    [BindProperty] public string? Name { get; set; }
    [BindProperty] public Guid? ParentId { get; set; }
    [BindProperty] public string? Signal { get; set; }

    /// <summary>The errors of the form that was posted: the add form's, or those of the category <see cref="ActingOn"/>.</summary>
    public FieldErrors Errors { get; } = new();
    public Guid? ActingOn { get; private set; }
    public string? Refusal { get; private set; }
    public string? Notice { get; private set; }

    public async Task OnGetAsync(string? done, int? count, CancellationToken ct)
    {
        Notice = done switch
        {
            "added" => "Category added.",
            "renamed" => "Category renamed.",
            "retired" => "Category retired.",
            "restored" => "Category restored: new events can be filed under it again.",
            "merged" => $"Merged: {Plural(count ?? 0, "event")} moved.",
            "reclassified" => $"Classified again: {Plural(count ?? 0, "event")} changed category.",
            _ => null,
        };
        await LoadAsync(ct);
    }

    public async Task<IActionResult> OnPostAddAsync(CancellationToken ct)
    {
        var request = new CreateCategoryRequest(Key?.Trim(), Name, null, ParentId, string.IsNullOrEmpty(Signal) ? null : Signal, null);
        var answer = ApiAnswer.Of(await CategoriesApi.CreateAsync(request, db, knowledge, Response, ct), Errors);
        if (answer.Succeeded)
        {
            (Key, Name, ParentId, Signal) = (null, null, null, null);
            ModelState.Clear();
        }
        return await AnswerAsync(answer, "added", "Category added.", ct);
    }

    public async Task<IActionResult> OnPostRenameAsync(Guid id, string? newName, CancellationToken ct)
    {
        var category = await db.Categories.SingleOrDefaultAsync(c => c.Id == id, ct);
        if (category is null)
            return NotFound();
        ActingOn = id;
        var answer = ApiAnswer.Of(await CategoriesApi.EditAsync(category, new CategoryEdit(HasName: true, Name: newName), Errors, db, knowledge, HttpContext, ct), Errors);
        return await AnswerAsync(answer, "renamed", "Category renamed.", ct);
    }

    public async Task<IActionResult> OnPostMergeAsync(Guid id, Guid? into, CancellationToken ct)
    {
        ActingOn = id;
        var answer = ApiAnswer.Of(await CategoriesApi.MergeAsync(id, new MergeCategoryRequest(into), db, knowledge, Request, ct), Errors);
        var moved = (answer.Value as CategoryMergeDto)?.Moved ?? 0;
        return await AnswerAsync(answer, $"merged&count={moved}", $"Merged: {Plural(moved, "event")} moved.", ct);
    }

    public async Task<IActionResult> OnPostRetireAsync(Guid id, CancellationToken ct)
    {
        ActingOn = id;
        var answer = ApiAnswer.Of(await CategoriesApi.RetireAsync(id, db, knowledge, Request, ct), Errors);
        return await AnswerAsync(answer, "retired", "Category retired.", ct);
    }

    public async Task<IActionResult> OnPostRestoreAsync(Guid id, CancellationToken ct)
    {
        ActingOn = id;
        var answer = ApiAnswer.Of(await CategoriesApi.RestoreAsync(id, db, knowledge, Response, ct), Errors);
        return await AnswerAsync(answer, "restored", "Category restored: new events can be filed under it again.", ct);
    }

    public async Task<IActionResult> OnPostReclassifyAsync(CancellationToken ct)
    {
        var changed = (await Reclassification.RunAsync(db, classifier, knowledge, ct)).Value!.Changed;
        return await AnswerAsync(new ApiAnswer(200, null, null), $"reclassified&count={changed}",
            $"Classified again: {Plural(changed, "event")} changed category.", ct);
    }

    /// <summary>htmx gets the page's body again (with the notice or the errors); a plain post a redirect, or the page with its errors.</summary>
    private async Task<IActionResult> AnswerAsync(ApiAnswer answer, string done, string notice, CancellationToken ct)
    {
        if (answer is { Status: StatusCodes.Status404NotFound, Refusal: null })
            return NotFound();
        if (answer.Succeeded)
        {
            ActingOn = null;
            if (!Request.IsHtmx())
                return Redirect($"/categories?done={done}");
            Notice = notice;
        }
        else
            Refusal = Errors.Any ? null : answer.Refusal ?? "That could not be done.";
        await LoadAsync(ct);
        return Request.IsHtmx() ? Partial("_Categories", this) : Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Categories = await CategoriesApi.ListAllAsync(db, ct);
        var all = db.Categories.IgnoreQueryFilters([SoftDeleteRules.Filter]);
        Retired = await all.AsNoTracking().Where(c => c.IsDeleted).OrderByDescending(c => c.DeletedAt).ThenBy(c => c.Key).Take(RetiredShown)
            .Select(c => new RetiredCategory(c.Id, c.Key, c.Name, all.Where(p => p.Id == c.ParentId).Select(p => p.Key).FirstOrDefault(), c.DeletedAt))
            .ToListAsync(ct);
    }

    public static string Plural(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";

    /// <summary>The messages of a field of one category's form, under an id of its own.</summary>
    public FieldMessages MessagesOf(Guid id, string field) =>
        new($"{field}-{id:N}-error", ActingOn == id ? Errors.For(field) : []);
}
