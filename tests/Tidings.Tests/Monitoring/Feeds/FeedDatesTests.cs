using Tidings.Monitoring.Feeds;

namespace Tidings.Tests.Monitoring.Feeds;

public sealed class FeedDatesTests
{
    [Theory]
    [InlineData("Sun, 10 Mar 2024 17:15:00 +0100", "2024-03-10T16:15:00Z")]
    [InlineData("Sun, 10 Mar 2024 16:15:00 GMT", "2024-03-10T16:15:00Z")]
    [InlineData("10 Mar 2024 11:15 EST", "2024-03-10T16:15:00Z")]
    [InlineData("Sunday, 10 March 2024 08:15:00 PST", "2024-03-10T16:15:00Z")]
    [InlineData("Sun, 10 Mar 24 16:15:00 UT", "2024-03-10T16:15:00Z")]
    [InlineData("Sun,  3 Mar 2024 16:15:00 Z", "2024-03-03T16:15:00Z")]
    [InlineData("Sun, 10 Mar 2024 16:15:00", "2024-03-10T16:15:00Z")]
    [InlineData("Sun, 10 Mar 2024 18:15:00 GMT+2", "2024-03-10T16:15:00Z")]
    [InlineData("10-Mar-2024 16:15:00 +00:00", "2024-03-10T16:15:00Z")]
    [InlineData("Mon, 01 Jan 2024 00:30:00 +0100", "2023-12-31T23:30:00Z")]
    [InlineData("2024-03-10T17:15:00+01:00", "2024-03-10T16:15:00Z")]
    [InlineData("2024-03-10T17:15:00+0100", "2024-03-10T16:15:00Z")]
    [InlineData("2024-03-10T16:15:00.123456Z", "2024-03-10T16:15:00Z")]
    [InlineData("2024-03-10 16:15:00", "2024-03-10T16:15:00Z")]
    [InlineData("2024-03-10T16:15Z", "2024-03-10T16:15:00Z")]
    [InlineData("20240310T161500Z", "2024-03-10T16:15:00Z")]
    [InlineData("2024-03-10", "2024-03-10T00:00:00Z")]
    [InlineData("2024-03", "2024-03-01T00:00:00Z")]
    [InlineData("  2024-03-10T16:15:00Z \n", "2024-03-10T16:15:00Z")]
    [InlineData("Tomorrow", null)]
    [InlineData("", null)]
    [InlineData("Τρι, 29 Ιούν 2004 12:53:00 GMT", null)]
    [InlineData("Fri, 31 Feb 2024 10:00:00 GMT", null)]
    [InlineData("2024-13-01T00:00:00Z", null)]
    [InlineData("Sun, 10 Mar 2024 25:99:00 GMT", null)]
    public void Dates_in_rfc_822_iso_8601_and_common_malformed_shapes_are_read_in_utc(string text, string? expected)
    {
        var parsed = FeedDates.Parse(text);

        Assert.Equal(expected, parsed?.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(parsed is null or { Kind: DateTimeKind.Utc });
    }
}
