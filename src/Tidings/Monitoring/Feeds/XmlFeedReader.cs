using System.Text;
using System.Xml.Linq;

namespace Tidings.Monitoring.Feeds;

/// <summary>
/// Reads RSS 0.9x/2.0, RSS 1.0 and 0.90 (RDF) and Atom 0.3/1.0 from an XML tree. Each item is read in one pass over
/// its children; the format's own elements are matched in the item's namespace (whatever it is, so RSS 2.0 in the
/// Userland namespace and prefixed RSS 1.0 read the same), module elements (Dublin Core, content:encoded) in theirs.
/// </summary>
internal static class XmlFeedReader
{
    private const string Atom10 = "http://www.w3.org/2005/Atom";
    private const string Atom03 = "http://purl.org/atom/ns#";
    private const string Rss10 = "http://purl.org/rss/1.0/";
    private const string Rss090 = "http://my.netscape.com/rdf/simple/0.9/";
    private const string Rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
    private const string DublinCore = "http://purl.org/dc/elements/1.1/";
    private const string DcTerms = "http://purl.org/dc/terms/";
    private const string Content = "http://purl.org/rss/1.0/modules/content/";

    private static readonly XName XmlBase = XNamespace.Xml + "base";
    private static readonly XName RdfAbout = XName.Get("about", Rdf);

    /// <summary>The feed in the tree, or null when the root is not one of a feed's.</summary>
    public static FeedDocument? Read(XmlRoot document, Uri documentUrl)
    {
        var root = document.Element;
        return root.Name.LocalName switch
        {
            "rss" => Rss(root, documentUrl),
            "RDF" when IsRssRdf(document) => Rdf10(document, documentUrl),
            "feed" => Atom(root, documentUrl),
            _ => null,
        };
    }

    private static FeedDocument Rss(XElement root, Uri documentUrl)
    {
        var version = root.Attribute("version")?.Value.Trim();
        var format = version switch
        {
            null or "" => "RSS",
            "2.0" or "2.00" or "2" => "RSS 2.0",
            _ => "RSS " + version,
        };
        var ns = root.Name.Namespace;
        var channel = root.Element(ns + "channel");
        var items = new List<FeedEntry>();
        if (channel is not null)
            AddRssItems(channel, ns, documentUrl, items);
        AddRssItems(root, ns, documentUrl, items);
        return new FeedDocument(format, PlainText.FromHtml(channel?.Element(ns + "title")?.Value),
            Link(channel?.Element(ns + "link"), documentUrl), items);
    }

    private static bool IsRssRdf(XmlRoot document) =>
        document.RootNamespaces.Any(n => n is Rss10 or Rss090)
        || document.Element.Elements().Any(e => e.Name.LocalName is "channel" or "item");

    private static FeedDocument Rdf10(XmlRoot document, Uri documentUrl)
    {
        var root = document.Element;
        var channel = root.Elements().FirstOrDefault(e => e.Name.LocalName == "channel");
        var ns = channel?.Name.Namespace
            ?? root.Elements().FirstOrDefault(e => e.Name.LocalName == "item")?.Name.Namespace
            ?? (document.RootNamespaces.Contains(Rss090) ? Rss090 : Rss10);
        var items = new List<FeedEntry>();
        AddRssItems(root, ns, documentUrl, items);
        if (channel is not null)
            AddRssItems(channel, ns, documentUrl, items);
        return new FeedDocument(ns.NamespaceName == Rss090 ? "RSS 0.90" : "RSS 1.0",
            PlainText.FromHtml(channel?.Element(ns + "title")?.Value), Link(channel?.Element(ns + "link"), documentUrl), items);
    }

    private static void AddRssItems(XElement parent, XNamespace ns, Uri documentUrl, List<FeedEntry> items)
    {
        var itemName = ns + "item";
        foreach (var item in parent.Elements(itemName))
            items.Add(RssItem(item, ns, documentUrl));
    }

