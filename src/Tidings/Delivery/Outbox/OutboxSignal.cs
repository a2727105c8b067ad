namespace Tidings.Delivery.Outbox;

/// <summary>
/// Wakes this process's dispatcher when a save of this process queued messages, so a message leaves at once instead of
/// at the next look; other processes' messages are found by the dispatcher's regular look (Delivery:PollInterval).
/// </summary>
public static class OutboxSignal
{
    private static readonly SemaphoreSlim Queued = new(0, 1);

    public static void Pulse()
    {
        try
        {
            Queued.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already woken: one wake-up covers every message queued before the look.
        }
    }

    /// <summary>Waits for a pulse or the interval, whichever comes first; true when a pulse came.</summary>
    public static Task<bool> WaitAsync(TimeSpan interval, CancellationToken ct) => Queued.WaitAsync(interval, ct);
}
