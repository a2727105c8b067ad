using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Tidings.Users;

namespace Tidings.Web;

/// <summary>
/// The browser sends the session cookie with requests that other sites start, so a change signed in by
/// the cookie (POST, PUT, PATCH, DELETE) must show that it comes from Tidings' own pages: no foreign
/// Origin, no Sec-Fetch-Site other than same-origin, and a header a cross-site form cannot send
/// (X-Tidings-Request: 1, or htmx's HX-Request: true) that a script of another origin cannot add without
/// a CORS preflight, which Tidings never grants. Routes that carry antiforgery metadata (pages, forms)
/// are left to their own token, and so are Razor Pages, which validate it on every POST handler. Bearer tokens are not sent by browsers on their own: they need none of it.
/// </summary>
public static class CrossSiteRequests
{
    public const string RequestHeader = "X-Tidings-Request";
    public const string HtmxHeader = "HX-Request";

    public static IApplicationBuilder UseCrossSiteRequestCheck(this IApplicationBuilder app) =>
        app.Use(async (http, next) =>
        {
            if (!Refuses(http))
            {
                await next(http);
                return;
            }
            http.Response.StatusCode = StatusCodes.Status403Forbidden;
            await TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Cross-site request refused",
                detail: $"A change signed in by the session cookie must come from this site and carry {RequestHeader}: 1 (or {HtmxHeader}: true).")
                .ExecuteAsync(http);
        });

    private static bool Refuses(HttpContext http)
    {
        var request = http.Request;
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method) || HttpMethods.IsTrace(request.Method))
            return false;
        if (SignIn.CredentialOf(request) is not { FromCookie: true })
            return false;
        var endpoint = http.GetEndpoint();
        if (endpoint.StartsSession() || endpoint?.Metadata.GetMetadata<IAntiforgeryMetadata>() is { RequiresValidation: true })
            return false;
        // Razor Pages check the antiforgery token of every POST handler themselves (a plain form post carries no extra header).
        if (endpoint?.Metadata.GetMetadata<PageActionDescriptor>() is not null)
            return false;
        return !FromOwnOrigin(request) || !CarriesRequestHeader(request);
    }

    private static bool FromOwnOrigin(HttpRequest request)
    {
        var fetchSite = request.Headers["Sec-Fetch-Site"].ToString();
        if (fetchSite.Length > 0 && !string.Equals(fetchSite, "same-origin", StringComparison.OrdinalIgnoreCase))
            return false;
        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0)
            return true;
        // Scheme and host as the request arrived at the first proxy (forwarded headers already applied).
        return Uri.TryCreate(origin, UriKind.Absolute, out var from)
            && Uri.TryCreate($"{request.Scheme}://{request.Host}", UriKind.Absolute, out var own)
            && Uri.Compare(from, own, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;
    }

    private static bool CarriesRequestHeader(HttpRequest request) =>
        request.Headers[RequestHeader] == "1"
        || string.Equals(request.Headers[HtmxHeader], "true", StringComparison.OrdinalIgnoreCase);
}
