using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Tidings.Classification;
using Tidings.Data;
using Tidings.Data.Auditing;
using Tidings.Data.SoftDelete;
using Tidings.Events;
using Tidings.Monitoring.Fetching;
using Tidings.Notifications;

namespace Tidings.Monitoring;

/// <summary>
/// Writes what one claim's polls found, in the business's unit of work: the new items through EventCreation, the path
/// of the batch API (stories, near-duplicates, classification, notifications, audit), then each source's polling
/// state, its release, and the clients' last check. An item whose story the client already has, live or deleted, is
/// not posted again: a feed re-emitting what a user deleted does not bring it back.
/// </summary>
public static class PollResults
{
    public static async Task<RoundTotals> WriteAsync(TidingsDbContext db, HeadlineClassifier classifier, ClassifierKnowledge knowledge,
        MonitoringSettings settings, IReadOnlyList<PollOutcome> outcomes, IReadOnlyList<ClaimedSource> unwatched, DateTime now, Random random,
        CancellationToken ct)
    {
        var (created, duplicates) = await CreateEventsAsync(db, classifier, knowledge, outcomes.SelectMany(o => o.Found).ToList(), ct);
        await db.InTransactionAsync(async token =>
        {
            using (db.AllowDirectWrites("monitor: polling state of sources and clients' last check, one audit row per claim"))
            {
                foreach (var outcome in outcomes)
                    await SaveStateAsync(db, outcome, now, random, token);
                // A client that is inactive or deleted is not fetched: its sources wait a period and look again.
                foreach (var source in unwatched)
                {
                    var due = PollSchedule.AfterSuccess(now, source.Frequency, null, null, random.NextDouble());
                    await db.Sources.IgnoreQueryFilters([SoftDeleteRules.Filter]).Where(s => s.Id == source.Id)
                        .ExecuteUpdateAsync(s => s.SetProperty(x => x.NextDueAt, due).SetProperty(x => x.ClaimedBy, (string?)null)
                            .SetProperty(x => x.ClaimedUntil, (DateTime?)null), token);
                }
                var checkedClients = outcomes.Select(o => o.Source.ClientId).Distinct().ToList();
                if (checkedClients.Count > 0)
                    await db.Clients.IgnoreQueryFilters([SoftDeleteRules.Filter]).Where(c => checkedClients.Contains(c.Id))
                        .ExecuteUpdateAsync(s => s.SetProperty(c => c.LastCheckedAt, now), token);
            }
            await StopFailingAsync(db, settings, outcomes, token);
            db.AuditLogs.Add(AuditTrail.Attribute(new AuditLog
            {
                ActorName = db.Actor.Name,
                TableName = "sources",
                RecordId = $"poll {now:yyyy-MM-ddTHH:mm:ss}Z",
                Action = AuditActions.Update,
                NewValues = JsonSerializer.Serialize(new
                {
                    polled = outcomes.Select(o => new { id = o.Source.Id, outcome = o.Outcome.ToString(), error = o.Error, found = o.Found.Count }),
                    skipped = unwatched.Select(s => s.Id),
                    createdEvents = created,
                }),
            }, db.Tenant.RequireBusinessId(), db.Actor, now));
            await db.SaveChangesAsync(token);
            return 0;
        }, ct);
        return new RoundTotals(
            outcomes.Count(o => o.Outcome == FetchOutcome.Fetched),
            outcomes.Count(o => o.Outcome == FetchOutcome.NotModified),
            outcomes.Count(o => o.Outcome == FetchOutcome.Failed),
            created - duplicates, duplicates);
    }

