using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Tidings.Data;
using Tidings.Users;
using Tidings.Web;

namespace Tidings.Pages;

/// <summary>Sign-in by the API's own login: the same throttle, the same answer for an unknown email and a wrong password.</summary>
[AllowAnonymous]
[StartsSession]
public sealed class SignInModel(TidingsDbContext db, LoginThrottle throttle, TimeProvider clock) : PageModel
{
    [BindProperty] public string? Email { get; set; }
    [BindProperty] public string? Password { get; set; }
    [BindProperty(SupportsGet = true)] public string? ReturnUrl { get; set; }

    public FieldErrors Errors { get; } = new();
    public string? Failure { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var (session, throttled) = await AuthApi.LogInAsync(new LoginRequest(Email, Password), Errors, db, HttpContext, throttle, clock, ct);
        if (session is not null)
            return Redirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : "/");
        if (!Errors.Any)
            Failure = throttled is not null ? "Too many attempts. Wait a few minutes and try again." : "Invalid email or password.";
        return Page();
    }
}
