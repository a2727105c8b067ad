using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Tidings.Data;
using Tidings.Users;
using Tidings.Web;

namespace Tidings.Pages;

/// <summary>A new business and its owner, by the API's own sign-up: the same rules, the same session cookie.</summary>
[AllowAnonymous]
[StartsSession]
[EnableRateLimiting(AuthRateLimits.SignupPage)]
public sealed class SignUpModel(TidingsDbContext db, TimeProvider clock) : PageModel
{
    [BindProperty] public string? BusinessName { get; set; }
    [BindProperty] public string? DisplayName { get; set; }
    [BindProperty] public string? Email { get; set; }
    [BindProperty] public string? Password { get; set; }

    public FieldErrors Errors { get; } = new();

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var request = new SignupRequest(BusinessName, Email, Password, DisplayName);
        if (await AuthApi.SignUpAsync(request, Errors, db, HttpContext, clock, ct) is not null)
            return Redirect("/");
        if (!Errors.Any)
            Errors.Add("email", "This email is registered already: sign in instead, or use another email.");
        return Page();
    }
}
