using System.Net;
using System.Text;

namespace Tidings.Monitoring.Feeds;

/// <summary>
/// Turns feed text into plain text for people: markup removed, script and style content dropped, entities decoded.
/// Line breaks, tabs and the spaces around them fold into one space; spaces an author typed side by side are kept.
/// </summary>
internal static class PlainText
{
    public const int SummaryLimit = 4000;

    /// <summary>Plain text of an HTML fragment, or null when nothing readable is left.</summary>
    public static string? FromHtml(string? html, int limit = int.MaxValue)
    {
        if (string.IsNullOrEmpty(html))
            return null;
        if (html.AsSpan().IndexOfAny('<', '&') < 0)
            return FromText(html, limit);
        var text = new StringBuilder(Math.Min(html.Length, limit));
        // Entities shrink, so stripping stops a little past the limit rather than at it.
        var stopAt = limit == int.MaxValue ? int.MaxValue : limit + limit / 4 + 64;
        var i = 0;
        while (i < html.Length && text.Length < stopAt)
        {
            var lt = html.IndexOf('<', i);
            if (lt < 0)
            {
                text.Append(html, i, html.Length - i);
                break;
            }
            text.Append(html, i, lt - i);
            i = SkipMarkup(html, lt, text);
        }
        return FromText(WebUtility.HtmlDecode(text.ToString()), limit);
    }

    /// <summary>Text with its layout whitespace folded and trimmed, cut at the limit; null when empty.</summary>
    public static string? FromText(string? text, int limit = int.MaxValue)
    {
        if (string.IsNullOrEmpty(text))
            return null;
        var span = text.AsSpan().Trim(Layout);
        if (span.IsEmpty)
            return null;
        var folded = span.IndexOfAny(Breaks) < 0
            ? (span.Length == text.Length ? text : span.ToString())
            : Fold(span);
        return folded.Length <= limit ? folded : Cut(folded, limit);
    }

    /// <summary>The text cut to at most <paramref name="limit"/> characters, at a word boundary when one is near, with an ellipsis.</summary>
    public static string Cut(string text, int limit)
    {
        if (text.Length <= limit)
            return text;
        var end = limit - 1;
        var space = text.LastIndexOf(' ', end, Math.Min(end, 40));
        if (space > 0)
            end = space;
        if (char.IsHighSurrogate(text[end - 1]))
            end--;
        return string.Concat(text.AsSpan(0, end).TrimEnd(' '), "…");
    }

    /// <summary>Each run of layout whitespace that holds more than spaces becomes one space; runs of spaces stay.</summary>
    private static string Fold(ReadOnlySpan<char> span)
    {
        var folded = new StringBuilder(span.Length);
        while (!span.IsEmpty)
        {
            var run = span.IndexOfAny(Layout);
            if (run < 0)
            {
                folded.Append(span);
                break;
            }
            folded.Append(span[..run]);
            span = span[run..];
            var end = span.IndexOfAnyExcept(Layout);
            if (end < 0)
                end = span.Length;
            var whitespace = span[..end];
            if (whitespace.ContainsAnyExcept(' '))
                folded.Append(' ');
            else
                folded.Append(whitespace);
            span = span[end..];
        }
        return folded.ToString();
    }

    private const string Layout = " \t\r\n\f\v";
    private const string Breaks = "\t\r\n\f\v";

    private static bool IsLayout(char c) => c is ' ' or '\t' or '\r' or '\n' or '\f' or '\v';

    private static bool IsDropped(ReadOnlySpan<char> name) =>
        name is "script" or "style" or "template" or "noscript" or "iframe" or "object" or "svg" or "math";

    private static bool IsBlock(ReadOnlySpan<char> name) =>
        name is "p" or "br" or "div" or "li" or "ul" or "ol" or "dl" or "dt" or "dd" or "tr" or "td" or "th" or "table"
            or "h1" or "h2" or "h3" or "h4" or "h5" or "h6" or "blockquote" or "pre" or "hr" or "section" or "article"
            or "header" or "footer" or "figure" or "figcaption" or "img";

    /// <summary>Skips the markup starting at <paramref name="lt"/> and returns where text resumes; a lone "&lt;" is kept as text.</summary>
    private static int SkipMarkup(string html, int lt, StringBuilder text)
    {
        var next = lt + 1 < html.Length ? html[lt + 1] : '\0';
        if (next == '!')
        {
            if (string.CompareOrdinal(html, lt, "<!--", 0, 4) == 0)
                return EndOf(html, "-->", lt + 4);
            if (string.CompareOrdinal(html, lt, "<![CDATA[", 0, 9) == 0)
            {
                var close = html.IndexOf("]]>", lt + 9, StringComparison.Ordinal);
                var end = close < 0 ? html.Length : close;
                text.Append(html, lt + 9, end - lt - 9);
                return close < 0 ? html.Length : close + 3;
            }
            return EndOf(html, ">", lt + 2);
        }
        if (next == '?')
            return EndOf(html, ">", lt + 2);
        var closing = next == '/';
        var nameStart = closing ? lt + 2 : lt + 1;
        if (nameStart >= html.Length || !char.IsAsciiLetter(html[nameStart]))
        {
            text.Append('<');
            return lt + 1;
        }
        var nameEnd = nameStart;
        while (nameEnd < html.Length && (char.IsAsciiLetterOrDigit(html[nameEnd]) || html[nameEnd] is '-' or ':'))
            nameEnd++;
        var tagEnd = EndOfTag(html, nameEnd);
        if (nameEnd - nameStart > 12)
            return tagEnd;
        Span<char> name = stackalloc char[nameEnd - nameStart];
        html.AsSpan(nameStart, name.Length).ToLowerInvariant(name);
        if (!closing && IsDropped(name) && !IsSelfClosed(html, tagEnd))
            return EndOfDropped(html, tagEnd, name.ToString());
        if (IsBlock(name))
            text.Append('\n');
        return tagEnd;
    }

    private static bool IsSelfClosed(string html, int tagEnd) => tagEnd >= 2 && html[tagEnd - 2] == '/';

    private static int EndOf(string html, string marker, int from)
    {
        var at = html.IndexOf(marker, from, StringComparison.Ordinal);
        return at < 0 ? html.Length : at + marker.Length;
    }

    /// <summary>The index after the tag's closing "&gt;", skipping quoted attribute values.</summary>
    private static int EndOfTag(string html, int from)
    {
        var quote = '\0';
        for (var i = from; i < html.Length; i++)
        {
            var c = html[i];
            if (quote != '\0')
            {
                if (c == quote)
                    quote = '\0';
            }
            else if (c is '"' or '\'')
                quote = c;
            else if (c == '>')
                return i + 1;
        }
        return html.Length;
    }

    /// <summary>The index after the end tag of a dropped element (its whole content is skipped), or the end of the text.</summary>
    private static int EndOfDropped(string html, int from, string name)
    {
        var i = from;
        while ((i = html.IndexOf("</", i, StringComparison.Ordinal)) >= 0)
        {
            if (i + 2 + name.Length <= html.Length && html.AsSpan(i + 2, name.Length).Equals(name, StringComparison.OrdinalIgnoreCase))
                return EndOfTag(html, i + 2 + name.Length);
            i += 2;
        }
        return html.Length;
    }
}
