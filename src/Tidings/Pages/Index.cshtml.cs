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
/// The feed: the API's feed query (EventFeed), newest first, a page at a time by its keyset cursor. Marking read and
/// starring answer htmx with the changed article alone and a plain form post with a redirect back to it.
/// </summary>
public sealed class IndexModel(TidingsDbContext db, TimeProvider clock) : PageModel
{
    public const int PageSize = 50;

    public Page<EventDto> Feed { get; private set; } = null!;
    public bool HasClients { get; private set; }
    public bool IsLaterPage { get; private set; }

    /// <summary>Where a plain form post returns: this page of the feed.</summary>
    public string ReturnUrl => Request.Path + Request.QueryString;

    public async Task OnGetAsync(string? after, CancellationToken ct)
    {
        IsLaterPage = after is not null;
        Feed = await EventFeed.PageAsync(db, User.UserId(), new FeedFilter(), PageSize, Paging.Decode<FeedCursor>(after), ct);
        if (Feed.Items.Count == 0 && !IsLaterPage)
            HasClients = await db.Clients.AnyAsync(ct);
    }

    public Task<IActionResult> OnPostReadAsync(Guid id, bool read, string? returnUrl, CancellationToken ct) =>
        ChangeAsync(id, new InteractionsApi.InteractionChange(read, null, null), returnUrl, ct);

    public Task<IActionResult> OnPostStarAsync(Guid id, bool star, string? returnUrl, CancellationToken ct) =>
        ChangeAsync(id, new InteractionsApi.InteractionChange(null, star, null), returnUrl, ct);

    private async Task<IActionResult> ChangeAsync(Guid id, InteractionsApi.InteractionChange change, string? returnUrl, CancellationToken ct)
    {
        var userId = User.UserId();
        if (await InteractionsApi.SetAsync(db, userId, id, change, clock, ct) is null)
            return NotFound();
        var back = Url.IsLocalUrl(returnUrl) ? returnUrl : "/";
        if (!Request.IsHtmx())
            return Redirect($"{back}#{EventArticle.IdOf(id)}");
        var changed = await EventFeed.OneAsync(db, userId, id, ct);
        return changed is null ? NotFound() : Partial("_EventArticle", new EventArticle(changed, back));
    }
}
