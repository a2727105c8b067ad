using System.Net;
using System.Text.RegularExpressions;

namespace Tidings.Monitoring.Fetching;

/// <summary>
/// The feeds a web page names in its &lt;link rel="alternate" type="..."&gt; tags, resolved against the page's
/// &lt;base href&gt; or its own address. A regular expression is enough: only these two tags are read, and a
/// page that hides them in a script names no feed a reader would find either. The expressions run in linear
/// time (no backtracking), whatever a page holds.
/// </summary>
internal static partial class FeedLinks
{
    private static readonly HashSet<string> FeedTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        "application/rss+xml", "application/atom+xml", "application/feed+json", "application/json", "application/rdf+xml", "text/xml",
    };

    public static IReadOnlyList<DiscoveredFeed> In(string html, Uri page)
    {
        html = Comment().Replace(html, "");
        var tags = Tag().Matches(html).ToList();
        var baseUrl = page;
        if (tags.FirstOrDefault(t => t.Groups["name"].Value.Equals("base", StringComparison.OrdinalIgnoreCase)) is { } baseTag
            && Attributes(baseTag.Value).GetValueOrDefault("href") is { Length: > 0 } baseHref
            && Uri.TryCreate(page, baseHref, out var resolvedBase))
            baseUrl = resolvedBase;
        var feeds = new List<DiscoveredFeed>();
        foreach (var tag in tags.Where(t => t.Groups["name"].Value.Equals("link", StringComparison.OrdinalIgnoreCase)))
        {
            var attributes = Attributes(tag.Value);
            var rel = attributes.GetValueOrDefault("rel")?.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries) ?? [];
            var type = attributes.GetValueOrDefault("type")?.Split(';')[0].Trim() ?? "";
            if (!rel.Contains("alternate", StringComparer.OrdinalIgnoreCase) || !FeedTypes.Contains(type)
                || attributes.GetValueOrDefault("href") is not { Length: > 0 } href
                || !Uri.TryCreate(baseUrl, href.Trim(), out var url) || url.Scheme is not ("http" or "https"))
                continue;
            if (feeds.All(f => f.Url != url))
                feeds.Add(new DiscoveredFeed(url, attributes.GetValueOrDefault("title")?.Trim() is { Length: > 0 } title ? title : null));
        }
        return feeds;
    }

    private static Dictionary<string, string> Attributes(string tag)
    {
        var attributes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (Match a in Attribute().Matches(tag))
        {
            var value = a.Groups["double"].Success ? a.Groups["double"].Value : a.Groups["single"].Success ? a.Groups["single"].Value : a.Groups["bare"].Value;
            attributes.TryAdd(a.Groups["name"].Value, WebUtility.HtmlDecode(value));
        }
        return attributes;
    }

    [GeneratedRegex("<!--.*?-->", RegexOptions.Singleline | RegexOptions.NonBacktracking)]
    private static partial Regex Comment();

    [GeneratedRegex(@"<(?<name>link|base)\b[^>]*>", RegexOptions.IgnoreCase | RegexOptions.NonBacktracking)]
    private static partial Regex Tag();

    [GeneratedRegex(@"(?<name>[a-zA-Z_:][-\w:.]*)\s*=\s*(?:""(?<double>[^""]*)""|'(?<single>[^']*)'|(?<bare>[^\s""'>]+))", RegexOptions.NonBacktracking)]
    private static partial Regex Attribute();
}
