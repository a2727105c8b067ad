using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Tidings.Data;
using Tidings.Delivery.Email;
using Tidings.Users;
using Tidings.Web;

namespace Tidings.Pages.Unsubscribe;

/// <summary>
/// The unsubscribe link of an e-mail, by UnsubscribeLinks's rules: GET asks, POST turns e-mail off. Whoever is signed in
/// is not read (the link acts for its own business), and POST takes no antiforgery token: a mail provider's RFC 8058
/// one-click request cannot carry one, and the link's own token is the credential. A browser that follows a broken
/// link gets this page in words; any other client the problem details it always had.
/// </summary>
[AllowAnonymous]
[StartsSession]
[IgnoreAntiforgeryToken]
[EnableRateLimiting(UnsubscribeLinks.RateLimit)]
public sealed class IndexModel(TidingsDbContext db) : PageModel
{
    public enum Outcome { Asking, AlreadyOff, Unsubscribed, Malformed, Unknown }

    public Outcome Shown { get; private set; }
    /// <summary>Where the button posts: the link itself.</summary>
    public string? Action { get; private set; }
    public IReadOnlyList<string> Problems { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(string? b, string? u, string? t, CancellationToken ct)
    {
        UnsubscribeLinks.KeepPrivate(Response);
        if (UnsubscribeLinks.Read(b, u, t, out var errors) is not { } link)
            return Malformed(errors);
        if (await UnsubscribeLinks.FindAsync(HttpContext, db, link, ct) is not { } preference)
            return Unknown();
        (Shown, Action) = UnsubscribeLinks.IsSubscribed(preference) ? (Outcome.Asking, link.Url) : (Outcome.AlreadyOff, null);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string? b, string? u, string? t, CancellationToken ct)
    {
        UnsubscribeLinks.KeepPrivate(Response);
        if (UnsubscribeLinks.Read(b, u, t, out var errors) is not { } link)
            return Malformed(errors);
        if (await UnsubscribeLinks.FindAsync(HttpContext, db, link, ct) is not { } preference)
            return Unknown();
        await UnsubscribeLinks.UnsubscribeAsync(db, preference, ct);
        Shown = Outcome.Unsubscribed;
        return Page();
    }

    private IActionResult Malformed(FieldErrors errors)
    {
        if (!WantsPage())
            return new ResultAction(errors.Problem());
        Shown = Outcome.Malformed;
        Problems = [.. errors.For("b"), .. errors.For("u"),
            .. errors.For("t").Count > 0 ? ["The link's key is missing or too long: copy the whole link from the e-mail."] : Array.Empty<string>()];
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }

    private IActionResult Unknown()
    {
        if (!WantsPage())
            return new ResultAction(UnsubscribeLinks.UnknownLink());
        Shown = Outcome.Unknown;
        Response.StatusCode = StatusCodes.Status404NotFound;
        return Page();
    }

    /// <summary>A browser asks for HTML; a mail provider's one-click request or a script does not, and keeps the problem details.</summary>
    private bool WantsPage() => Request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase);

    /// <summary>An answer of the minimal-API kind (problem details), from a page handler.</summary>
    private sealed class ResultAction(IResult result) : IActionResult
    {
        public Task ExecuteResultAsync(ActionContext context) => result.ExecuteAsync(context.HttpContext);
    }
}
