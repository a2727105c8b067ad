using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Tidings.Tests.Monitoring;

/// <summary>Feeds written by the monitor's tests, served the way real servers do (ETag and If-None-Match answered with 304).</summary>
public static class TestFeeds
{
    /// <summary>The date of items that give none: fixed for the run, so a feed's bytes (and its ETag) stay the same between polls.</summary>
    private static readonly DateTime Recently = DateTime.UtcNow.AddHours(-1);

    public sealed record Item(string Title, string Link, string? Description = null, DateTime? Published = null);

    public static string Rss(string title, params Item[] items)
    {
        var xml = new StringBuilder($"""<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{WebUtility.HtmlEncode(title)}</title><link>https://example.org/</link>""");
        foreach (var item in items)
        {
            xml.Append($"<item><title>{WebUtility.HtmlEncode(item.Title)}</title><link>{WebUtility.HtmlEncode(item.Link)}</link><guid>{WebUtility.HtmlEncode(item.Link)}</guid>");
            if (item.Description is not null)
                xml.Append($"<description>{WebUtility.HtmlEncode(item.Description)}</description>");
            xml.Append($"<pubDate>{(item.Published ?? Recently):R}</pubDate></item>");
        }
        return xml.Append("</channel></rss>").ToString();
    }

    /// <summary>Serves whatever <paramref name="body"/> gives at the time of the request, with a strong ETag of it, and 304 to a matching If-None-Match.</summary>
    public static Func<HttpContext, Task> Conditional(Func<string> body, string contentType = "application/rss+xml; charset=utf-8") => async context =>
    {
        var bytes = Encoding.UTF8.GetBytes(body());
        var etag = $"\"{Convert.ToHexStringLower(SHA256.HashData(bytes))[..16]}\"";
        context.Response.Headers.ETag = etag;
        if (context.Request.Headers.IfNoneMatch.ToString() == etag)
        {
            context.Response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }
        context.Response.ContentType = contentType;
        await context.Response.Body.WriteAsync(bytes);
    };
}
