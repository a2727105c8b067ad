using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.FileProviders;

namespace Tidings.Web;

/// <summary>
/// The web app's plumbing: Razor Pages (under Pages/), their static files (wwwroot/, embedded in the executable so it
/// serves them from any working directory) and the headers every page carries.
/// </summary>
public static class WebPages
{
    /// <summary>No inline script, style or handler runs: htmx and the stylesheet come from Tidings itself.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public const string AntiforgeryHeader = "RequestVerificationToken";

    public const string TempDataCookie = "tidings_tempdata";

    /// <summary>Where the keys that sign forms' antiforgery tokens are kept, when not ASP.NET's per-user default.</summary>
    public const string KeysDirectorySetting = "Web:KeysDirectory";

    public static IServiceCollection AddWebPages(this IServiceCollection services, IConfiguration configuration)
    {
        // One application name whatever the install path, so several Tidings processes sharing a keys directory accept
        // each other's forms (the default name is the content root, which differs between machines).
        var protection = services.AddDataProtection().SetApplicationName("Tidings");
        if (configuration[KeysDirectorySetting] is { Length: > 0 } keys)
            protection.PersistKeysToFileSystem(new DirectoryInfo(keys));
        // Named, not found from the entry assembly: under a test host or another entry point the pages are still these.
        services.AddRazorPages().AddApplicationPart(typeof(WebPages).Assembly);
        services.AddSingleton<Pages.FeedChoices>();
        services.AddSingleton<Notifications.UnreadCounts>();
        // Static files only (UseWebPageFiles): a page carries an antiforgery token beside text a visitor chose, which
        // compressed over TLS is what BREACH reads.
        services.AddResponseCompression(o =>
        {
            o.EnableForHttps = true;
            o.MimeTypes = ["text/css", "text/javascript", "application/javascript"];
        });
        services.AddAntiforgery(o =>
        {
            o.HeaderName = AntiforgeryHeader;
            o.Cookie.Name = "tidings_antiforgery";
        });
        // One-time messages after a redirect ("Source added"): a Tidings name, like the session's cookie, and never read by script.
        services.Configure<CookieTempDataProviderOptions>(o =>
        {
            o.Cookie.Name = TempDataCookie;
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.Cookie.IsEssential = true;
        });
        return services;
    }

    /// <summary>Static files, before sign-in: the stylesheet and htmx are the same for everyone.</summary>
    public static WebApplication UseWebPageFiles(this WebApplication app)
    {
        app.UseWhen(http => IsStaticFile(http.Request.Path), branch => branch.UseResponseCompression());
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = new EmbeddedFileProvider(typeof(WebPages).Assembly, "Tidings.wwwroot"),
            OnPrepareResponse = files => files.Context.Response.Headers.XContentTypeOptions = "nosniff",
        });
        app.Use((http, next) =>
        {
            if (http.GetEndpoint()?.Metadata.GetMetadata<PageActionDescriptor>() is not null)
            {
                var headers = http.Response.Headers;
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "same-origin";
                // A page answers a whole document or, to htmx, a fragment of one: caches keep them apart.
                headers.Vary = "HX-Request";
            }
            return next(http);
        });
        return app;
    }

    /// <summary>
    /// A page that fails answers a page in words (Pages/Error), not an empty body or problem details. Decided by the
    /// route: the API, its description and health keep their problem details whatever the Accept header says.
    /// </summary>
    public static WebApplication UseWebPageErrors(this WebApplication app)
    {
        app.UseWhen(IsForPerson, branch => branch.UseStatusCodePagesWithReExecute("/error/{0}"));
        return app;
    }

    private static bool IsStaticFile(PathString path) =>
        path.StartsWithSegments("/css") || path.StartsWithSegments("/js") || path.StartsWithSegments("/lib");

    private static bool IsForPerson(HttpContext http)
    {
        var path = http.Request.Path;
        if (path.StartsWithSegments("/api") || path.StartsWithSegments("/openapi") || path.StartsWithSegments("/docs")
            || path.StartsWithSegments("/health") || path.StartsWithSegments("/metrics") || path.StartsWithSegments("/unsubscribe"))
            return false;
        return http.Request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase) || http.Request.IsHtmx();
    }

    public static bool IsHtmx(this HttpRequest request) => request.Headers[CrossSiteRequests.HtmxHeader] == "true";
}
