using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Tidings.Data;
using Tidings.Users;

namespace Tidings.Pages;

/// <summary>Ends the session as the API's logout does; a GET only shows the button (signing out is a change).</summary>
public sealed class SignOutModel(TidingsDbContext db) : PageModel
{
    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        await AuthApi.EndSessionAsync(User, db, HttpContext, ct);
        return Redirect("/signin");
    }
}
