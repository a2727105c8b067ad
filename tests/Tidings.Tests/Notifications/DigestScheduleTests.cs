using Tidings.Notifications;

namespace Tidings.Tests.Notifications;

public sealed class DigestScheduleTests
{
    private static readonly DateTime Noon = new(2026, 3, 10, 12, 0, 0, DateTimeKind.Utc); // a Tuesday

    [Fact]
    public void A_daily_digest_leaves_at_the_next_local_hour_in_the_persons_time_zone()
    {
        Assert.Equal(new DateTime(2026, 3, 11, 8, 0, 0, DateTimeKind.Utc), DigestSchedule.Next(NotificationChannels.DailyDigest, 8, 1, "UTC", Noon));
        Assert.Equal(new DateTime(2026, 3, 10, 17, 0, 0, DateTimeKind.Utc), DigestSchedule.Next(NotificationChannels.DailyDigest, 18, 1, "Europe/Paris", Noon));
        // 8 o'clock in Tokyo (UTC+9) is 23:00 UTC the day before.
        Assert.Equal(new DateTime(2026, 3, 10, 23, 0, 0, DateTimeKind.Utc), DigestSchedule.Next(NotificationChannels.DailyDigest, 8, 1, "Asia/Tokyo", Noon));
    }

    [Fact]
    public void A_digest_due_exactly_now_leaves_the_next_time()
    {
        var eight = new DateTime(2026, 3, 10, 8, 0, 0, DateTimeKind.Utc);
        Assert.Equal(eight.AddDays(1), DigestSchedule.Next(NotificationChannels.DailyDigest, 8, 1, "UTC", eight));
    }

    [Fact]
    public void A_weekly_digest_leaves_on_its_local_day()
    {
        // Monday 8:00 in New York (UTC-4 after 8 March 2026) is 12:00 UTC.
        Assert.Equal(new DateTime(2026, 3, 16, 12, 0, 0, DateTimeKind.Utc), DigestSchedule.Next(NotificationChannels.WeeklyDigest, 8, 1, "America/New_York", Noon));
        Assert.Equal(new DateTime(2026, 3, 15, 9, 0, 0, DateTimeKind.Utc), DigestSchedule.Next(NotificationChannels.WeeklyDigest, 9, 0, "UTC", Noon));
    }

    [Fact]
    public void A_local_hour_that_daylight_saving_skips_leaves_at_the_first_instant_after_the_jump()
    {
        // Paris jumps from 02:00 to 03:00 (UTC+1 to UTC+2) on 29 March 2026: 02:30 does not exist that day.
        var before = new DateTime(2026, 3, 28, 12, 0, 0, DateTimeKind.Utc);
        var at = DigestSchedule.Next(NotificationChannels.DailyDigest, 2, 1, "Europe/Paris", before);
        Assert.Equal(new DateTime(2026, 3, 29, 1, 0, 0, DateTimeKind.Utc), at); // 03:00 CEST, the first local time after the gap
        var paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");
        Assert.True(paris.IsInvalidTime(new DateTime(2026, 3, 29, 2, 30, 0)));
        Assert.Equal(new DateTime(2026, 3, 29, 3, 0, 0), TimeZoneInfo.ConvertTimeFromUtc(at!.Value, paris));
        // The next day the hour exists again, in summer time.
        Assert.Equal(new DateTime(2026, 3, 30, 0, 0, 0, DateTimeKind.Utc), DigestSchedule.Next(NotificationChannels.DailyDigest, 2, 1, "Europe/Paris", at.Value));
    }

    [Fact]
    public void Channels_without_a_digest_have_no_next_digest()
    {
        Assert.Null(DigestSchedule.Next(NotificationChannels.InApp, 8, 1, "UTC", Noon));
        Assert.Null(DigestSchedule.Next(NotificationChannels.Email, 8, 1, "UTC", Noon));
    }

    [Theory]
    [InlineData("Europe/Paris", true)]
    [InlineData("UTC", true)]
    [InlineData("Mars/Olympus_Mons", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Only_known_time_zone_ids_are_time_zones(string? id, bool expected) => Assert.Equal(expected, DigestSchedule.IsTimeZone(id));
}
