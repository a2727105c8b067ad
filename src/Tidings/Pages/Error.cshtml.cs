using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Tidings.Web;

namespace Tidings.Pages;

/// <summary>
/// What a person sees instead of an empty error: the status in words and where to go next. Pages only; the API keeps
/// its problem details. Reached by re-execution (WebPages.UseWebPageErrors), whatever the method of the request that
/// failed, so it takes no antiforgery token and changes nothing.
/// </summary>
[AllowAnonymous]
[IgnoreAntiforgeryToken]
public sealed class ErrorModel : PageModel
{
    public int Code { get; private set; }
    public string Heading { get; private set; } = "";
    public string Explanation { get; private set; } = "";

    public void OnGet(int code) => Describe(code);

    public void OnPost(int code) => Describe(code);

    private void Describe(int code)
    {
        // Asked for directly, the page still answers with the status it describes.
        var original = HttpContext.Features.Get<IStatusCodeReExecuteFeature>();
        Code = original is null ? code : HttpContext.Response.StatusCode;
        if (Code is < 400 or > 599)
            Code = 404;
        Response.StatusCode = Code;
        (Heading, Explanation) = Code switch
        {
            400 => ("This form could not be sent", "It may have been open too long or sent twice. Go back, reload the page and try again."),
            403 => ("Not allowed", "Your role in this business does not allow this. An admin of your business can change your role."),
            404 => ("Not found", "There is nothing here, or it is not yours to see. It may have been deleted: members can restore it from the trash."),
            413 => ("Too large", "What was sent is larger than Tidings accepts."),
            429 => ("Too many requests", "Wait a minute, then try again."),
            >= 500 => ("Something went wrong", "Tidings could not finish this. Nothing was half-saved; try again in a moment."),
            _ => ("This request was refused", "Go back and try again."),
        };
        // A refusal that says more than its status (a rate limit of a form: which one, and when to try again).
        if (original is not null && HttpContext.Features.Get<TooManyRequests.Words>() is { } words)
            (Heading, Explanation) = (words.Title, words.Detail);
    }
}