    private static FeedEntry RssItem(XElement item, XNamespace ns, Uri documentUrl)
    {
        string? title = null, link = null, guid = null, permaLink = null, dcTitle = null;
        string? pubDate = null, dcDate = null, issued = null, modified = null;
        XElement? linkElement = null;
        var summaries = new List<string>(2);
        foreach (var child in item.Elements())
        {
            var name = child.Name;
            if (name.Namespace == ns)
            {
                switch (name.LocalName)
                {
                    case "title": title ??= child.Value; break;
                    case "link": linkElement ??= child; break;
                    case "description": summaries.Add(child.Value); break;
                    case "pubDate": pubDate ??= child.Value; break;
                    case "guid":
                        guid ??= child.Value.Trim();
                        if (!string.Equals(child.Attribute("isPermaLink")?.Value.Trim(), "false", StringComparison.OrdinalIgnoreCase))
                            permaLink ??= child.Value.Trim();
                        break;
                }
            }
            else if (name.NamespaceName == DublinCore)
            {
                switch (name.LocalName)
                {
                    case "date": dcDate ??= child.Value; break;
                    case "title": dcTitle ??= child.Value; break;
                    case "description": summaries.Add(child.Value); break;
                }
            }
            else if (name.NamespaceName == DcTerms)
            {
                switch (name.LocalName)
                {
                    case "issued": issued ??= child.Value; break;
                    case "modified": modified ??= child.Value; break;
                }
            }
            else if (name.NamespaceName == Content && name.LocalName == "encoded")
                summaries.Add(child.Value);
        }
        link = Link(linkElement, documentUrl);
        // A guid is a permalink unless it says otherwise, but only an absolute web address can stand for a link.
        if (link is null && permaLink is not null && IsWebAddress(permaLink))
            link = permaLink;
        var id = string.IsNullOrEmpty(guid) ? item.Attribute(RdfAbout)?.Value.Trim() : guid;
        return new FeedEntry(NullIfEmpty(id), PlainText.FromHtml(title ?? dcTitle), link, Summary(summaries, html: true),
            FeedDates.Parse(pubDate ?? dcDate ?? issued), FeedDates.Parse(modified));
    }

    private static FeedDocument Atom(XElement root, Uri documentUrl)
    {
        var ns = root.Name.Namespace;
        var format = ns.NamespaceName switch
        {
            Atom10 => "Atom 1.0",
            Atom03 => "Atom 0.3",
            _ => "Atom",
        };
        var entries = new List<FeedEntry>();
        string? title = null, siteLink = null;
        foreach (var child in root.Elements())
        {
            if (child.Name.Namespace != ns)
                continue;
            switch (child.Name.LocalName)
            {
                case "entry": entries.Add(AtomEntry(child, ns, documentUrl)); break;
                case "title": title ??= TextConstruct(child, int.MaxValue); break;
                case "link" when siteLink is null && IsAlternate(child): siteLink = Href(child, documentUrl); break;
            }
        }
        return new FeedDocument(format, title, siteLink, entries);
    }

    private static FeedEntry AtomEntry(XElement entry, XNamespace ns, Uri documentUrl)
    {
        string? title = null, link = null, id = null;
        string? published = null, issued = null, updated = null, modified = null, dcDate = null;
        var summaries = new List<string>(2);
        foreach (var child in entry.Elements())
        {
            var name = child.Name;
            if (name.Namespace == ns)
            {
                switch (name.LocalName)
                {
                    case "title": title ??= TextConstruct(child, int.MaxValue); break;
                    case "link" when link is null && IsAlternate(child): link = Href(child, documentUrl); break;
                    case "id": id ??= NullIfEmpty(child.Value.Trim()); break;
                    case "summary" or "content" when child.Attribute("src") is null:
                        if (TextConstruct(child, PlainText.SummaryLimit) is { } text)
                            summaries.Add(text);
                        break;
                    case "published": published ??= child.Value; break;
                    case "issued" or "created": issued ??= child.Value; break;
                    case "updated": updated ??= child.Value; break;
                    case "modified": modified ??= child.Value; break;
                }
            }
            else if (name.NamespaceName is DublinCore && name.LocalName == "date")
                dcDate ??= child.Value;
            else if (name.NamespaceName is DcTerms)
            {
                switch (name.LocalName)
                {
                    case "issued": issued ??= child.Value; break;
                    case "modified": modified ??= child.Value; break;
                }
            }
        }
        return new FeedEntry(id, title, link, Summary(summaries, html: false),
            FeedDates.Parse(published ?? issued ?? dcDate), FeedDates.Parse(updated ?? modified));
    }

