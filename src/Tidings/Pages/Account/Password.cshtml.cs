using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Tidings.Data;
using Tidings.Users;
using Tidings.Web;

namespace Tidings.Pages.Account;

/// <summary>Changing one's password by the API's own POST /api/me/password: the throttle, and the other sessions ended.</summary>
public sealed class PasswordModel(TidingsDbContext db, LoginThrottle throttle) : PageModel
{
    [BindProperty] public string? CurrentPassword { get; set; }
    [BindProperty] public string? NewPassword { get; set; }

    public FieldErrors Errors { get; } = new();
    public string? Failure { get; private set; }
    public bool Changed { get; private set; }

    public void OnGet(bool changed) => Changed = changed;

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (await PasswordApi.ChangePasswordAsync(new ChangePasswordRequest(CurrentPassword, NewPassword), Errors, User, db, HttpContext, throttle, ct) is null)
            return Redirect("/account/password?changed=true");
        if (!Errors.Any)
            Failure = "Too many attempts. Wait a few minutes and try again.";
        return Page();
    }
}
