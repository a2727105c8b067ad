using System.Net;
using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace Tidings.Monitoring.Feeds;

/// <summary>The root element of a document and the namespaces its root declares (an RSS 0.90 root says its version only there).</summary>
internal sealed record XmlRoot(XElement Element, IReadOnlyList<string> RootNamespaces);

/// <summary>
/// Reads XML the way a feed reader must: never resolving a DTD or an external entity (a DOCTYPE is skipped, not
/// refused), and when the strict reading fails, once more after repairing what feeds get wrong: a bare "&amp;", HTML
/// entities XML lacks (&amp;nbsp; &amp;hellip;), "&amp;#X41;", a lone "&lt;". A document cut short keeps what was read.
/// </summary>
internal static class TolerantXml
{
    private static readonly XmlReaderSettings Settings = new()
    {
        DtdProcessing = DtdProcessing.Ignore,
        XmlResolver = null,
        MaxCharactersFromEntities = 1024,
        CheckCharacters = false,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        ConformanceLevel = ConformanceLevel.Document,
    };

    private const string XmlnsNamespace = "http://www.w3.org/2000/xmlns/";

    /// <summary>The root, or null when not even a root element could be read.</summary>
    public static XmlRoot? Load(string text)
    {
        try
        {
            return Strict(text);
        }
        catch (XmlException)
        {
            return Read(Repair(text), keepPartial: true);
        }
    }

    private static XmlRoot Strict(string text)
    {
        var start = AfterDeclaration(text);
        using var reader = XmlReader.Create(new StringReader(start == 0 ? text : text[start..]), Settings);
        var root = XElement.Load(reader);
        var namespaces = new List<string>();
        foreach (var attribute in root.Attributes())
        {
            if (attribute.IsNamespaceDeclaration)
                namespaces.Add(attribute.Value);
        }
        return new XmlRoot(root, namespaces);
    }

    /// <summary>Builds the tree node by node so that, when the reading fails part-way, what was read can be kept.</summary>
    private static XmlRoot? Read(string text, bool keepPartial)
    {
        var start = AfterDeclaration(text);
        using var reader = XmlReader.Create(new StringReader(start == 0 ? text : text[start..]), Settings);
        XElement? root = null;
        List<string> rootNamespaces = [];
        var open = new Stack<XElement>();
        try
        {
            while (reader.Read())
            {
                switch (reader.NodeType)
                {
                    case XmlNodeType.Element:
                        var element = new XElement(XName.Get(reader.LocalName, reader.NamespaceURI));
                        var empty = reader.IsEmptyElement;
                        while (reader.MoveToNextAttribute())
                        {
                            if (reader.NamespaceURI == XmlnsNamespace)
                            {
                                if (root is null)
                                    rootNamespaces.Add(reader.Value);
                                continue;
                            }
                            element.Add(new XAttribute(XName.Get(reader.LocalName, reader.NamespaceURI), reader.Value));
                        }
                        if (open.TryPeek(out var parent))
                            parent.Add(element);
                        else if (root is null)
                            root = element;
                        if (!empty)
                            open.Push(element);
                        break;
                    case XmlNodeType.EndElement:
                        open.Pop();
                        break;
                    case XmlNodeType.Text or XmlNodeType.CDATA or XmlNodeType.Whitespace or XmlNodeType.SignificantWhitespace:
                        if (open.TryPeek(out var holder))
                            holder.Add(new XText(reader.Value));
                        break;
                }
            }
        }
        catch (XmlException) when (keepPartial)
        {
            // What was read before the error stands: a feed cut short still has its complete items.
        }
        return root is null ? null : new XmlRoot(root, rootNamespaces);
    }

    /// <summary>
    /// Where the text after the XML declaration starts. The text is already decoded, so the declaration's encoding has
    /// done its part, and a wrong or unknown name there must not fail the reading.
    /// </summary>
    private static int AfterDeclaration(string text)
    {
        if (!text.StartsWith("<?xml", StringComparison.Ordinal) || text.Length < 6 || !char.IsWhiteSpace(text[5]))
            return 0;
        var end = text.IndexOf("?>", StringComparison.Ordinal);
        return end < 0 ? 0 : end + 2;
    }

    /// <summary>The text with its entity and "&lt;" mistakes repaired; comments and CDATA sections are copied as they are.</summary>
    internal static string Repair(string text)
    {
        var fixedText = new StringBuilder(text.Length + 64);
        var i = 0;
        while (i < text.Length)
        {
            var next = text.AsSpan(i).IndexOfAny('&', '<');
            if (next < 0)
            {
                fixedText.Append(text, i, text.Length - i);
                break;
            }
            next += i;
            fixedText.Append(text, i, next - i);
            i = text[next] == '&' ? RepairReference(text, next, fixedText) : RepairMarkup(text, next, fixedText);
        }
        return fixedText.ToString();
    }

    private static int RepairMarkup(string text, int lt, StringBuilder fixedText)
    {
        foreach (var (open, close) in Verbatim)
        {
            if (string.CompareOrdinal(text, lt, open, 0, open.Length) == 0)
            {
                var end = text.IndexOf(close, lt + open.Length, StringComparison.Ordinal);
                end = end < 0 ? text.Length : end + close.Length;
                fixedText.Append(text, lt, end - lt);
                return end;
            }
        }
        var after = lt + 1 < text.Length ? text[lt + 1] : ' ';
        if (char.IsLetter(after) || after is '/' or '!' or '?' or '_' or ':')
            fixedText.Append('<');
        else
            fixedText.Append("&lt;");
        return lt + 1;
    }

    private static readonly (string Open, string Close)[] Verbatim = [("<![CDATA[", "]]>"), ("<!--", "-->")];

    private static int RepairReference(string text, int amp, StringBuilder fixedText)
    {
        var semicolon = text.IndexOf(';', amp + 1, Math.Min(34, text.Length - amp - 1));
        if (semicolon > amp + 1)
        {
            var name = text.AsSpan(amp + 1, semicolon - amp - 1);
            if (name[0] == '#')
            {
                var digits = name[1..];
                if (digits.Length > 1 && digits[0] is 'x' or 'X' && IsAll(digits[1..], char.IsAsciiHexDigit))
                {
                    fixedText.Append("&#x").Append(digits[1..]).Append(';');
                    return semicolon + 1;
                }
                if (!digits.IsEmpty && IsAll(digits, char.IsAsciiDigit))
                {
                    fixedText.Append(text, amp, semicolon + 1 - amp);
                    return semicolon + 1;
                }
            }
            else if (IsAll(name, char.IsAsciiLetterOrDigit))
            {
                if (name is "amp" or "lt" or "gt" or "quot" or "apos")
                {
                    fixedText.Append(text, amp, semicolon + 1 - amp);
                    return semicolon + 1;
                }
                var reference = text.Substring(amp, semicolon + 1 - amp);
                var decoded = WebUtility.HtmlDecode(reference);
                if (decoded != reference)
                {
                    // An HTML entity: its character, escaped again if XML gives it meaning.
                    fixedText.Append(decoded.Replace("&", "&amp;").Replace("<", "&lt;"));
                    return semicolon + 1;
                }
            }
        }
        fixedText.Append("&amp;");
        return amp + 1;
    }

    private static bool IsAll(ReadOnlySpan<char> span, Func<char, bool> test)
    {
        foreach (var c in span)
        {
            if (!test(c))
                return false;
        }
        return true;
    }
}
