using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Tidings.Data;
using Tidings.Tags;
using Tidings.Web;

namespace Tidings.Pages.Tags;

/// <summary>One of the business's tags with the number of live events it is on.</summary>
public sealed record TagRow(Guid Id, string Name, int Events);

/// <summary>
/// The business's tags with their event counts; members create, rename and delete them (to the trash) by the Tags API's
/// own rules: a name another live tag has, whatever its case, is refused beside the field.
/// </summary>
public sealed class IndexModel(TidingsDbContext db, IAuthorizationService authorization) : PageModel
{
    public const int Shown = 500;

    public IReadOnlyList<TagRow> Tags { get; private set; } = [];
    public bool CanEdit { get; private set; }
    public FieldErrors Errors { get; private set; } = new();
    /// <summary>The tag whose rename was refused: its messages are <see cref="Errors"/>' "name".</summary>
    public Guid? Renaming { get; private set; }

    [BindProperty] public string? Name { get; set; }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostCreateAsync(CancellationToken ct)
    {
        if (!await PageRoles.CanEditAsync(authorization, User))
            return StatusCode(StatusCodes.Status403Forbidden);
        Errors = TagsApi.ValidateNew(new CreateTagRequest(Name, null));
        if (!Errors.Any)
        {
            var tag = new Tag { Name = "" };
            if (await TagsApi.TryNameAsync(db, tag, Name!, ct) is { } taken)
                Errors.Add("name", taken);
            else
                await TagsApi.AddAsync(db, tag, ct);
        }
        if (Errors.Any)
        {
            await LoadAsync(ct);
            return Page();
        }
        TempData[FlashMessage.Key] = $"Tag \"{Name!.Trim()}\" created.";
        return Redirect("/tags");
    }

    public async Task<IActionResult> OnPostRenameAsync(Guid id, CancellationToken ct)
    {
        if (!await PageRoles.CanEditAsync(authorization, User))
            return StatusCode(StatusCodes.Status403Forbidden);
        var tag = await db.Tags.SingleOrDefaultAsync(t => t.Id == id, ct);
        if (tag is null)
            return NotFound();
        var old = tag.Name;
        // PATCH /api/tags/{id}'s checks of a name, then its naming.
        Errors.Required("name", Name, TagsApi.MaxNameLength);
        if (!Errors.Any && await TagsApi.TryNameAsync(db, tag, Name!, ct) is { } taken)
            Errors.Add("name", taken);
        if (Errors.Any)
        {
            Renaming = id;
            await LoadAsync(ct);
            return Page();
        }
        await db.SaveChangesAsync(ct);
        TempData[FlashMessage.Key] = $"Tag \"{old}\" renamed to \"{tag.Name}\".";
        return Redirect("/tags");
    }

    public async Task<IActionResult> OnPostDeleteAsync(Guid id, CancellationToken ct)
    {
        if (!await PageRoles.CanEditAsync(authorization, User))
            return StatusCode(StatusCodes.Status403Forbidden);
        var name = await db.Tags.Where(t => t.Id == id).Select(t => t.Name).SingleOrDefaultAsync(ct);
        if (name is null || await TagsApi.DeleteAsync(id, db, Request, ct) is not NoContent)
            return NotFound();
        TempData[FlashMessage.Key] = $"Tag \"{name}\" moved to the trash; its events keep their other tags.";
        return Redirect("/tags");
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        CanEdit = await PageRoles.CanEditAsync(authorization, User);
        // Live links only (the links' own filter): a tag on an event in the trash does not count it.
        Tags = await db.Tags.AsNoTracking().OrderBy(t => t.Name).ThenBy(t => t.Id)
            .Select(t => new TagRow(t.Id, t.Name, db.EventTags.Count(l => l.TagId == t.Id)))
            .Take(Shown).ToListAsync(ct);
    }
}
