using Tidings.Clients;

namespace Tidings.Monitoring;

/// <summary>
/// When a source is next due. After a success: its client's frequency, spread by ±10% so clients added together do
/// not stay in step (a thousand daily clients imported at midnight drift apart within days), and never before the
/// server's Retry-After or Cache-Control max-age asks. After a failure: 10 minutes, doubling with each consecutive
/// failure, capped at a day, and never before Retry-After.
/// </summary>
public static class PollSchedule
{
    public static readonly TimeSpan FirstRetry = TimeSpan.FromMinutes(10);
    public static readonly TimeSpan LongestRetry = TimeSpan.FromDays(1);

    /// <summary>No server may push a source out of sight longer than this, whatever its headers say.</summary>
    private static readonly TimeSpan LongestServerDelay = TimeSpan.FromDays(7);

    public static TimeSpan Interval(string frequency) => frequency switch
    {
        MonitoringFrequencies.Hourly => TimeSpan.FromHours(1),
        MonitoringFrequencies.Weekly => TimeSpan.FromDays(7),
        _ => TimeSpan.FromDays(1),
    };

    public static DateTime AfterSuccess(DateTime now, string frequency, TimeSpan? retryAfter, TimeSpan? maxAge, double random)
    {
        var interval = Interval(frequency);
        var due = now + interval * (0.9 + 0.2 * random);
        return Later(Later(due, now, retryAfter), now, maxAge);
    }

    public static DateTime AfterFailure(DateTime now, int consecutiveFailures, TimeSpan? retryAfter)
    {
        var doublings = Math.Clamp(consecutiveFailures - 1, 0, 20);
        var delay = TimeSpan.FromTicks(Math.Min(LongestRetry.Ticks, FirstRetry.Ticks << doublings));
        return Later(now + delay, now, retryAfter);
    }

    private static DateTime Later(DateTime due, DateTime now, TimeSpan? serverDelay) =>
        serverDelay is { } wait && wait > TimeSpan.Zero && now + Min(wait, LongestServerDelay) > due ? now + Min(wait, LongestServerDelay) : due;

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
