using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Tidings.Categories;
using Tidings.Data;

namespace Tidings.Clients;

/// <summary>A live category as the health signal reads it.</summary>
public sealed record HealthCategory(Guid Id, string Key, Guid? ParentId, string Signal, double Weight);

/// <summary>An event as the health signal reads it.</summary>
public sealed record HealthEvent(Guid Id, Guid ClientId, string Title, string Category, string? Subcategory,
    DateTime EventDate, double Relevance, double? Confidence, Guid? DuplicateOf = null);

/// <summary>What one event did to the signal: its term of the sum, and the points the score would lose without it.</summary>
public sealed record HealthContribution(HealthEvent Event, string Signal, double Weight, double AgeDays, double Decay, double Value, double Effect);

/// <summary>A client's news signal (0..100, 50 = no news), the events that moved it (biggest effect first), and how many did not.</summary>
public sealed record NewsSignal(double Score, IReadOnlyList<HealthContribution> Moved, int NeutralEvents);

/// <summary>A business's live taxonomy, by key, for resolving an event's category and subcategory.</summary>
public sealed class HealthTaxonomy
{
    private readonly Dictionary<string, HealthCategory> _byKey = new(StringComparer.Ordinal);

    public HealthTaxonomy(IEnumerable<HealthCategory> categories)
    {
        foreach (var category in categories)
            _byKey.TryAdd(category.Key, category);
    }

    /// <summary>The subcategory when it is a live child of the category, else the category; null when the category is not live.</summary>
    public HealthCategory? Of(string category, string? subcategory)
    {
        if (!_byKey.TryGetValue(category, out var main))
            return null;
        return subcategory is not null && _byKey.TryGetValue(subcategory, out var sub) && sub.ParentId == main.Id ? sub : main;
    }
}

/// <summary>
/// Each client's news signal: its recent live events, risk lowering it and growth raising it, fading with age, each story
/// counted once (docs/health.md). <see cref="Compute"/> is the whole formula over plain inputs; the rest loads them and,
/// when the business lets the news score its clients, writes the signal into <see cref="Client.HealthScore"/> of the
/// clients nobody scored by hand, through SaveChanges (stamped and audited), in the caller's transaction. A stored
/// score changes only when something recomputes it (an event posted, edited, deleted or restored; the setting turned
/// on); GET /api/clients/{id}/health always computes it afresh.
/// </summary>
public static class ClientHealth
{
    /// <summary>Events older than this do not count: at 180 days a fresh event has decayed to 1/64 of its weight.</summary>
    public const int WindowDays = 180;

    /// <summary>An event counts half after a month, a quarter after two: news about a client goes stale within a quarter.</summary>
    public const double HalfLifeDays = 30;

    /// <summary>The score with no news, and half the width of the scale.</summary>
    public const double NoNews = 50;

    /// <summary>
    /// The sum that moves the score about 38 points (tanh 1): one fresh bankruptcy at full relevance (-1) gives 26.9, two
    /// give 11.9; one funding round at relevance 0.5 (+0.4) gives 59.9. Larger spreads more events before saturating.
    /// </summary>
    public const double Saturation = 2;

    /// <summary>The most events a breakdown lists.</summary>
    public const int MaxBreakdownEvents = 50;

    /// <summary>Clients per transaction when turning the setting on scores a whole business.</summary>
    public const int RefreshChunk = 500;

    /// <summary>A client the news may score: one it scored already, or one nobody scored (a person's or the seed's value stays).</summary>
    public static readonly Expression<Func<Client, bool>> NobodyScoredByHand = c =>
        c.HealthScoreSource == HealthScoreSources.News || (c.HealthScore == null && c.HealthScoreSource == null);

    private static readonly Func<Client, bool> IsNobodyScoredByHand = NobodyScoredByHand.Compile();

    /// <summary>The signal of one client's events at <paramref name="now"/>; events outside the window and duplicates count nothing.</summary>
    public static NewsSignal Compute(IReadOnlyList<HealthEvent> events, HealthTaxonomy taxonomy, DateTime now)
    {
        var moved = new List<(HealthEvent Event, HealthCategory Category, double AgeDays, double Decay, double Value)>();
        var neutral = 0;
        foreach (var ev in events)
        {
            // The query leaves duplicates out already; the formula holds the rule too, so it is whole on its own.
            if (ev.DuplicateOf is not null)
                continue;
            var ageDays = Math.Max(0, (now - ev.EventDate).TotalDays);
            if (ageDays > WindowDays)
                continue;
            var category = taxonomy.Of(ev.Category, ev.Subcategory);
            var decay = Math.Exp(-ageDays / HalfLifeDays * Math.Log(2));
            var value = category is null ? 0 : SignOf(category.Signal) * category.Weight * ev.Relevance * (ev.Confidence ?? 1) * decay;
            if (value == 0)
                neutral++;
            else
                moved.Add((ev, category!, ageDays, decay, value));
        }
        var sum = moved.Sum(m => m.Value);
        var score = ScoreOf(sum);
        // Leave-one-out: the scale saturates, so effects do not add up to score - 50 (two big risks each cost less than one alone).
        var contributions = moved
            .Select(m => new HealthContribution(m.Event, m.Category.Signal, m.Category.Weight, m.AgeDays, m.Decay, m.Value, score - ScoreOf(sum - m.Value)))
            .OrderByDescending(c => Math.Abs(c.Effect)).ThenByDescending(c => c.Event.EventDate).ThenBy(c => c.Event.Id)
            .ToList();
        return new NewsSignal(Math.Round(score, 1, MidpointRounding.AwayFromZero), contributions, neutral);
    }

