namespace Tidings.Data;

/// <summary>
/// Times as the databases keep them: UTC to the microsecond (PostgreSQL's precision), so both providers
/// store the same instant and a value read back equals the one that was written.
/// </summary>
public static class StoredTime
{
    public static DateTime Of(DateTime utc) => utc.AddTicks(-(utc.Ticks % TimeSpan.TicksPerMicrosecond));

    public static DateTime Now(TimeProvider clock) => Of(clock.GetUtcNow().UtcDateTime);
}
