namespace Tidings.Monitoring;

/// <summary>What a monitor round did, summed over its businesses.</summary>
public sealed record RoundTotals(int Fetched = 0, int NotModified = 0, int Failed = 0, int NewEvents = 0, int Duplicates = 0)
{
    public static RoundTotals operator +(RoundTotals a, RoundTotals b) =>
        new(a.Fetched + b.Fetched, a.NotModified + b.NotModified, a.Failed + b.Failed, a.NewEvents + b.NewEvents, a.Duplicates + b.Duplicates);

    /// <summary>The last line of `tidings monitor run`, in this exact form.</summary>
    public override string ToString() =>
        $"{Fetched} sources fetched, {NotModified} not modified, {Failed} failed, {NewEvents} new events, {Duplicates} duplicates";
}
