using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Tidings.Businesses;
using Tidings.Data;
using Tidings.Users;
using Tidings.Web;

namespace Tidings.Pages.Account;

/// <summary>
/// A personal token by the API's own POST /api/me/tokens, under its hourly limit per address. The secret is in this one
/// answer only (no redirect, not cached), as the API shows it once.
/// </summary>
[EnableRateLimiting(AuthRateLimits.TokensPage)]
public sealed class NewTokenModel(TidingsDbContext db, TimeProvider clock) : PageModel
{
    [BindProperty] public string? Name { get; set; }
    [BindProperty] public string? ExpiresInDays { get; set; }

    public FieldErrors Errors { get; } = new();
    public TokenCreatedDto? Created { get; private set; }
    public int MaxDays { get; private set; }
    public int DefaultDays => Math.Min(Business.DefaultMaxTokenLifetimeDays, MaxDays);

    public async Task OnGetAsync(CancellationToken ct) => MaxDays = await AuthApi.MaxTokenLifetimeDaysAsync(db, ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        MaxDays = await AuthApi.MaxTokenLifetimeDaysAsync(db, ct);
        int? days = null;
        if (!string.IsNullOrWhiteSpace(ExpiresInDays))
        {
            if (int.TryParse(ExpiresInDays.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
                days = parsed;
            else
                Errors.Add("expiresInDays", "Must be a whole number of days.");
        }
        Created = await AuthApi.IssueTokenAsync(new TokenRequest(Name, days), Errors, User.UserId(), db, clock, ct);
        Response.Headers.CacheControl = "no-store";
        return Page();
    }
}
