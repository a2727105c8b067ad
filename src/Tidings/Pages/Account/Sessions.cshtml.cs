using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Tidings.Data;
using Tidings.Users;
using Tidings.Web;

namespace Tidings.Pages.Account;

/// <summary>
/// The person's sessions and personal tokens by the API's own lists, each revoked by the API's own logic: to htmx the
/// revoked item alone answers (saying so), to a plain form post a redirect back here.
/// </summary>
public sealed class SessionsModel(TidingsDbContext db, TimeProvider clock) : PageModel
{
    public Page<ActiveSessionDto> Sessions { get; private set; } = null!;
    public Page<TokenDto> Tokens { get; private set; } = null!;

    public async Task OnGetAsync(CancellationToken ct)
    {
        Sessions = await SessionsApi.PageAsync(db, User, clock, Paging.MaxLimit, null, ct);
        Tokens = await AuthApi.TokensPageAsync(db, User.UserId(), Paging.MaxLimit, null, ct);
    }

    public async Task<IActionResult> OnPostRevokeSessionAsync(Guid id, CancellationToken ct)
    {
        if (!await SessionsApi.EndAsync(db, User, HttpContext, id, ct))
            return NotFound();
        // Ending the session this request came with is signing out (the page offers no such button; a crafted post may).
        if (id == User.TokenId())
            return Back("/signin");
        return Request.IsHtmx() ? Partial("_Revoked", "Session revoked: it is signed out.") : Redirect("/account/sessions");
    }

    public async Task<IActionResult> OnPostRevokeTokenAsync(Guid id, CancellationToken ct)
    {
        if (!await AuthApi.RevokeTokenAsync(db, User.UserId(), id, ct))
            return NotFound();
        return Request.IsHtmx() ? Partial("_Revoked", "Token revoked.") : Redirect("/account/sessions");
    }

    private IActionResult Back(string url)
    {
        if (!Request.IsHtmx())
            return Redirect(url);
        Response.Headers["HX-Redirect"] = url;
        return new EmptyResult();
    }
}
