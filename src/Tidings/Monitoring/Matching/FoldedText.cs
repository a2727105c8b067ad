using System.Globalization;
using System.Text;

namespace Tidings.Monitoring.Matching;

/// <summary>
/// Text as matching compares it: accents dropped ("Société" reads "Societe"), the Latin letters that are not a letter
/// and an accent spelled out (ø, æ, œ, ß, ł, đ), typographic quotes and dashes made plain. Case is kept: a caller that
/// ignores it lower-cases, one that needs it (short names) does not.
/// A table rather than Normalize(FormD): the service runs with invariant globalization, where .NET does not decompose.
/// </summary>
public static class FoldedText
{
    /// <summary>The precomposed Latin letters (U+00C0–U+024F) that are a base letter and marks, and that base letter.</summary>
    private const string Accented = "ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿĀāĂăĄąĆćĈĉĊċČčĎďĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĨĩĪīĬĭĮįİĴĵĶķĹĺĻļĽľŃńŅņŇňŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžƠơƯưǍǎǏǐǑǒǓǔǕǖǗǘǙǚǛǜǞǟǠǡǦǧǨǩǪǫǬǭǰǴǵǸǹǺǻȀȁȂȃȄȅȆȇȈȉȊȋȌȍȎȏȐȑȒȓȔȕȖȗȘșȚțȞȟȦȧȨȩȪȫȬȭȮȯȰȱȲȳ";
    private const string Plain = "AAAAAACEEEEIIIINOOOOOUUUUYaaaaaaceeeeiiiinooooouuuuyyAaAaAaCcCcCcCcDdEeEeEeEeEeGgGgGgGgHhIiIiIiIiIJjKkLlLlLlNnNnNnOoOoOoRrRrRrSsSsSsSsTtTtUuUuUuUuUuUuWwYyYZzZzZzOoUuAaIiOoUuUuUuUuUuAaAaGgKkOoOojGgNnAaAaAaEeEeIiIiOoOoRrRrUuUuSsTtHhAaEeOoOoOoOoYy";

    private static readonly char[] Base = Table();

    private static char[] Table()
    {
        var table = new char[0x250 - 0xC0];
        foreach (var (accented, plain) in Accented.Zip(Plain))
            table[accented - 0xC0] = plain;
        return table;
    }

    public static string Of(string text)
    {
        var folded = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (c is >= '\u00C0' and < '\u0250' && Base[c - 0xC0] != '\0')
            {
                folded.Append(Base[c - 0xC0]);
                continue;
            }
            switch (c)
            {
                case 'ø': folded.Append('o'); break;
                case 'Ø': folded.Append('O'); break;
                case 'æ': folded.Append("ae"); break;
                case 'Æ': folded.Append("AE"); break;
                case 'œ': folded.Append("oe"); break;
                case 'Œ': folded.Append("OE"); break;
                case 'ß': folded.Append("ss"); break;
                case 'ł': folded.Append('l'); break;
                case 'Ł': folded.Append('L'); break;
                case 'đ': folded.Append('d'); break;
                case 'Đ': folded.Append('D'); break;
                case '\u2018' or '\u2019' or '\u02BC': folded.Append('\''); break;
                case '\u201C' or '\u201D': folded.Append('"'); break;
                case '\u2013' or '\u2014' or '\u2212': folded.Append('-'); break;
                case '\u00A0': folded.Append(' '); break;
                // Marks already apart from their letter ("e" + U+0301).
                case var _ when CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark: break;
                default: folded.Append(c); break;
            }
        }
        return folded.ToString();
    }
}
