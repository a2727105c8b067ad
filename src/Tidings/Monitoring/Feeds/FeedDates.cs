using System.Globalization;

namespace Tidings.Monitoring.Feeds;

/// <summary>
/// Reads the dates feeds write: RFC 822 (with the usual liberties: no day name, one-digit days, two-digit years, full
/// month names, no seconds, named zones), ISO 8601 / W3C-DTF (partial dates, space for T, offsets with or without a
/// colon), and whatever else the invariant culture can read. Anything else is no date, never an error.
/// </summary>
internal static class FeedDates
{
    /// <summary>The date in UTC to the whole second, or null when the text is not a date.</summary>
    public static DateTime? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return null;
        var s = text.AsSpan().Trim();
        var parsed = s.Length >= 4 && char.IsAsciiDigit(s[0]) && char.IsAsciiDigit(s[3]) ? Iso8601(s) : null;
        parsed ??= Rfc822(s);
        if (parsed is null && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture,
                DateTimeStyles.AllowWhiteSpaces | DateTimeStyles.AssumeUniversal, out var loose))
            parsed = loose;
        if (parsed is not { } value)
            return null;
        var utc = value.UtcDateTime;
        return new DateTime(utc.Ticks - utc.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);
    }

    private static DateTimeOffset? Iso8601(ReadOnlySpan<char> s)
    {
        var p = 0;
        if (!Digits(s, ref p, 4, out var year))
            return null;
        int month = 1, day = 1, hour = 0, minute = 0, second = 0;
        long fraction = 0;
        var dashed = Skip(s, ref p, '-');
        if (p < s.Length && char.IsAsciiDigit(s[p]))
        {
            if (!Digits(s, ref p, 2, out month))
                return null;
            if ((!dashed || Skip(s, ref p, '-')) && p < s.Length && char.IsAsciiDigit(s[p]) && !Digits(s, ref p, 2, out day))
                return null;
        }
        if (p < s.Length && s[p] is 'T' or 't' or ' ')
        {
            p++;
            while (p < s.Length && s[p] == ' ')
                p++;
            if (!Digits(s, ref p, 2, out hour))
                return null;
            Skip(s, ref p, ':');
            if (!Digits(s, ref p, 2, out minute))
                return null;
            if (Skip(s, ref p, ':') || (p < s.Length && char.IsAsciiDigit(s[p])))
            {
                if (!Digits(s, ref p, 2, out second))
                    return null;
                if (p < s.Length && s[p] is '.' or ',')
                {
                    p++;
                    var scale = TimeSpan.TicksPerSecond;
                    while (p < s.Length && char.IsAsciiDigit(s[p]))
                    {
                        scale /= 10;
                        fraction += (s[p++] - '0') * scale;
                    }
                }
            }
        }
        while (p < s.Length && s[p] == ' ')
            p++;
        var offset = TimeSpan.Zero;
        if (p < s.Length)
        {
            if (s[p] is 'Z' or 'z')
                p++;
            else if (s[p] is '+' or '-')
            {
                var sign = s[p++] == '-' ? -1 : 1;
                if (!Digits(s, ref p, 2, out var oh))
                    return null;
                Skip(s, ref p, ':');
                var om = 0;
                if (p < s.Length && !Digits(s, ref p, 2, out om))
                    return null;
                offset = sign * new TimeSpan(oh, om, 0);
            }
            else if (Zone(s[p..]) is { } named)
            {
                offset = named;
                p = s.Length;
            }
        }
        if (p != s.Length)
            return null;
        return Build(year, month, day, hour, minute, second, offset, fraction);
    }

    private static DateTimeOffset? Rfc822(ReadOnlySpan<char> s)
    {
        int day = -1, month = -1, year = -1, hour = 0, minute = 0, second = 0;
        var offset = TimeSpan.Zero;
        foreach (var range in s.SplitAny(" ,\t"))
        {
            var token = s[range];
            if (token.IsEmpty)
                continue;
            var dash = token.IndexOf('-');
            if (dash > 0 && char.IsAsciiDigit(token[0]))
            {
                // "10-Mar-2024": a day, month and year joined by dashes.
                foreach (var part in token.Split('-'))
                {
                    if (!Part(token[part], ref day, ref month, ref year))
                        return null;
                }
                continue;
            }
            if (token.Contains(':'))
            {
                if (!Time(token, out hour, out minute, out second, out var attached))
                    return null;
                if (attached is { } zoneAfterTime)
                    offset = zoneAfterTime;
                continue;
            }
            if (token[0] is '+' or '-' && token.Length >= 3)
            {
                if (Offset(token) is not { } numeric)
                    return null;
                offset = numeric;
                continue;
            }
            if (Part(token, ref day, ref month, ref year))
                continue;
            if (Zone(token) is not { } named)
                return null;
            offset = named;
        }
        if (day < 1 || month < 1 || year < 0)
            return null;
        if (year < 100)
            year += year < 50 ? 2000 : 1900;
        return Build(year, month, day, hour, minute, second, offset, 0);
    }

    /// <summary>A day, month name or year; day names are skipped. False for anything else.</summary>
    private static bool Part(ReadOnlySpan<char> token, ref int day, ref int month, ref int year)
    {
        if (char.IsAsciiDigit(token[0]))
        {
            if (!int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                return false;
            if (day < 0 && token.Length <= 2 && n is >= 1 and <= 31)
                day = n;
            else if (year < 0)
                year = n;
            else
                return false;
            return true;
        }
        if (token.Length < 3 || !char.IsAsciiLetter(token[0]))
            return false;
        var head = token[..3];
        for (var m = 0; m < Months.Length; m++)
        {
            if (head.Equals(Months[m], StringComparison.OrdinalIgnoreCase))
            {
                month = m + 1;
                return true;
            }
        }
        foreach (var name in Days)
        {
            if (head.Equals(name, StringComparison.OrdinalIgnoreCase))
                return true;
        }
        return false;
    }

    private static bool Time(ReadOnlySpan<char> token, out int hour, out int minute, out int second, out TimeSpan? zone)
    {
        hour = minute = second = 0;
        zone = null;
        var p = 0;
        if (!Number(token, ref p, out hour) || !Skip(token, ref p, ':') || !Number(token, ref p, out minute))
            return false;
        if (Skip(token, ref p, ':') && !Number(token, ref p, out second))
            return false;
        if (p < token.Length && token[p] == '.')
        {
            p++;
            while (p < token.Length && char.IsAsciiDigit(token[p]))
                p++;
        }
        if (p == token.Length)
            return true;
        zone = token[p] is '+' or '-' ? Offset(token[p..]) : Zone(token[p..]);
        return zone is not null;
    }

    private static TimeSpan? Offset(ReadOnlySpan<char> token)
    {
        var sign = token[0] == '-' ? -1 : 1;
        var digits = token[1..];
        var colon = digits.IndexOf(':');
        int hours, minutes = 0;
        if (colon >= 0)
        {
            if (!int.TryParse(digits[..colon], NumberStyles.None, CultureInfo.InvariantCulture, out hours)
                || !int.TryParse(digits[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out minutes))
                return null;
        }
        else
        {
            if (!int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var hhmm))
                return null;
            (hours, minutes) = digits.Length <= 2 ? (hhmm, 0) : (hhmm / 100, hhmm % 100);
        }
        if (hours > 14 || minutes > 59)
            return null;
        return sign * new TimeSpan(hours, minutes, 0);
    }

    private static TimeSpan? Zone(ReadOnlySpan<char> token)
    {
        var plus = token.IndexOfAny('+', '-');
        if (plus > 0)
        {
            // "GMT+2", "UTC-05:00".
            var basis = Zone(token[..plus]);
            var shift = token.Length - plus >= 2 ? Offset(token[plus..]) : null;
            return basis is { } b && shift is { } s ? b + s : null;
        }
        foreach (var (name, hours) in Zones)
        {
            if (token.Equals(name, StringComparison.OrdinalIgnoreCase))
                return TimeSpan.FromHours(hours);
        }
        return null;
    }

    private static DateTimeOffset? Build(int year, int month, int day, int hour, int minute, int second, TimeSpan offset, long fraction)
    {
        if (year is < 1 or > 9999 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)
            || hour > 24 || minute > 59 || second > 60)
            return null;
        var extra = TimeSpan.Zero;
        if (hour == 24)
            (hour, extra) = (0, TimeSpan.FromDays(1));
        if (second == 60)
            (second, extra) = (59, extra + TimeSpan.FromSeconds(1));
        var local = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified).AddTicks(fraction) + extra;
        var utc = local - offset;
        return utc.Year is < 1 or > 9999 ? null : new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Unspecified), TimeSpan.Zero);
    }

    private static bool Digits(ReadOnlySpan<char> s, ref int p, int count, out int value)
    {
        value = 0;
        if (p + count > s.Length)
            return false;
        for (var i = 0; i < count; i++)
        {
            var c = s[p + i];
            if (!char.IsAsciiDigit(c))
                return false;
            value = value * 10 + (c - '0');
        }
        p += count;
        return true;
    }

    private static bool Number(ReadOnlySpan<char> s, ref int p, out int value)
    {
        value = 0;
        var start = p;
        while (p < s.Length && char.IsAsciiDigit(s[p]) && p - start < 4)
            value = value * 10 + (s[p++] - '0');
        return p > start;
    }

    private static bool Skip(ReadOnlySpan<char> s, ref int p, char c)
    {
        if (p < s.Length && s[p] == c)
        {
            p++;
            return true;
        }
        return false;
    }

    private static readonly string[] Months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

    private static readonly string[] Days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

    private static readonly (string Name, double Hours)[] Zones =
    [
        ("GMT", 0), ("UT", 0), ("UTC", 0), ("Z", 0), ("WET", 0), ("BST", 1), ("CET", 1), ("CEST", 2), ("MET", 1), ("MEST", 2),
        ("EET", 2), ("EEST", 3), ("MSK", 3), ("IST", 5.5), ("JST", 9), ("KST", 9), ("AEST", 10), ("AEDT", 11), ("NZST", 12),
        ("EST", -5), ("EDT", -4), ("CST", -6), ("CDT", -5), ("MST", -7), ("MDT", -6), ("PST", -8), ("PDT", -7),
        ("AKST", -9), ("AKDT", -8), ("HST", -10),
    ];
}
