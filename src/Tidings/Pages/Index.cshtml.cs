using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Tidings.Data;
using Tidings.Events;
using Tidings.Interactions;
using Tidings.Users;
using Tidings.Web;

namespace Tidings.Pages;

/// <summary>
/// The feed: the API's feed query (EventFeed) under the API's filters (FeedQuery, kept in the URL), newest first, a page at
/// a time by its keyset cursor. Marking read and starring answer htmx with the changed article alone and a plain form post
/// with a redirect back to it; acting on the selected events or the whole page is a plain post that redirects back with a
/// status (and, for the page, an undo). The chart comes in its own request, so the list answers as fast as the API's.
/// </summary>
public sealed class IndexModel(TidingsDbContext db, TimeProvider clock, FeedChoices choices) : PageModel
{
    public const int PageSize = 50;

    public Page<EventDto> Feed { get; private set; } = new([], null);
    public bool HasClients { get; private set; }
    public bool IsLaterPage { get; private set; }
    public FeedQuery Query { get; private set; } = FeedQuery.Of(new QueryCollection());
    public FieldErrors Errors { get; } = new();
    public FeedChoiceLists Choices { get; private set; } = new([], [], [], CategoryNames.None);

    /// <summary>Drawn with the page only when asked (?chart=show, the link a browser without JavaScript follows).</summary>
    public FeedChart? Chart { get; private set; }

    [TempData] public string? Status { get; set; }

    /// <summary>The events "Mark this page as read" changed, comma-separated: what its undo marks unread again.</summary>
    [TempData] public string? UndoIds { get; set; }

    /// <summary>Where a plain form post returns: this page of the feed.</summary>
    public string ReturnUrl => Request.Path + Request.QueryString;

    public string NextPageUrl(string cursor) => "/" + Query.ToQueryString(("after", cursor));

    public string ChartUrl(bool fragment) => fragment
        ? "/?handler=Chart" + Query.ToQueryString().Replace('?', '&')
        : "/" + Query.ToQueryString(("chart", "show")) + "#feed-chart";

    public async Task OnGetAsync(string? after, string? chart, CancellationToken ct)
    {
        IsLaterPage = after is not null;
        Query = FeedQuery.Of(Request.Query);
        var filter = Query.ToFilter(Errors);
        Choices = await choices.ReadAsync(db, ct);
        FeedCursor? cursor = null;
        try
        {
            cursor = Paging.Decode<FeedCursor>(after);
            // As the API: only a UTC date compares with the stored ones.
            if (cursor is not null && cursor.EventDate.Kind != DateTimeKind.Utc)
                throw new InvalidCursorException();
        }
        catch (InvalidCursorException)
        {
            Errors.Add("after", "This link to a later page is not one Tidings gave out: start again from the newest.");
        }
        if (Errors.Any)
            return;
        Feed = await EventFeed.PageAsync(db, User.UserId(), filter, PageSize, cursor, ct);
        if (chart == "show")
            Chart = await FeedChart.ReadAsync(db, User.UserId(), filter, clock, ct) with { Names = Choices.CategoryNames };
        if (Feed.Items.Count == 0 && !IsLaterPage && !Query.IsActive)
            HasClients = await db.Clients.AnyAsync(ct);
    }

    /// <summary>The chart alone, for htmx to put in its place; a plain request gets the page with it.</summary>
    public async Task<IActionResult> OnGetChartAsync(CancellationToken ct)
    {
        Query = FeedQuery.Of(Request.Query);
        if (!Request.IsHtmx())
            return Redirect(ChartUrl(fragment: false));
        var filter = Query.ToFilter(Errors);
        if (Errors.Any)
            return new EmptyResult();
        var names = (await choices.ReadAsync(db, ct)).CategoryNames;
        return Partial("_FeedChart", await FeedChart.ReadAsync(db, User.UserId(), filter, clock, ct) with { Names = names });
    }

