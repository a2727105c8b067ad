using System.Globalization;
using AnyAscii;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Tidings.Legacy;

/// <summary>
/// Reading the old file's values, which are "meant to be" something and sometimes are something else.
/// Each reader says what it made of a value and whether the value was as meant, so the import can keep
/// and report whatever it could not carry as it was. Values arrive as SQLite stores them: long, double,
/// string, byte[] or null.
/// </summary>
public static partial class LegacyParsing
{
    /// <summary>The value as text, the form in which an original is kept and compared.</summary>
    public static string? Text(object? value) => value switch
    {
        null => null,
        string s => s,
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        byte[] b => "base64:" + Convert.ToBase64String(b),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture),
    };

    private static readonly string[] TimestampFormats =
    [
        "yyyy-MM-dd HH:mm:ss.FFFFFFF", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mmK",
        "yyyy-MM-dd HH:mm:ss.FFFFFFFK", "yyyy-MM-dd HH:mm:ssK", "yyyy-MM-dd HH:mm:ss.FFFFFFF zzz", "yyyy-MM-dd HH:mm:ss zzz",
        "yyyy-MM-dd", "yyyy/MM/dd HH:mm:ss", "yyyy/MM/dd", "yyyyMMdd'T'HHmmssK", "r",
    ];

    /// <summary>
    /// A timestamp of any shape the old file holds, as UTC: SQLAlchemy text, ISO 8601 with or without an
    /// offset (converted), a date alone, RFC 1123, unix seconds or milliseconds, a SQLite julian day, or a
    /// day/month/year with slashes when the day cannot be mistaken for the month. Null when unparseable.
    /// </summary>
    public static DateTime? Timestamp(object? value)
    {
        switch (value)
        {
            case long l:
                return FromNumber(l);
            case double d:
                return FromNumber(d);
            case string s:
                var text = s.Trim();
                if (text.Length == 0)
                    return null;
                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
                    return FromNumber(number);
                if (DateTimeOffset.TryParseExact(text, TimestampFormats, CultureInfo.InvariantCulture,
                        DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var parsed))
                    return Data.StoredTime.Of(parsed.UtcDateTime);
                return SlashDate(text);
            default:
                return null;
        }
    }

    private static DateTime? FromNumber(double number)
    {
        if (!double.IsFinite(number) || number <= 0)
            return null;
        // 20240305: a compact date (SQLite's numeric affinity turned the text into a number), not a time in 1970.
        if (number is >= 19000101 and <= 21001231 && number == Math.Floor(number)
            && DateTime.TryParseExact(((long)number).ToString(CultureInfo.InvariantCulture), "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var date))
            return date;
        // SQLite's julianday(): 2000-01-01 is 2451545.
        if (number is > 2_000_000 and < 3_000_000)
            return Data.StoredTime.Of(DateTime.UnixEpoch.AddDays(number - 2440587.5));
        if (number < 1e11)
            return Data.StoredTime.Of(DateTime.UnixEpoch.AddTicks((long)(number * TimeSpan.TicksPerSecond)));
        if (number < 1e14)
            return Data.StoredTime.Of(DateTime.UnixEpoch.AddTicks((long)(number * TimeSpan.TicksPerMillisecond)));
        return null;
    }

    private static DateTime? SlashDate(string text)
    {
        var match = SlashDatePattern().Match(text);
        if (!match.Success)
            return null;
        int first = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), second = int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture);
        // 05/03/2024 is March in Europe and May in the US: only a day above 12 settles it.
        (int day, int month) = first > 12 && second <= 12 ? (first, second) : second > 12 && first <= 12 ? (second, first) : (0, 0);
        if (day == 0)
            return null;
        var time = match.Groups[4].Success ? TimeSpan.Parse(match.Groups[4].Value, CultureInfo.InvariantCulture) : TimeSpan.Zero;
        try
        {
            return new DateTime(int.Parse(match.Groups[3].Value, CultureInfo.InvariantCulture), month, day, 0, 0, 0, DateTimeKind.Utc) + time;
        }
        catch (ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"^(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T](\d{1,2}:\d{2}(?::\d{2})?))?$")]
    private static partial Regex SlashDatePattern();

    /// <summary>A boolean column's value; <c>Odd</c> when it was not 0/1. A timestamp counts as true and gives its time.</summary>
    public readonly record struct Flag(bool Value, bool Odd, bool Unreadable, DateTime? At);

    public static Flag Boolean(object? value)
    {
        switch (value)
        {
            case long l:
                return new Flag(l != 0, l is not (0 or 1), false, null);
            case double d when double.IsFinite(d):
                return new Flag(d != 0, d is not (0 or 1), false, null);
            case null:
                return new Flag(false, true, false, null);
            case string s:
                switch (s.Trim().ToLowerInvariant())
                {
                    case "1" or "true" or "t" or "yes" or "y" or "on": return new Flag(true, true, false, null);
                    case "0" or "false" or "f" or "no" or "n" or "off" or "": return new Flag(false, true, false, null);
                }
                return Timestamp(s) is { } at ? new Flag(true, true, false, at) : new Flag(false, true, true, null);
            default:
                return new Flag(false, true, true, null);
        }
    }

    /// <summary>A number column's value, or null when it holds something that is not a finite number.</summary>
    public static double? Number(object? value) => value switch
    {
        long l => l,
        double d when double.IsFinite(d) => d,
        string s when double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) => d,
        _ => null,
    };

    /// <summary>
    /// Keywords as a list of strings whatever their shape: a JSON array (non-strings kept as their JSON
    /// text), a JSON string or plain text split on commas, semicolons and new lines. <c>AsMeant</c> is
    /// true only for a JSON array of strings.
    /// </summary>
    public static (List<string>? Keywords, bool AsMeant) Keywords(object? value)
    {
        if (value is null)
            return (null, true);
        var text = Text(value)!;
        try
        {
            using var json = JsonDocument.Parse(text);
            var root = json.RootElement;
            if (root.ValueKind == JsonValueKind.Array)
            {
                var asMeant = root.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String);
                var list = root.EnumerateArray()
                    .Where(e => e.ValueKind != JsonValueKind.Null)
                    .Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText())
                    .ToList();
                return (list, asMeant && value is string);
            }
            if (root.ValueKind == JsonValueKind.String)
                return (Split(root.GetString()!), false);
            if (root.ValueKind == JsonValueKind.Null)
                return (null, false);
            if (root.ValueKind == JsonValueKind.Object)
                return ([root.GetRawText()], false);
        }
        catch (JsonException)
        {
            // not JSON: plain text
        }
        return (Split(text), false);
    }

    private static List<string> Split(string text) =>
        text.Split([',', ';', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

    /// <summary>The old app's fixed list, which the new, open-ended categories start from unchanged.</summary>
    public static readonly IReadOnlySet<string> Categories = new HashSet<string>(StringComparer.Ordinal)
    {
        "funding", "acquisition", "leadership_change", "product_launch", "partnership",
        "layoffs", "expansion", "legal", "earnings", "other",
    };

    // Spellings whose meaning is clear; anything else outside the list is kept as it was written.
    private static readonly Dictionary<string, string> CategorySpellings = new(StringComparer.Ordinal)
    {
        ["funding_round"] = "funding", ["fundraising"] = "funding", ["fundraise"] = "funding", ["investment"] = "funding", ["financing"] = "funding",
        ["acquisitions"] = "acquisition", ["m&a"] = "acquisition", ["m_&_a"] = "acquisition", ["merger"] = "acquisition", ["mergers_and_acquisitions"] = "acquisition", ["acquired"] = "acquisition",
        ["leadership"] = "leadership_change", ["leadership_changes"] = "leadership_change", ["executive_change"] = "leadership_change", ["management_change"] = "leadership_change", ["new_ceo"] = "leadership_change",
        ["product_launches"] = "product_launch", ["product"] = "product_launch", ["launch"] = "product_launch", ["new_product"] = "product_launch", ["productlaunch"] = "product_launch",
        ["partnerships"] = "partnership", ["partner"] = "partnership", ["alliance"] = "partnership",
        ["layoff"] = "layoffs", ["lay_offs"] = "layoffs", ["lay_off"] = "layoffs", ["job_cuts"] = "layoffs", ["redundancies"] = "layoffs",
        ["expansions"] = "expansion", ["new_office"] = "expansion", ["market_expansion"] = "expansion",
        ["lawsuit"] = "legal", ["lawsuits"] = "legal", ["litigation"] = "legal", ["legal_action"] = "legal",
        ["earning"] = "earnings", ["financial_results"] = "earnings", ["quarterly_results"] = "earnings", ["results"] = "earnings",
        ["others"] = "other",
    };

    public enum CategoryShape { AsMeant, Normalised, Unknown }

    /// <summary>The category for the new column, and whether it was on the list, clearly meant one of it, or neither.</summary>
    public static (string Category, CategoryShape Shape) Category(object? value)
    {
        var text = Text(value);
        if (text is not null && Categories.Contains(text))
            return (text, CategoryShape.AsMeant);
        var key = CategoryKey().Replace((text ?? "").Trim().ToLowerInvariant(), "_");
        if (Categories.Contains(key))
            return (key, CategoryShape.Normalised);
        if (CategorySpellings.TryGetValue(key, out var known))
            return (known, CategoryShape.Normalised);
        return (text ?? "other", CategoryShape.Unknown);
    }

    [GeneratedRegex(@"[\s\-/]+")]
    private static partial Regex CategoryKey();

    /// <summary>
    /// What an old password value looked like, holding nothing of the value (no part of it, no hash of it):
    /// its kind and length. A value that is not a usable hash may well be a password in clear.
    /// </summary>
    public static string PasswordShape(object? value) => value switch
    {
        null => "absent",
        byte[] bytes => $"binary, {bytes.Length} bytes",
        _ => Text(value) switch
        {
            null => "absent",
            "" => "empty",
            var text => $"{TextKind(text)}, {text.Length} characters",
        },
    };

    private static string TextKind(string text) => text switch
    {
        _ when string.IsNullOrWhiteSpace(text) => "blank",
        _ when text.All(char.IsAsciiDigit) => "digits",
        _ when text.All(char.IsAsciiHexDigit) => text.Length switch
        {
            32 => "md5-like hex",
            40 => "sha1-like hex",
            64 => "sha256-like hex",
            128 => "sha512-like hex",
            _ => "hex",
        },
        _ when CryptScheme().Match(text) is { Success: true } crypt => crypt.Groups[1].Value switch
        {
            // Named from this list, never echoed: the kind is ours, not a piece of the value.
            "2a" or "2b" or "2x" or "2y" => "bcrypt-like, not usable",
            "1" => "md5-crypt hash",
            "5" => "sha256-crypt hash",
            "6" => "sha512-crypt hash",
            "argon2i" or "argon2d" or "argon2id" => "argon2 hash",
            "pbkdf2" or "pbkdf2-sha256" or "pbkdf2-sha512" => "pbkdf2 hash",
            _ => "crypt-style hash of an unknown scheme",
        },
        _ => "plaintext",
    };

    [GeneratedRegex(@"^\$([a-z0-9-]{1,20})\$", RegexOptions.CultureInvariant)]
    private static partial Regex CryptScheme();

    /// <summary>Words people typed into account_owner to mean "nobody".</summary>
    private static readonly HashSet<string> Placeholders = new(StringComparer.Ordinal)
    {
        "", "unassigned", "not assigned", "tbd", "tba", "n/a", "na", "none", "nobody", "no one", "noone",
        "-", "--", "?", "??", "null", "nil", "unknown", "pending", "to be decided", "to be assigned", "vacant",
    };

    public static bool IsPlaceholder(string? accountOwner) =>
        accountOwner is null || Placeholders.Contains(PersonKey(accountOwner));

    /// <summary>A name or email compared regardless of case, spacing and accents: "  José  Álvarez " matches "jose alvarez".</summary>
    /// <remarks>Transliterated by AnyAscii: the app runs with invariant globalization, where string.Normalize leaves accents alone.</remarks>
    public static string PersonKey(string text) => CollapseSpaces(text.Transliterate()).ToLowerInvariant();

    /// <summary>Trimmed, with every run of white space one space.</summary>
    public static string CollapseSpaces(string text) => Whitespace().Replace(text.Trim(), " ");

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
