namespace Tidings.Notifications;

/// <summary>
/// When a person's next digest leaves: the first local <see cref="NotificationPreference.DigestHour"/> (on
/// <see cref="NotificationPreference.DigestDay"/> for a weekly one) strictly after a moment, in their time zone, as a
/// UTC instant. A local hour that a daylight-saving jump skips leaves at the first instant after the jump; one that
/// happens twice leaves the first time.
/// </summary>
public static class DigestSchedule
{
    public static DateTime? Next(string channel, int hour, int day, string timeZone, DateTime afterUtc)
    {
        if (channel is not (NotificationChannels.DailyDigest or NotificationChannels.WeeklyDigest))
            return null;
        var zone = Zone(timeZone);
        var after = DateTime.SpecifyKind(afterUtc, DateTimeKind.Utc);
        var localDate = TimeZoneInfo.ConvertTimeFromUtc(after, zone).Date;
        // Two days back covers any offset; the first candidate after the moment is the answer.
        for (var date = localDate.AddDays(-2); ; date = date.AddDays(1))
        {
            if (channel == NotificationChannels.WeeklyDigest && (int)date.DayOfWeek != day)
                continue;
            var at = ToUtc(date.AddHours(hour), zone);
            if (at > after)
                return at;
        }
    }

    /// <summary>The length of the period a digest covers.</summary>
    public static TimeSpan Period(string channel) => channel == NotificationChannels.WeeklyDigest ? TimeSpan.FromDays(7) : TimeSpan.FromDays(1);

    public static bool IsTimeZone(string? id) => !string.IsNullOrWhiteSpace(id) && TimeZoneInfo.TryFindSystemTimeZoneById(id, out _);

    public static TimeZoneInfo Zone(string id) => TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : TimeZoneInfo.Utc;

    private static DateTime ToUtc(DateTime local, TimeZoneInfo zone)
    {
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        while (zone.IsInvalidTime(local))
            local = local.AddMinutes(15);
        var offset = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local);
        return DateTime.SpecifyKind(local - offset, DateTimeKind.Utc);
    }
}
