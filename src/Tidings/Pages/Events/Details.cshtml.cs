using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Tidings.Audit;
using Tidings.Classification;
using Tidings.Data;
using Tidings.Events;
using Tidings.Interactions;
using Tidings.Tags;
using Tidings.Users;
using Tidings.Web;

namespace Tidings.Pages.Events;

/// <summary>
/// One event: its text, the reader's read/star and note, its tags, a member's category correction (the API's review,
/// so the classifier learns from it), the other reports of its story, its history and moving it to the trash. Every
/// action is the API's own code; another business's or a missing event is a 404.
/// </summary>
public sealed class DetailsModel(TidingsDbContext db, ClassifierKnowledge knowledge, TimeProvider clock, IAuthorizationService authorization,
    FeedChoices choices) : PageModel
{
    public const int HistoryShown = 50;

    public EventDto Event { get; private set; } = null!;
    public EventArticle Article => new(Event, CategoryNames);

    private CategoryNames CategoryNames { get; set; } = CategoryNames.None;
    public bool CanEdit { get; private set; }
    public IReadOnlyList<StoryReport> Story { get; private set; } = [];
    public IReadOnlyList<HistoryLine> History { get; private set; } = [];
    public bool MoreHistory { get; private set; }
    public IReadOnlyList<string> TagNames { get; private set; } = [];
    public IReadOnlyList<CategoryChoice> Categories { get; private set; } = [];
    public FieldErrors Errors { get; private set; } = new();

    [BindProperty] public string? Note { get; set; }
    [BindProperty] public string? TagName { get; set; }
    [BindProperty] public string? Category { get; set; }

    public string CurrentCategory => CategoryChoice.ValueOf(Event.Category, Event.Subcategory);

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct) =>
        await LoadAsync(id, ct) ? Page() : NotFound();

    public Task<IActionResult> OnPostReadAsync(Guid id, bool read, CancellationToken ct) =>
        InteractAsync(id, new InteractionsApi.InteractionChange(read, null, null), ct);

    public Task<IActionResult> OnPostStarAsync(Guid id, bool star, CancellationToken ct) =>
        InteractAsync(id, new InteractionsApi.InteractionChange(null, star, null), ct);

    /// <summary>The reader's own note (viewers too, as the API allows): an empty one clears it.</summary>
    public async Task<IActionResult> OnPostNoteAsync(Guid id, CancellationToken ct)
    {
        Errors.MaxLength("notes", Note, InteractionsApi.MaxNotesLength);
        if (Errors.Any)
            return await LoadAsync(id, ct, keepNote: true) ? Page() : NotFound();
        if (await InteractionsApi.SetAsync(db, User.UserId(), id, new InteractionsApi.InteractionChange(null, null, Note ?? ""), clock, ct) is null)
            return NotFound();
        TempData[FlashMessage.Key] = "Note saved.";
        return Back(id, "notes");
    }

    /// <summary>A tag by name: the live tag of that name, whatever its case, or a new one made by the API's rules.</summary>
    public async Task<IActionResult> OnPostAddTagAsync(Guid id, CancellationToken ct)
    {
        if (!await PageRoles.CanEditAsync(authorization, User))
            return StatusCode(StatusCodes.Status403Forbidden);
        var tag = string.IsNullOrWhiteSpace(TagName) ? null : await TagsApi.FindByNameAsync(db, TagName, ct);
        if (tag is null)
        {
            Errors = TagsApi.ValidateNew(new CreateTagRequest(TagName, null));
            if (!Errors.Any && !await db.Events.AnyAsync(e => e.Id == id, ct))
                return NotFound();
            if (!Errors.Any)
            {
                tag = new Tag { Name = "" };
                // Found nothing by that name a moment ago: a refusal now means someone made it meanwhile.
                if (await TagsApi.TryNameAsync(db, tag, TagName!, ct) is { } taken)
                    Errors.Add("name", taken);
                else
                    await TagsApi.AddAsync(db, tag, ct);
            }
            if (Errors.Any)
                return await LoadAsync(id, ct) ? Page() : NotFound();
        }
        return await TagLinksApi.TagEventAsync(id, tag!.Id, db, ct) is NotFound ? NotFound() : Back(id, "tags");
    }

    public async Task<IActionResult> OnPostRemoveTagAsync(Guid id, Guid tagId, CancellationToken ct)
    {
        if (!await PageRoles.CanEditAsync(authorization, User))
            return StatusCode(StatusCodes.Status403Forbidden);
        return await TagLinksApi.UntagEventAsync(id, tagId, db, ct) is NotFound ? NotFound() : Back(id, "tags");
    }

    /// <summary>A member's category: POST /api/events/{id}/review's code, so it is recorded as a correction the classifier learns from.</summary>
    public async Task<IActionResult> OnPostCategoryAsync(Guid id, CancellationToken ct)
    {
        if (!await PageRoles.CanEditAsync(authorization, User))
            return StatusCode(StatusCodes.Status403Forbidden);
        var (category, subcategory) = CategoryChoice.Parse(Category);
        if (category is null)
            Errors.Add("category", "Required.");
        else if (await EventsApi.LabelAsync(db, knowledge, id, new ReviewEventRequest(category, subcategory), Request, Errors, ct) is NotFound)
            return NotFound();
        if (Errors.Any)
            return await LoadAsync(id, ct) ? Page() : NotFound();
        return Back(id, "category");
    }

    /// <summary>To the trash, by DELETE /api/events/{id}'s code; restoring it is the trash page's.</summary>
    public async Task<IActionResult> OnPostDeleteAsync(Guid id, CancellationToken ct)
    {
        if (!await PageRoles.CanEditAsync(authorization, User))
            return StatusCode(StatusCodes.Status403Forbidden);
        var title = await db.Events.Where(e => e.Id == id).Select(e => e.Title).SingleOrDefaultAsync(ct);
        if (title is null || await EventsApi.DeleteAsync(id, Request, db, ct) is not NoContent)
            return NotFound();
        TempData[FlashMessage.Key] = $"\"{title}\" was moved to the trash. A member can restore it from the trash.";
        return Redirect("/");
    }

    private async Task<IActionResult> InteractAsync(Guid id, InteractionsApi.InteractionChange change, CancellationToken ct)
    {
        if (await InteractionsApi.SetAsync(db, User.UserId(), id, change, clock, ct) is null)
            return NotFound();
        if (!Request.IsHtmx())
            return Back(id, "reading");
        var changed = await EventFeed.OneAsync(db, User.UserId(), id, ct);
        return changed is null ? NotFound() : Partial("_EventReading", changed);
    }

    private RedirectResult Back(Guid id, string fragment) => Redirect($"{Url.Page("/Events/Details", new { id })}#{fragment}");

    private async Task<bool> LoadAsync(Guid id, CancellationToken ct, bool keepNote = false)
    {
        var userId = User.UserId();
        if (await EventFeed.OneAsync(db, userId, id, ct) is not { } ev)
            return false;
        Event = ev;
        if (!keepNote)
            Note = ev.Notes;
        CanEdit = await PageRoles.CanEditAsync(authorization, User);

        var original = ev.DuplicateOfEventId ?? ev.Id;
        Story = await EventFeed.Live(db)
            .Where(e => e.Id != ev.Id && (e.Id == original || e.DuplicateOfEventId == original))
            .OrderBy(e => e.CreatedAt).ThenBy(e => e.Id)
            .Select(e => new StoryReport(e.Id, e.Title, e.Source, e.Url, e.Id == original))
            .Take(100).ToListAsync(ct);

        var history = await AuditApi.PageAsync(AuditApi.OfRecord<Event>(db, id), HistoryShown, null, withConnections: false, ct);
        History = history.Items.Select(HistoryLine.Of).ToList();
        MoreHistory = history.NextCursor is not null;
        CategoryNames = (await choices.ReadAsync(db, ct)).CategoryNames;

        if (CanEdit)
        {
            var mine = ev.EventTags.Select(t => t.Id).ToList();
            TagNames = await db.Tags.AsNoTracking().Where(t => !mine.Contains(t.Id)).OrderBy(t => t.Name).Select(t => t.Name).Take(500).ToListAsync(ct);
            Categories = await CategoryChoice.ReadAsync(db, ct);
        }
        return true;
    }
}
