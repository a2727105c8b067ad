using Tidings.Data;

namespace Tidings.Delivery.Outbox;

/// <summary>
/// The dispatcher inside `tidings serve` (Delivery:Enabled, default true) and in `tidings dispatch`: a round whenever
/// this process queued messages or every PollInterval, and the clean-up of old delivery records once an hour. A failed
/// round (the database away) is logged and tried again at the next look.
/// </summary>
public sealed class DispatchService(DispatchRound round, OutboxCleanup cleanup, DeliverySettings settings, TimeProvider clock, ILogger<DispatchService> log)
    : BackgroundService
{
    private static readonly TimeSpan CleanupEvery = TimeSpan.FromHours(1);

    /// <summary>
    /// How long a wake-up waits for the saves right behind it: under a stream of changes one round then takes several
    /// messages instead of one each (a round's look, claim and writes cost more than a delivery), for a wait that
    /// is small beside the second a receiver is promised.
    /// </summary>
    private static readonly TimeSpan Gathering = TimeSpan.FromMilliseconds(100);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var nextCleanup = clock.GetUtcNow();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    var totals = await round.RunAsync(stoppingToken);
                    if (totals != new DispatchTotals())
                        log.LogInformation("Dispatch round: {Totals}", totals);
                    if (clock.GetUtcNow() >= nextCleanup)
                    {
                        nextCleanup = clock.GetUtcNow() + CleanupEvery;
                        var removed = await cleanup.RunAsync(StoredTime.Now(clock), stoppingToken);
                        if (removed > 0)
                            log.LogInformation("Removed {Count} delivery records older than {Retention}", removed, settings.Retention);
                    }
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    log.LogWarning(e, "A dispatch round failed; next try in {Interval}", settings.PollInterval);
                }
                if (await OutboxSignal.WaitAsync(settings.PollInterval, stoppingToken))
                    await Task.Delay(Gathering, clock, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
