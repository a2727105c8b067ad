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
                await OutboxSignal.WaitAsync(settings.PollInterval, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
