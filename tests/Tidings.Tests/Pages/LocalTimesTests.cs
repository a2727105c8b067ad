using System.Security.Claims;
using Tidings.Pages;
using Tidings.Users;

namespace Tidings.Tests.Pages;

/// <summary>How pages write a stored UTC time in the reader's time zone (Pages/LocalTimes), across clock changes and bad zone ids.</summary>
public sealed class LocalTimesTests
{
    private static DateTime Utc(int month, int day, int hour, int minute = 0) => new(2026, month, day, hour, minute, 0, DateTimeKind.Utc);

    [Fact]
    public void A_person_in_UTC_reads_times_marked_UTC_and_everyone_else_reads_their_wall_clock_unmarked()
    {
        Assert.Equal("7 Dec 2026 14:05 UTC", LocalTimes.In("UTC").Instant(Utc(12, 7, 14, 5)));
        Assert.Equal("7 Dec 2026 15:05", LocalTimes.In("Europe/Paris").Instant(Utc(12, 7, 14, 5)));
        Assert.Equal("7 Dec 2026 23:05", LocalTimes.In("Asia/Tokyo").Instant(Utc(12, 7, 14, 5)));
        Assert.Equal("7 Dec 2026 09:05", LocalTimes.In("America/New_York").Instant(Utc(12, 7, 14, 5)));
    }

    [Fact]
    public void An_event_is_dated_by_the_day_it_happened_where_the_reader_is()
    {
        var at = Utc(3, 10, 2);
        Assert.Equal("10 Mar 2026", LocalTimes.In("UTC").Date(at));
        Assert.Equal("9 Mar 2026", LocalTimes.In("America/New_York").Date(at));
        Assert.Equal("10 Mar 2026", LocalTimes.In("Asia/Tokyo").Date(at));
    }

    [Fact]
    public void Clock_changes_move_the_wall_clock_and_not_the_instant()
    {
        var newYork = LocalTimes.In("America/New_York");
        // 8 March 2026: 02:00 EST jumps to 03:00 EDT, so one UTC minute apart reads an hour and a minute apart.
        Assert.Equal("8 Mar 2026 01:59", newYork.Instant(Utc(3, 8, 6, 59)));
        Assert.Equal("8 Mar 2026 03:00", newYork.Instant(Utc(3, 8, 7, 0)));
        // 1 November 2026: 01:30 happens twice, an hour apart.
        Assert.Equal("1 Nov 2026 01:30", newYork.Instant(Utc(11, 1, 5, 30)));
        Assert.Equal("1 Nov 2026 01:30", newYork.Instant(Utc(11, 1, 6, 30)));
        // Paris leaves summer time on 25 October 2026: its midnight is 22:00 UTC before, 23:00 UTC after.
        Assert.Equal("24 Oct 2026", LocalTimes.In("Europe/Paris").Date(Utc(10, 24, 21, 59)));
        Assert.Equal("25 Oct 2026", LocalTimes.In("Europe/Paris").Date(Utc(10, 24, 22, 0)));
        Assert.Equal("25 Oct 2026", LocalTimes.In("Europe/Paris").Date(Utc(10, 25, 22, 59)));
        Assert.Equal("26 Oct 2026", LocalTimes.In("Europe/Paris").Date(Utc(10, 25, 23, 0)));
    }

    [Fact]
    public void A_local_day_starts_at_its_own_midnight_whichever_side_of_a_clock_change_it_is()
    {
        var newYork = LocalTimes.In("America/New_York");
        Assert.Equal(Utc(3, 8, 5), newYork.StartOf(new DateOnly(2026, 3, 8)));  // still EST at midnight
        Assert.Equal(Utc(3, 9, 4), newYork.StartOf(new DateOnly(2026, 3, 9)));  // EDT since the night before
        Assert.Equal(Utc(3, 9, 15), LocalTimes.In("Asia/Tokyo").StartOf(new DateOnly(2026, 3, 10)));
        Assert.Equal(Utc(3, 10, 0), LocalTimes.Utc.StartOf(new DateOnly(2026, 3, 10)));
    }

    [Fact]
    public void A_day_whose_midnight_a_clock_change_skips_starts_at_its_first_real_minute()
    {
        // Santiago moves its clocks from 24:00 to 01:00 on 6 September 2026: that day has no midnight.
        var santiago = LocalTimes.In("America/Santiago");
        var day = new DateOnly(2026, 9, 6);
        Assert.True(santiago.Zone.IsInvalidTime(day.ToDateTime(TimeOnly.MinValue)), "the zone data no longer skips that midnight");
        var start = santiago.StartOf(day);
        Assert.Equal(day.ToDateTime(new TimeOnly(1, 0)), santiago.Local(start));
        Assert.Equal(start, santiago.StartOf(day));
    }

    [Theory]
    [InlineData("Mars/Olympus_Mons")]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("../../etc/passwd")]
    public void An_unknown_or_missing_zone_reads_as_UTC(string? zone)
    {
        var times = LocalTimes.In(zone);
        Assert.Equal("UTC", times.ZoneName);
        Assert.Equal("7 Dec 2026 14:05 UTC", times.Instant(Utc(12, 7, 14, 5)));
    }

    [Fact]
    public void The_zone_comes_from_the_sign_in_and_a_stranger_reads_UTC()
    {
        var signedIn = new ClaimsPrincipal(new ClaimsIdentity([new Claim(SignIn.TimeZoneClaim, "Asia/Tokyo")], SignIn.Scheme));
        Assert.Equal("Asia/Tokyo", LocalTimes.Of(signedIn).ZoneName);
        Assert.Equal("UTC", LocalTimes.Of(new ClaimsPrincipal(new ClaimsIdentity())).ZoneName);
    }

    [Fact]
    public void A_time_read_back_from_the_database_without_a_kind_is_taken_as_UTC_and_the_machine_readable_form_is_always_UTC()
    {
        var unspecified = new DateTime(2026, 3, 10, 2, 0, 0, DateTimeKind.Unspecified);
        Assert.Equal("9 Mar 2026 22:00", LocalTimes.In("America/New_York").Instant(unspecified));
        Assert.Equal("2026-03-10T02:00:00Z", LocalTimes.Iso(unspecified));
        Assert.Equal("2026-03-10T02:00:00Z", LocalTimes.Iso(Utc(3, 10, 2)));
    }
}
