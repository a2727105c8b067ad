using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;
using Tidings.Data;
using Tidings.Data.Tenancy;
using Tidings.Notifications;
using Tidings.Web;

namespace Tidings.Delivery.Email;

/// <summary>
/// The rules of the unsubscribe link of every e-mail (EmailDelivery.UnsubscribeUrl), which the page at <see cref="Path"/>
/// (Pages/Unsubscribe) follows without signing in: the link's token, compared in constant time, is the only credential,
/// and all it can do is turn e-mail off. The page shows a button on GET and changes nothing (link scanners fetch every
/// link of a message); POST, from that button or as a mail client's RFC 8058 one-click request, sets the channel to the
/// app only, acting in the link's business as the system actor "unsubscribe link", audited as any change. A wrong
/// business, person or token is the same "unknown link".
/// </summary>
public static class UnsubscribeLinks
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

    /// <summary>The three parts of a link: the business, the person and their token.</summary>
    public sealed record Link(Guid BusinessId, Guid UserId, string Token)
    {
        /// <summary>The link itself, which the page's button posts to.</summary>
        public string Url => $"{Path}?b={BusinessId}&u={UserId}&t={Uri.EscapeDataString(Token)}";
    }

    /// <summary>The link's parts, or null with what is wrong with each (a link cut short or mangled by a mail client).</summary>
    public static Link? Read(string? b, string? u, string? t, out FieldErrors errors)
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
    public static async Task<NotificationPreference?> FindAsync(HttpContext http, TidingsDbContext db, Link link, CancellationToken ct)
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

    public static bool IsSubscribed(NotificationPreference preference) =>
        preference.Channel != NotificationChannels.InApp || preference.NextDigestAt is not null;

    /// <summary>E-mail off, the app kept; nothing else of the preferences changes. Unsubscribing twice writes nothing the second time.</summary>
    public static async Task UnsubscribeAsync(TidingsDbContext db, NotificationPreference preference, CancellationToken ct)
    {
        if (!IsSubscribed(preference))
            return;
        preference.Channel = NotificationChannels.InApp;
        preference.NextDigestAt = null;
        await db.SaveChangesAsync(ct);
    }

    /// <summary>The answer to a link that unsubscribes nobody, for a client that did not ask for a page.</summary>
    public static IResult UnknownLink() => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: UnknownLinkTitle,
        detail: UnknownLinkDetail);

    public const string UnknownLinkTitle = "Unknown unsubscribe link";
    public const string UnknownLinkDetail = "This link does not unsubscribe anyone: check that it was copied whole from the e-mail.";

    /// <summary>The token is in the address: no other site learns it from a Referer, and no cache or index keeps the answer.</summary>
    public static void KeepPrivate(HttpResponse response)
    {
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers.CacheControl = "no-store";
        response.Headers["X-Robots-Tag"] = "noindex";
    }
}