    /// <summary>The unrounded score of a sum of contributions, strictly inside 0..100 (reaching the ends only by rounding).</summary>
    public static double ScoreOf(double sum) => NoNews + NoNews * Math.Tanh(sum / Saturation);

    private static int SignOf(string signal) => signal switch
    {
        CategorySignals.Growth => 1,
        CategorySignals.Risk => -1,
        _ => 0,
    };

    /// <summary>The business's live taxonomy and the clients' live original events of the window: two statements.</summary>
    public static async Task<(HealthTaxonomy Taxonomy, ILookup<Guid, HealthEvent> Events)> LoadAsync(
        TidingsDbContext db, IReadOnlyCollection<Guid> clientIds, DateTime now, CancellationToken ct)
    {
        var categories = await db.Categories.AsNoTracking()
            .Select(c => new HealthCategory(c.Id, c.Key, c.ParentId, c.Signal, c.Weight))
            .ToListAsync(ct);
        var from = now.AddDays(-WindowDays);
        var events = await db.Events.AsNoTracking()
            .Where(e => clientIds.Contains(e.ClientId) && e.DuplicateOfEventId == null && e.EventDate >= from)
            .Select(e => new HealthEvent(e.Id, e.ClientId, e.Title, e.Category, e.Subcategory, e.EventDate, e.RelevanceScore, e.ConfidenceScore, null))
            .ToListAsync(ct);
        return (new HealthTaxonomy(categories), events.ToLookup(e => e.ClientId));
    }

    /// <summary>One client's signal as of now.</summary>
    public static async Task<NewsSignal> OfClientAsync(TidingsDbContext db, Guid clientId, DateTime now, CancellationToken ct)
    {
        var (taxonomy, events) = await LoadAsync(db, [clientId], now, ct);
        return Compute(events[clientId].ToList(), taxonomy, now);
    }

    /// <summary>
    /// After events of these clients were created, edited, deleted or restored (and saved): when the business lets the news
    /// score its clients, the ones nobody scored by hand get their signal, saved in the caller's transaction.
    /// </summary>
    public static async Task RefreshAsync(TidingsDbContext db, IEnumerable<Guid> clientIds, CancellationToken ct)
    {
        if (await FromNewsAsync(db, ct))
            await RefreshScoredByNewsAsync(db, clientIds, ct);
    }

    /// <summary><see cref="RefreshAsync"/> for a caller that has read already that the business lets the news score its clients.</summary>
    public static async Task RefreshScoredByNewsAsync(TidingsDbContext db, IEnumerable<Guid> clientIds, CancellationToken ct)
    {
        var ids = clientIds.Where(id => id != Guid.Empty).Distinct().ToList();
        if (ids.Count == 0)
            return;
        var clients = await db.Clients.Where(c => ids.Contains(c.Id)).Where(NobodyScoredByHand).ToListAsync(ct);
        if (await ApplyAsync(db, clients, ct) > 0)
            await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// Before a client a person created or whose score they cleared is saved: when the business lets the news score its
    /// clients and nobody scored this one, it gets its signal in the same save.
    /// </summary>
    public static async Task ScoreIfUnscoredAsync(TidingsDbContext db, Client client, CancellationToken ct)
    {
        if (IsNobodyScoredByHand(client) && await FromNewsAsync(db, ct))
            await ApplyAsync(db, [client], ct);
    }

    /// <summary>
    /// Every client of the business that nobody scored by hand, <see cref="RefreshChunk"/> to a transaction: for turning
    /// the setting on (and on again, to bring decayed scores up to date). Answers how many scores changed.
    /// </summary>
    public static async Task<int> RefreshAllAsync(TidingsDbContext db, CancellationToken ct, int chunk = RefreshChunk)
    {
        if (!await FromNewsAsync(db, ct))
            return 0;
        var total = 0;
        var after = Guid.Empty;
        while (true)
        {
            // Each chunk is one unit of the execution strategy; the keyset on id starts it past the last one.
            var (changed, last) = await db.InTransactionAsync(async ct =>
            {
                var clients = await db.Clients.Where(NobodyScoredByHand).Where(c => c.Id.CompareTo(after) > 0)
                    .OrderBy(c => c.Id).Take(chunk).ToListAsync(ct);
                var changed = await ApplyAsync(db, clients, ct);
                if (changed > 0)
                    await db.SaveChangesAsync(ct);
                return (changed, clients.Count < chunk ? (Guid?)null : clients[^1].Id);
            }, ct);
            total += changed;
            if (last is not { } id)
                return total;
            after = id;
        }
    }

    private static Task<bool> FromNewsAsync(TidingsDbContext db, CancellationToken ct) =>
        db.Businesses.AsNoTracking().Select(b => b.HealthScoreFromNews).SingleAsync(ct);

    /// <summary>Sets the signal on those of <paramref name="clients"/> nobody scored by hand; a value that would not change is left alone (no audit row).</summary>
    private static async Task<int> ApplyAsync(TidingsDbContext db, IReadOnlyList<Client> clients, CancellationToken ct)
    {
        var eligible = clients.Where(IsNobodyScoredByHand).ToList();
        if (eligible.Count == 0)
            return 0;
        var now = StoredTime.Now(db.Clock);
        var (taxonomy, events) = await LoadAsync(db, eligible.Select(c => c.Id).ToList(), now, ct);
        var changed = 0;
        foreach (var client in eligible)
        {
            var score = Compute(events[client.Id].ToList(), taxonomy, now).Score;
            if (client.HealthScore == score && client.HealthScoreSource == HealthScoreSources.News)
                continue;
            client.HealthScore = score;
            client.HealthScoreSource = HealthScoreSources.News;
            changed++;
        }
        return changed;
    }
}
