using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;
using Tidings.Data;
using Tidings.Data.Tenancy;
using Tidings.Notifications;
using Tidings.Users;
using Tidings.Web;

namespace Tidings.Delivery.Email;

/// <summary>
/// The unsubscribe link of every e-mail (EmailDelivery.UnsubscribeUrl), which works without signing in: the link's
/// token, compared in constant time, is the only credential, and all it can do is turn e-mail off. GET shows a page
/// with a button and changes nothing (link scanners fetch every link of a message); POST, from that button or as a
/// mail client's RFC 8058 one-click request, sets the channel to the app only, acting in the link's business as the
/// system actor "unsubscribe link", audited as any change. A wrong business, person or token answers the same 404.
/// </summary>
public static class UnsubscribeApi
{
    public const string Path = "/unsubscribe";
    public const string ActorName = "unsubscribe link";
    public const string RateLimit = "unsubscribe";
    /// <summary>Per client address and minute, generous: a mail provider's one-click requests for many people share its addresses.</summary>
    public const int PerAddressPerMinute = 120;

    private const int TokenMaxLength = 100;

    /// <summary>A new unsubscribe token for a person's preferences: 256 random bits, URL-safe.</summary>
    public static string NewToken() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    public static IServiceCollection AddUnsubscribeRateLimit(this IServiceCollection services) =>
        services.Configure<RateLimiterOptions>(o => o.AddPolicy(RateLimit, http => RateLimitPartition.GetFixedWindowLimiter(
            ClientAddress.PartitionKey(http), _ => new FixedWindowRateLimiterOptions { PermitLimit = PerAddressPerMinute, Window = TimeSpan.FromMinutes(1) })));

    public static IEndpointRouteBuilder MapUnsubscribeApi(this IEndpointRouteBuilder app)
    {
        // A page for people, not part of the API description. StartsSession: whatever session the browser carries is
        // ignored (the link acts for its own business, not the signed-in one), and so is the same-site header check,
        // which a form post from the page or a mail provider's one-click POST could not pass.
        app.MapGet(Path, ShowAsync).StartsSession().RequireRateLimiting(RateLimit).ExcludeFromDescription();
        app.MapPost(Path, UnsubscribeAsync).StartsSession().RequireRateLimiting(RateLimit).ExcludeFromDescription();
        return app;
    }

    private sealed record Link(Guid BusinessId, Guid UserId, string Token);

    private static async Task<IResult> ShowAsync(HttpContext http, TidingsDbContext db, string? b, string? u, string? t, CancellationToken ct)
    {
        if (Read(b, u, t, out var errors) is not { } link)
            return errors.Problem();
        if (await FindAsync(http, db, link, ct) is not { } preference)
            return NotFound();
        if (!IsSubscribed(preference))
            return Page(http, "Tidings e-mails are off", "<p>Tidings sends you no e-mail: nothing to unsubscribe from.</p>" + TurnBackOn);
        var action = $"{Path}?b={link.BusinessId}&u={link.UserId}&t={Uri.EscapeDataString(link.Token)}";
        return Page(http, "Unsubscribe from Tidings e-mails",
            "<p>Stop the notification e-mails and digests Tidings sends you? You keep seeing your notifications in the app, and nothing else changes.</p>\n"
            + $"<form method=\"post\" action=\"{H(action)}\"><button type=\"submit\" style=\"font-size:16px;padding:8px 16px\">Unsubscribe</button></form>");
    }

    private static async Task<IResult> UnsubscribeAsync(HttpContext http, TidingsDbContext db, string? b, string? u, string? t, CancellationToken ct)
    {
        if (Read(b, u, t, out var errors) is not { } link)
            return errors.Problem();
        if (await FindAsync(http, db, link, ct) is not { } preference)
            return NotFound();
        if (IsSubscribed(preference))
        {
            preference.Channel = NotificationChannels.InApp;
            preference.NextDigestAt = null;
            await db.SaveChangesAsync(ct);
        }
        return Page(http, "You are unsubscribed", "<p>Tidings will send you no more notification e-mails or digests. Your notifications stay in the app.</p>" + TurnBackOn);
    }

    private const string TurnBackOn =
        "\n<p style=\"color:#666666;font-size:13px\">To have e-mails again, sign in to <a href=\"/\">Tidings</a> and choose e-mail or a digest in your notification settings.</p>";

    private static bool IsSubscribed(NotificationPreference preference) =>
        preference.Channel != NotificationChannels.InApp || preference.NextDigestAt is not null;

    private static Link? Read(string? b, string? u, string? t, out FieldErrors errors)
    {
        errors = new FieldErrors();
        if (!Guid.TryParse(b, out var businessId))
            errors.Add("b", "The link's business is missing or not an id: copy the whole link from the e-mail.");
        if (!Guid.TryParse(u, out var userId))
            errors.Add("u", "The link's person is missing or not an id: copy the whole link from the e-mail.");
        errors.Required("t", t, TokenMaxLength);
        return errors.Any ? null : new Link(businessId, userId, t!);
    }

    /// <summary>The person's preferences when the link is theirs, acting in the link's business as the unsubscribe link.</summary>
    private static async Task<NotificationPreference?> FindAsync(HttpContext http, TidingsDbContext db, Link link, CancellationToken ct)
    {
        if (link.BusinessId == Guid.Empty)
            return null;
        http.RequestServices.GetRequiredService<CurrentTenant>().Set(link.BusinessId);
        db.Actor.SetSystem(ActorName);
        var preference = await db.NotificationPreferences.SingleOrDefaultAsync(p => p.UserId == link.UserId, ct);
        if (preference is null || preference.UnsubscribeToken.Length == 0)
            return null;
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(preference.UnsubscribeToken), Encoding.UTF8.GetBytes(link.Token))
            ? preference
            : null;
    }

    private static IResult NotFound() => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown unsubscribe link",
        detail: "This link does not unsubscribe anyone: check that it was copied whole from the e-mail.");

    private static IResult Page(HttpContext http, string title, string body)
    {
        var headers = http.Response.Headers;
        // The token is in the address: no other site learns it from a Referer, and no cache or index keeps the page.
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-store";
        headers["X-Robots-Tag"] = "noindex";
        headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'";
        return TypedResults.Content(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width\">\n"
            + $"<title>{H(title)}</title>\n</head>\n<body style=\"margin:0;padding:24px;font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.45;color:#222222\">\n"
            + $"<div style=\"max-width:560px;margin:0 auto\">\n<h1 style=\"font-size:20px\">{H(title)}</h1>\n{body}\n</div>\n</body>\n</html>\n",
            "text/html; charset=utf-8");
    }

    private static string H(string text) => WebUtility.HtmlEncode(text);
}
