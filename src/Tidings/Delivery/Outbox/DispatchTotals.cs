namespace Tidings.Delivery.Outbox;

/// <summary>What a dispatch round did, summed over its businesses.</summary>
public sealed record DispatchTotals(int Delivered = 0, int Retrying = 0, int Failed = 0, int Skipped = 0, int Digests = 0)
{
    public static DispatchTotals operator +(DispatchTotals a, DispatchTotals b) =>
        new(a.Delivered + b.Delivered, a.Retrying + b.Retrying, a.Failed + b.Failed, a.Skipped + b.Skipped, a.Digests + b.Digests);

    /// <summary>The last line of `tidings dispatch run --once`, in this exact form.</summary>
    public override string ToString() =>
        $"{Delivered} delivered, {Retrying} to retry, {Failed} failed, {Skipped} with nothing to send, {Digests} digests";
}
