namespace Tidings.Monitoring.Feeds;

/// <summary>
/// Reads a fetched document as a feed: RSS 0.9x/1.0/2.0, Atom 0.3/1.0 or JSON Feed 1.x, in whatever encoding it is
/// in, recovering ill-formed XML where a reader can. Anything that is not a feed raises <see cref="NotAFeedException"/>.
/// </summary>
public static class FeedParser
{
    /// <summary>How much of a summary stands in for a missing title.</summary>
    private const int TitleFromSummaryLength = 120;

    /// <param name="body">The response body as received (already decompressed).</param>
    /// <param name="contentType">The Content-Type header, or null.</param>
    /// <param name="documentUrl">The URL the body was finally fetched from; relative links resolve against it.</param>
    public static ParsedFeed Parse(ReadOnlySpan<byte> body, string? contentType, Uri documentUrl)
    {
        var document = Read(body, contentType, documentUrl);
        var items = new List<FeedItem>(document.Entries.Count);
        foreach (var entry in document.Entries)
        {
            // An item with nothing a person could read or follow is no news.
            var title = entry.Title ?? (entry.Summary is { } summary ? PlainText.Cut(summary, TitleFromSummaryLength) : entry.Link);
            if (title is not null)
                items.Add(new FeedItem(entry.Id, title, entry.Link, entry.Summary, entry.Published, entry.Updated));
        }
        return new ParsedFeed(document.Format, document.Title, document.SiteLink, items);
    }

    /// <summary>The feed with every entry as the document gives it (before the item rules of <see cref="Parse"/>).</summary>
    internal static FeedDocument Read(ReadOnlySpan<byte> body, string? contentType, Uri documentUrl)
    {
        if (body.Trim(" \t\r\n"u8).IsEmpty)
            throw new NotAFeedException("The response was empty.");
        var text = FeedEncoding.Decode(body, contentType);
        var start = text.AsSpan().IndexOfAnyExcept(" \t\r\n\uFEFF\0");
        if (start < 0)
            throw new NotAFeedException("The response was empty.");
        switch (text[start])
        {
            case '{' or '[':
                return JsonFeedReader.Read(text, documentUrl);
            case not '<':
                throw new NotAFeedException("The document is neither XML nor JSON, so it is not a feed.");
        }
        if (start > 0)
            text = text[start..];
        var firstElement = FirstElementName(text);
        if (firstElement is null)
            throw new NotAFeedException("The document holds no element, so it is not a feed.");
        if (firstElement.Equals("html", StringComparison.OrdinalIgnoreCase))
            throw new NotAFeedException("The document is an HTML page, not a feed.");
        var root = TolerantXml.Load(text)
            ?? throw new NotAFeedException("The document is not well-formed XML and no feed could be read from it.");
        return XmlFeedReader.Read(root, documentUrl)
            ?? throw new NotAFeedException($"The document is XML with a <{root.Element.Name.LocalName}> root, not an RSS, RDF or Atom feed.");
    }

    /// <summary>The name of the first element, past the declaration, comments and any DOCTYPE; null when there is none.</summary>
    private static string? FirstElementName(string text)
    {
        var i = 0;
        while ((i = text.IndexOf('<', i)) >= 0 && i + 1 < text.Length)
        {
            if (string.CompareOrdinal(text, i, "<!--", 0, 4) == 0)
            {
                var end = text.IndexOf("-->", i + 4, StringComparison.Ordinal);
                if (end < 0)
                    return null;
                i = end + 3;
                continue;
            }
            if (text[i + 1] is '?' or '!')
            {
                i = EndOfDeclaration(text, i);
                continue;
            }
            var nameEnd = i + 1;
            while (nameEnd < text.Length && !char.IsWhiteSpace(text[nameEnd]) && text[nameEnd] is not ('>' or '/'))
                nameEnd++;
            var name = text.AsSpan(i + 1, nameEnd - i - 1);
            var colon = name.IndexOf(':');
            return (colon >= 0 ? name[(colon + 1)..] : name).ToString();
        }
        return null;
    }

    /// <summary>Past a "&lt;?...?&gt;" or "&lt;!...&gt;", including a DOCTYPE's bracketed internal subset.</summary>
    private static int EndOfDeclaration(string text, int at)
    {
        var depth = 0;
        for (var i = at + 2; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '[': depth++; break;
                case ']': depth--; break;
                case '>' when depth <= 0: return i + 1;
            }
        }
        return text.Length;
    }
}