    /// <summary>Gives claimed sources back untouched, for another round or process to take.</summary>
    public static async Task ReleaseAsync(TidingsDbContext db, IReadOnlyList<ClaimedSource> claimed, CancellationToken ct)
    {
        if (claimed.Count == 0)
            return;
        var ids = claimed.Select(s => s.Id).ToList();
        using (db.AllowDirectWrites("monitor: releasing claims (scheduling columns)"))
            await db.Sources.IgnoreQueryFilters([SoftDeleteRules.Filter]).Where(s => ids.Contains(s.Id))
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.ClaimedBy, (string?)null).SetProperty(x => x.ClaimedUntil, (DateTime?)null), ct);
    }

    /// <summary>Creates the items whose stories are new to their clients; answers how many events it created and how many of them repeat a story.</summary>
    private static async Task<(int Created, int Duplicates)> CreateEventsAsync(TidingsDbContext db, HeadlineClassifier classifier,
        ClassifierKnowledge knowledge, List<EventCreation.EventDraft> found, CancellationToken ct)
    {
        if (found.Count == 0)
            return (0, 0);
        foreach (var draft in found)
            draft.Event.ContentHash = ContentHash.Of(draft.Event.Url, draft.Event.Title, draft.Event.ClientId);
        var hashes = found.Select(d => d.Event.ContentHash!).Distinct().ToList();
        var clientIds = found.Select(d => d.Event.ClientId).Distinct().ToList();
        var known = (await db.Events.IgnoreQueryFilters([SoftDeleteRules.Filter])
                .Where(e => hashes.Contains(e.ContentHash!) && clientIds.Contains(e.ClientId))
                .Select(e => new { e.ClientId, e.ContentHash }).ToListAsync(ct))
            .Select(k => (k.ClientId, k.ContentHash!)).ToHashSet();
        // Two sources of one client carrying one article make one event.
        var fresh = found.Where(d => known.Add((d.Event.ClientId, d.Event.ContentHash!))).ToList();
        var (created, duplicates) = (0, 0);
        foreach (var chunk in fresh.Chunk(EventCreation.MaxBatch))
        {
            var drafts = chunk.ToList();
            var outcome = await EventCreation.CreateAsync(db, classifier, knowledge, drafts, ct);
            if (outcome.UnknownClientAt.Count > 0)
            {
                // A client deleted since the claim: its items wait for it to come back (they are found again then).
                var gone = outcome.UnknownClientAt.Select(i => chunk[i]).ToHashSet();
                drafts = drafts.Where(d => !gone.Contains(d)).ToList();
                outcome = drafts.Count == 0 ? outcome : await EventCreation.CreateAsync(db, classifier, knowledge, drafts, ct);
            }
            created += outcome.Created.Count;
            duplicates += outcome.Created.Count(e => e.DuplicateOfEventId is not null);
        }
        return (created, duplicates);
    }

    private static Task<int> SaveStateAsync(TidingsDbContext db, PollOutcome outcome, DateTime now, Random random, CancellationToken ct)
    {
        var source = outcome.Source;
        var failed = outcome.Outcome == FetchOutcome.Failed;
        var failures = failed ? source.ConsecutiveFailures + 1 : 0;
        var due = failed
            ? PollSchedule.AfterFailure(now, failures, outcome.RetryAfter)
            : PollSchedule.AfterSuccess(now, source.Frequency, outcome.RetryAfter, outcome.MaxAge, random.NextDouble());
        var error = outcome.Error is null ? null : StorableText.Cut(outcome.Error, Source.MaxErrorLength);
        var feedUrl = outcome.FeedUrl is { Length: <= Source.MaxUrlLength } url ? url : null;
        var title = outcome.Title is null ? null : StorableText.Cut(outcome.Title, 200);
        var etag = outcome.ETag is { Length: <= 500 } e ? e : null;
        var lastModified = outcome.LastModified is { Length: <= 100 } m ? m : null;
        return db.Sources.IgnoreQueryFilters([SoftDeleteRules.Filter]).Where(s => s.Id == source.Id)
            .ExecuteUpdateAsync(s => s
                .SetProperty(x => x.LastFetchedAt, now)
                .SetProperty(x => x.NextDueAt, due)
                .SetProperty(x => x.ConsecutiveFailures, failures)
                .SetProperty(x => x.LastError, error)
                .SetProperty(x => x.FeedUrl, feedUrl)
                .SetProperty(x => x.Title, title)
                .SetProperty(x => x.ETag, etag)
                .SetProperty(x => x.LastModified, lastModified)
                .SetProperty(x => x.ClaimedBy, (string?)null)
                .SetProperty(x => x.ClaimedUntil, (DateTime?)null), ct);
    }

    /// <summary>
    /// A source that failed its last <see cref="MonitoringSettings.StopAfterFailures"/> polls stops, says why, and tells
    /// the people who follow its client, once: the change is a person-visible decision, saved and audited like a person's.
    /// </summary>
    private static async Task StopFailingAsync(TidingsDbContext db, MonitoringSettings settings, IReadOnlyList<PollOutcome> outcomes, CancellationToken ct)
    {
        var stopping = outcomes.Where(o => o.Outcome == FetchOutcome.Failed && o.Source.ConsecutiveFailures + 1 >= settings.StopAfterFailures)
            .ToDictionary(o => o.Source.Id);
        if (stopping.Count == 0)
            return;
        var ids = stopping.Keys.ToList();
        var sources = await db.Sources.Where(s => ids.Contains(s.Id) && s.StoppedAt == null).ToListAsync(ct);
        var stopped = new List<(Source, string, Guid?)>();
        foreach (var source in sources)
        {
            var outcome = stopping[source.Id];
            source.StoppedAt = StoredTime.Now(db.Clock);
            source.StoppedReason = StorableText.Cut($"Stopped after {settings.StopAfterFailures} failed attempts in a row. The last one: {outcome.Error}", Source.MaxErrorLength);
            // Read after the polling state was written, so the save changes (and audits) the stop alone.
            stopped.Add((source, outcome.Source.ClientName, outcome.Source.AssigneeId));
        }
        await Notifier.SourcesStoppedAsync(db, stopped, ct);
    }
}