    /// <summary>
    /// The plain text of an Atom text construct: type "text" is text, "html" (0.3: "text/html" or mode "escaped") is
    /// markup to strip, "xhtml" (0.3: mode "xml") is XML whose text nodes are the text.
    /// </summary>
    private static string? TextConstruct(XElement element, int limit)
    {
        var type = element.Attribute("type")?.Value.Trim().ToLowerInvariant();
        var mode = element.Attribute("mode")?.Value.Trim().ToLowerInvariant();
        var value = element.Value;
        if (mode == "base64")
        {
            try
            {
                value = Encoding.UTF8.GetString(Convert.FromBase64String(value));
            }
            catch (FormatException)
            {
                return null;
            }
        }
        if (type is "xhtml" or "application/xhtml+xml" || (mode == "xml" && element.HasElements))
            return PlainText.FromText(XhtmlText(element), limit);
        if (type is "html" or "text/html" || mode == "escaped")
            return PlainText.FromHtml(value, limit);
        return PlainText.FromText(value, limit);
    }

    /// <summary>The text nodes of inline XHTML, with script and style left out and a break between blocks.</summary>
    private static string XhtmlText(XElement element)
    {
        var text = new StringBuilder();
        Append(element);
        return text.ToString();

        void Append(XElement parent)
        {
            foreach (var node in parent.Nodes())
            {
                if (node is XText t)
                    text.Append(t.Value);
                else if (node is XElement e && e.Name.LocalName is not ("script" or "style"))
                {
                    Append(e);
                    if (e.Name.LocalName is "p" or "div" or "br" or "li" or "tr" or "h1" or "h2" or "h3" or "h4" or "h5" or "h6")
                        text.Append('\n');
                }
            }
        }
    }

    private static bool IsAlternate(XElement link) =>
        link.Attribute("rel")?.Value.Trim() is null or "" or "alternate" or "http://www.iana.org/assignments/relation/alternate";

    private static string? Href(XElement link, Uri documentUrl) => Resolve(link.Attribute("href")?.Value, link, documentUrl);

    private static string? Link(XElement? element, Uri documentUrl) =>
        element is null ? null : Resolve(element.Value, element, documentUrl);

    /// <summary>The address made absolute against the xml:base in force at the element, then the document's URL.</summary>
    private static string? Resolve(string? address, XElement at, Uri documentUrl)
    {
        address = address?.Trim();
        if (string.IsNullOrEmpty(address))
            return null;
        if (Uri.TryCreate(address, UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https")
            return absolute.AbsoluteUri;
        var baseUrl = BaseOf(at, documentUrl);
        return Uri.TryCreate(baseUrl, address, out var resolved) ? resolved.AbsoluteUri : null;
    }

    private static Uri BaseOf(XElement element, Uri documentUrl)
    {
        var bases = new List<string>();
        for (var e = element; e is not null; e = e.Parent)
        {
            if (e.Attribute(XmlBase)?.Value is { } value)
                bases.Add(value.Trim());
        }
        var current = documentUrl;
        for (var i = bases.Count - 1; i >= 0; i--)
        {
            if (Uri.TryCreate(current, bases[i], out var next))
                current = next;
        }
        return current;
    }

    private static bool IsWebAddress(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https";

    /// <summary>The longest plain-text description among the item's candidates, cut to the summary limit.</summary>
    internal static string? Summary(List<string> candidates, bool html)
    {
        string? best = null;
        foreach (var candidate in candidates)
        {
            var text = html ? PlainText.FromHtml(candidate, PlainText.SummaryLimit) : candidate;
            if (text is not null && (best is null || text.Length > best.Length))
                best = text;
        }
        return best;
    }

    private static string? NullIfEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;
}