    /// <summary>An article's buttons: the one pressed is named for what it does and carries its event's id.</summary>
    public Task<IActionResult> OnPostMarkAsync(Guid? read, Guid? unread, Guid? star, Guid? unstar, string? returnUrl, CancellationToken ct) =>
        (read, unread, star, unstar) switch
        {
            ({ } id, null, null, null) => ChangeAsync(id, new(true, null, null), returnUrl, ct),
            (null, { } id, null, null) => ChangeAsync(id, new(false, null, null), returnUrl, ct),
            (null, null, { } id, null) => ChangeAsync(id, new(null, true, null), returnUrl, ct),
            (null, null, null, { } id) => ChangeAsync(id, new(null, false, null), returnUrl, ct),
            _ => Task.FromResult<IActionResult>(BadRequest()),
        };

    /// <summary>The bulk bar's buttons: <paramref name="act"/> names what to do to the ticked events.</summary>
    public async Task<IActionResult> OnPostSelectedAsync(List<Guid> ids, string? act, string? returnUrl, CancellationToken ct)
    {
        InteractionsApi.InteractionChange? change = act switch
        {
            "read" => new(true, null, null),
            "unread" => new(false, null, null),
            "star" => new(null, true, null),
            "unstar" => new(null, false, null),
            _ => null,
        };
        if (change is null || ids.Count > InteractionsApi.MaxMarkRead)
            return BadRequest();
        if (ids.Count == 0)
        {
            Status = "Select at least one event first.";
            return Redirect(Back(returnUrl));
        }
        var changed = await InteractionsApi.SetManyAsync(db, User.UserId(), ids, change, clock, ct);
        Status = act switch
        {
            "read" => $"Marked {Events(changed.Count)} as read.",
            "unread" => $"Marked {Events(changed.Count)} as unread.",
            "star" => $"Starred {Events(changed.Count)}.",
            _ => $"Unstarred {Events(changed.Count)}.",
        };
        return Redirect(Back(returnUrl));
    }

    /// <summary>Marks the page's unread events read and keeps which ones changed for the undo.</summary>
    public async Task<IActionResult> OnPostMarkPageReadAsync(List<Guid> ids, string? returnUrl, CancellationToken ct)
    {
        if (ids.Count > InteractionsApi.MaxMarkRead)
            return BadRequest();
        var changed = await InteractionsApi.SetManyAsync(db, User.UserId(), ids, new(true, null, null), clock, ct);
        Status = $"Marked {Events(changed.Count)} as read.";
        UndoIds = changed.Count > 0 ? string.Join(',', changed) : null;
        return Redirect(Back(returnUrl));
    }

    public async Task<IActionResult> OnPostUndoAsync(List<Guid> ids, string? returnUrl, CancellationToken ct)
    {
        if (ids.Count > InteractionsApi.MaxMarkRead)
            return BadRequest();
        var changed = await InteractionsApi.SetManyAsync(db, User.UserId(), ids, new(false, null, null), clock, ct);
        Status = $"Undone: {Events(changed.Count)} unread again.";
        return Redirect(Back(returnUrl));
    }

    public IReadOnlyList<Guid> Undoable => UndoIds is { Length: > 0 } text
        ? text.Split(',').Select(s => Guid.TryParse(s, out var id) ? id : Guid.Empty).Where(id => id != Guid.Empty).ToList()
        : [];

    private static string Events(int count) => count == 1 ? "1 event" : $"{count} events";

    private string Back(string? returnUrl) => Url.IsLocalUrl(returnUrl) ? returnUrl : "/";

    private async Task<IActionResult> ChangeAsync(Guid id, InteractionsApi.InteractionChange change, string? returnUrl, CancellationToken ct)
    {
        var userId = User.UserId();
        if (await InteractionsApi.SetAsync(db, userId, id, change, clock, ct) is null)
            return NotFound();
        var back = Back(returnUrl);
        if (!Request.IsHtmx())
            return Redirect($"{back}#{EventArticle.IdOf(id)}");
        var changed = await EventFeed.OneAsync(db, userId, id, ct);
        return changed is null ? NotFound() : Partial("_EventArticles", EventArticle.Of([changed], (await choices.ReadAsync(db, ct)).CategoryNames));
    }
}
