namespace Tidings.Monitoring;

/// <summary>
/// The monitor inside `tidings serve` (Monitoring:Enabled, default true) and in `tidings monitor`: a round whenever
/// work may be due, every PollInterval. A failed round (the database away) is logged and tried again at the next tick.
/// </summary>
public sealed class MonitorService(MonitorRound round, MonitoringSettings settings, TimeProvider clock, ILogger<MonitorService> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(settings.PollInterval, clock);
        try
        {
            do
            {
                try
                {
                    var totals = await round.RunAsync(everySource: false, stoppingToken);
                    if (totals != new RoundTotals())
                        log.LogInformation("Monitor round: {Totals}", totals);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    log.LogWarning(e, "A monitor round failed; next try in {Interval}", settings.PollInterval);
                }
            } while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
