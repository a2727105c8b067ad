using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Tidings.Data;
using Tidings.Users;
using Tidings.Web;

namespace Tidings.Pages.Account;

/// <summary>The person's profile by the API's own PATCH /api/me: the same rules, the digest following a new time zone.</summary>
public sealed class IndexModel(TidingsDbContext db) : PageModel
{
    /// <summary>The time zones offered: the system's, by IANA id (the only ids the API takes).</summary>
    public static IReadOnlyList<string> TimeZones { get; } = TimeZoneInfo.GetSystemTimeZones()
        .Select(z => z.HasIanaId ? z.Id : TimeZoneInfo.TryConvertWindowsIdToIanaId(z.Id, out var iana) ? iana : null)
        .OfType<string>().Distinct().Order(StringComparer.Ordinal).ToList();

    [BindProperty] public string? DisplayName { get; set; }
    [BindProperty] public string? TimeZone { get; set; }

    public MeDto Me { get; private set; } = null!;
    public FieldErrors Errors { get; } = new();
    public bool Saved { get; private set; }

    public async Task<IActionResult> OnGetAsync(bool saved, CancellationToken ct)
    {
        if (await AuthApi.MeAsync(db, User.UserId(), ct) is not { } me)
            return Challenge();
        (Me, Saved, DisplayName, TimeZone) = (me, saved, me.DisplayName, me.TimeZone);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var change = new ProfileChange(true, DisplayName, true, TimeZone?.Trim());
        AuthApi.ValidateProfile(Errors, change);
        if (!Errors.Any && await AuthApi.UpdateProfileAsync(db, User.UserId(), change, ct) is not null)
            return Redirect("/account?saved=true");
        if (await AuthApi.MeAsync(db, User.UserId(), ct) is not { } me)
            return Challenge();
        Me = me;
        return Page();
    }
}
