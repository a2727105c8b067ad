using System.Globalization;
using System.Security.Claims;
using Tidings.Notifications;
using Tidings.Users;

namespace Tidings.Pages;

/// <summary>
/// The one way a page writes a stored UTC time: in the reader's time zone (their sign-in's <see cref="SignIn.TimeZoneClaim"/>),
/// "7 Dec 2026 14:05" for an instant and "7 Dec 2026" for a day. Only a reader whose zone is UTC sees " UTC" after an
/// instant: for everyone else the account page says which zone the times are in.
/// </summary>
public sealed class LocalTimes
{
    public static readonly LocalTimes Utc = new(TimeZoneInfo.Utc);

    private LocalTimes(TimeZoneInfo zone)
    {
        Zone = zone;
        IsUtc = zone.Id is "UTC" or "Etc/UTC";
    }

    public TimeZoneInfo Zone { get; }

    /// <summary>The IANA id the times are written in: "UTC" for an unknown or removed id as well.</summary>
    public string ZoneName => Zone.Id;

    public bool IsUtc { get; }

    /// <summary>The times of this signed-in person; UTC for anyone else.</summary>
    public static LocalTimes Of(ClaimsPrincipal user) => In(user.FindFirstValue(SignIn.TimeZoneClaim));

    /// <summary>The times of a zone by its IANA id; one this system does not know falls back to UTC, as digests do.</summary>
    public static LocalTimes In(string? zoneId) =>
        string.IsNullOrWhiteSpace(zoneId) || zoneId is "UTC" ? Utc : new LocalTimes(DigestSchedule.Zone(zoneId));

    /// <summary>The wall-clock time here of a stored instant (stored times are UTC whatever their Kind says).</summary>
    public DateTime Local(DateTime utc) => TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), Zone);

    public string Instant(DateTime utc) =>
        Local(utc).ToString("d MMM yyyy HH:mm", CultureInfo.InvariantCulture) + (IsUtc ? " UTC" : "");

    /// <summary>The day here on which an instant falls: an event at 02:00 UTC happened the evening before in New York.</summary>
    public string Date(DateTime utc) => Local(utc).ToString("d MMM yyyy", CultureInfo.InvariantCulture);

    /// <summary>The instant this day starts here (the first valid minute, on a day whose midnight a clock change skips).</summary>
    public DateTime StartOf(DateOnly day)
    {
        var local = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        while (Zone.IsInvalidTime(local))
            local = local.AddMinutes(15);
        // A midnight that happens twice starts the day at its first one.
        var offset = Zone.IsAmbiguousTime(local) ? Zone.GetAmbiguousTimeOffsets(local).Max() : Zone.GetUtcOffset(local);
        return DateTime.SpecifyKind(local - offset, DateTimeKind.Utc);
    }

    /// <summary>The instant for a <c>&lt;time datetime&gt;</c>: always UTC, to the second, whoever reads.</summary>
    public static string Iso(DateTime utc) =>
        DateTime.SpecifyKind(utc, DateTimeKind.Utc).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}
