using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Tidings.Data;
using Tidings.Notifications;
using Tidings.Web;

namespace Tidings.Pages.Notifications;

/// <summary>
/// The person's notifications by the API's own list, newest first, a page at a time by its keyset cursor. Marking one
/// read answers htmx with that item alone, marking all with the list; a plain form post with a redirect back.
/// </summary>
public sealed class IndexModel(TidingsDbContext db, TimeProvider clock) : PageModel
{
    public const int PageSize = 50;

    public Page<NotificationDto> List { get; private set; } = null!;
    public bool IsLaterPage { get; private set; }
    public bool HasUnread { get; private set; }
    /// <summary>How many "Mark all as read" just marked, when it answers htmx.</summary>
    public int? MarkedAll { get; private set; }

    /// <summary>Where a plain form post returns: this page of the list (the first after an htmx "Mark all as read").</summary>
    public string ReturnUrl => HttpMethods.IsGet(Request.Method) ? Request.Path + Request.QueryString : "/notifications";

    public async Task OnGetAsync(string? after, CancellationToken ct) => await LoadAsync(after, ct);

    public async Task<IActionResult> OnPostReadAsync(Guid id, string? returnUrl, CancellationToken ct)
    {
        if (await NotificationsApi.MarkReadAsync(db, User, id, clock, ct) is not { } read)
            return NotFound();
        var back = Url.IsLocalUrl(returnUrl) ? returnUrl : "/notifications";
        return Request.IsHtmx() ? Partial("_NotificationItem", new NotificationItem(read, back)) : Redirect($"{back}#{NotificationItem.IdOf(id)}");
    }

    public async Task<IActionResult> OnPostReadAllAsync(CancellationToken ct)
    {
        var marked = await NotificationsApi.MarkAllReadAsync(db, User, clock, ct);
        if (!Request.IsHtmx())
            return Redirect("/notifications");
        await LoadAsync(null, ct);
        MarkedAll = marked;
        return Partial("_NotificationList", this);
    }

    private async Task LoadAsync(string? after, CancellationToken ct)
    {
        IsLaterPage = after is not null;
        List = await NotificationsApi.PageAsync(db, User, null, PageSize, Paging.Decode<NotificationCursor>(after), ct);
        HasUnread = List.Items.Any(n => !n.IsRead) || await NotificationsApi.CountUnreadAsync(db, User, ct) > 0;
    }
}
