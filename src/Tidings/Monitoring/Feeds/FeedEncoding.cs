using System.Text;
using System.Text.Unicode;

namespace Tidings.Monitoring.Feeds;

/// <summary>
/// Decodes a feed's bytes: a byte order mark first, then UTF-16 recognised by its zero bytes, then the charset of the
/// Content-Type header, then the XML declaration's encoding, else UTF-8, or windows-1252 when the bytes are not UTF-8.
/// A declared Latin-1 family charset over bytes that are valid UTF-8 is a mislabel, and the text is read as UTF-8.
/// </summary>
internal static class FeedEncoding
{
    static FeedEncoding()
    {
        // KOI8-R, EUC-KR, ISO-8859-7, windows-1252...: .NET ships them but only hands them out once registered.
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        Windows1252 = Encoding.GetEncoding(1252);
    }

    private static readonly Encoding Utf8Text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    public static string Decode(ReadOnlySpan<byte> body, string? contentType)
    {
        if (body.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
            return Utf8Text.GetString(body[3..]);
        if (body.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]))
            return Encoding.Unicode.GetString(body[2..]);
        if (body.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
            return Encoding.BigEndianUnicode.GetString(body[2..]);
        if (body.Length >= 2 && body[0] == 0 && body[1] != 0)
            return Encoding.BigEndianUnicode.GetString(body);
        if (body.Length >= 2 && body[0] != 0 && body[1] == 0)
            return Encoding.Unicode.GetString(body);

        var declared = Named(CharsetOf(contentType)) ?? Named(PrologEncoding(body));
        if (declared is not null && !IsLatin1Family(declared))
            return declared.GetString(body);
        if (Utf8.IsValid(body))
            return Utf8Text.GetString(body);
        return (declared ?? Windows1252).GetString(body);
    }

    /// <summary>The charset parameter of a Content-Type header, or null.</summary>
    public static string? CharsetOf(string? contentType)
    {
        if (contentType is null)
            return null;
        var at = contentType.IndexOf("charset=", StringComparison.OrdinalIgnoreCase);
        if (at < 0)
            return null;
        var value = contentType.AsSpan(at + 8);
        var end = value.IndexOfAny(';', ' ', ',');
        if (end >= 0)
            value = value[..end];
        return value.Trim().Trim("\"'").ToString();
    }

    private static readonly Encoding Windows1252;

    /// <summary>
    /// The encoding a name stands for, or null when unknown or when it cannot be right for bytes read as ASCII:
    /// a UTF-16 or UTF-32 name reached this far only on bytes without zero bytes where UTF-16 would have them.
    /// ISO-8859-1 is read as windows-1252, as browsers do (the same letters, plus the quotes and dashes in 0x80–0x9F).
    /// </summary>
    private static Encoding? Named(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
            return null;
        if (name.StartsWith("iso8859", StringComparison.OrdinalIgnoreCase))
            name = "iso-8859" + name[7..];
        Encoding encoding;
        try
        {
            encoding = Encoding.GetEncoding(name.Trim());
        }
        catch (ArgumentException)
        {
            return null;
        }
        return encoding.CodePage switch
        {
            1200 or 1201 or 12000 or 12001 => null,
            28591 => Windows1252,
            _ => encoding,
        };
    }

    private static bool IsLatin1Family(Encoding encoding) => encoding.CodePage is 1252 or 28591 or 20127 or 28605;

    /// <summary>The encoding named in an XML declaration at the start of the bytes, or null.</summary>
    private static string? PrologEncoding(ReadOnlySpan<byte> body)
    {
        if (!body.StartsWith("<?xml"u8))
            return null;
        var end = body.IndexOf("?>"u8);
        if (end < 0)
            return null;
        var prolog = body[..end];
        var at = prolog.IndexOf("encoding"u8);
        if (at < 0)
            return null;
        var rest = prolog[(at + 8)..].TrimStart(" \t\r\n="u8);
        if (rest.IsEmpty || rest[0] is not ((byte)'"' or (byte)'\''))
            return null;
        var quote = rest[0];
        rest = rest[1..];
        var close = rest.IndexOf(quote);
        return close < 0 ? null : Encoding.ASCII.GetString(rest[..close]);
    }
}
