using Tidings.Classification;
using Tidings.Data;
using Tidings.Data.Auditing;
using Tidings.Data.Tenancy;
using Tidings.Monitoring.Fetching;

namespace Tidings.Monitoring;

/// <summary>
/// One round of the monitor: finds the businesses with sources due (DueWorkLookup, the one read across businesses),
/// and for each, in its own unit of work under its tenant and as the system actor "monitor", claims a batch of due
/// sources, polls them (fetches run in parallel, bounded across the process) and writes what they found, until the
/// business has nothing due. Businesses are worked on a few at a time. Any number of processes may run rounds against
/// one PostgreSQL or Citus database: claims keep them off each other's sources.
/// </summary>
public sealed class MonitorRound(IServiceScopeFactory scopes, SourcePolling polling, MonitoringSettings settings, HeadlineClassifier classifier,
    ClassifierKnowledge knowledge, TimeProvider clock, ILogger<MonitorRound> log)
{
    public const string ActorName = "monitor";
    private const int BusinessesAtOnce = 4;
    private const int BusinessesPerLookup = 100;

    private readonly SemaphoreSlim _fetches = new(settings.Concurrency);

    /// <summary>Names this process in the claims it holds (host, process id and a random part, as two processes may share a host and id).</summary>
    public string Process { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";

    /// <param name="everySource">Take every running source not fetched since the round began, due or not (`monitor run --all`).</param>
    public async Task<RoundTotals> RunAsync(bool everySource, CancellationToken ct)
    {
        var began = StoredTime.Now(clock);
        var totals = new RoundTotals();
        // A business is worked on once a round: one whose writes failed keeps its claims until they lapse, and one
        // that became due again meanwhile waits for the next round.
        var done = new HashSet<Guid>();
        while (true)
        {
            List<DueWorkLookup.DueBusiness> due;
            await using (var scope = scopes.ForSystem(ActorName))
            {
                var db = scope.ServiceProvider.GetRequiredService<TidingsDbContext>();
                due = await DueWorkLookup.DueBusinessesAsync(db, StoredTime.Now(clock), everySource ? began : null, BusinessesPerLookup, ct);
            }
            due.RemoveAll(b => done.Contains(b.BusinessId));
            if (due.Count == 0)
                return totals;
            done.UnionWith(due.Select(b => b.BusinessId));
            // Processes that looked at the same moment start on different businesses rather than queue on the same claims.
            Random.Shared.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(due));
            var results = new RoundTotals[due.Count];
            await Parallel.ForEachAsync(Enumerable.Range(0, due.Count), new ParallelOptions { MaxDegreeOfParallelism = BusinessesAtOnce, CancellationToken = ct },
                async (i, token) =>
                {
                    try
                    {
                        results[i] = await BusinessAsync(due[i].BusinessId, everySource ? began : null, token);
                    }
                    catch (Exception e) when (!token.IsCancellationRequested)
                    {
                        log.LogWarning(e, "Monitoring business {BusinessId} failed; its claimed sources are taken again when their claims lapse", due[i].BusinessId);
                        results[i] = new RoundTotals();
                    }
                });
            totals = results.Aggregate(totals, (sum, r) => sum + r);
        }
    }

    private async Task<RoundTotals> BusinessAsync(Guid businessId, DateTime? everyFetchedBefore, CancellationToken ct)
    {
        var totals = new RoundTotals();
        var random = new Random();
        var taken = new HashSet<Guid>();
        while (true)
        {
            await using var scope = scopes.ForSystem(ActorName, businessId);
            var db = scope.ServiceProvider.GetRequiredService<TidingsDbContext>();
            var now = StoredTime.Now(clock);
            var claimed = await SourceClaims.ClaimAsync(db, Process, now, now + settings.ClaimLease, settings.ClaimBatch, everyFetchedBefore, ct);
            // With every source, one of an inactive client stays unfetched and so can be claimed again: once is enough.
            if (claimed.Count(s => taken.Add(s.Id)) == 0)
            {
                await PollResults.ReleaseAsync(db, claimed, ct);
                return totals;
            }
            var watched = claimed.Where(s => s.ClientWatched).ToList();
            var outcomes = new PollOutcome[watched.Count];
            await Parallel.ForEachAsync(Enumerable.Range(0, watched.Count), new ParallelOptions { MaxDegreeOfParallelism = settings.Concurrency, CancellationToken = ct },
                async (i, token) => outcomes[i] = await PollAsync(watched[i], now, token));
            totals += await PollResults.WriteAsync(db, classifier, knowledge, settings, outcomes, claimed.Where(s => !s.ClientWatched).ToList(),
                StoredTime.Now(clock), random, ct);
        }
    }

    private async Task<PollOutcome> PollAsync(ClaimedSource source, DateTime now, CancellationToken ct)
    {
        await _fetches.WaitAsync(ct);
        try
        {
            return await polling.PollAsync(source, now, ct);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            // The fetcher and the reader answer failures in words; anything else is a fault of ours, said plainly to the person.
            log.LogError(e, "Polling source {SourceId} failed unexpectedly", source.Id);
            return PollOutcome.Failure(source, "Tidings could not read this source because of an internal error; it will try again.");
        }
        finally
        {
            _fetches.Release();
        }
    }
}
