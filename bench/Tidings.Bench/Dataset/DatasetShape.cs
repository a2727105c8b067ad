namespace Tidings.Bench.Dataset;

/// <summary>
/// How a generated database is shaped: one large business holding a fifth of all events, the rest spread
/// over the other businesses by a power law (a few big, a long tail of small ones), and each business's
/// users, clients and tags sized from its events, the way a real customer base looks.
/// </summary>
public sealed record DatasetShape(int Events, int Businesses, int Seed = 42)
{
    /// <summary>The large business's share of all events.</summary>
    public const double LargeShare = 0.20;

    /// <summary>Exponent of the other businesses' sizes (rank^-k): the second-largest holds about 8% of the events at 100 businesses.</summary>
    public const double Skew = 0.7;

    /// <summary>Events spread evenly over this many days before the run: "a business with years of events".</summary>
    public const int HistoryDays = 3 * 365;

    /// <summary>Older events than this have mostly been read by the feed user.</summary>
    public const int ReadHorizonDays = 30;

    /// <summary>Events per business, the large one first; every business gets at least one event.</summary>
    public IReadOnlyList<int> EventsPerBusiness()
    {
        if (Businesses == 1)
            return [Events];
        var large = Math.Max(1, (int)Math.Round(Events * LargeShare));
        var weights = Enumerable.Range(1, Businesses - 1).Select(rank => Math.Pow(rank, -Skew)).ToArray();
        var total = weights.Sum();
        var rest = Events - large;
        var sizes = weights.Select(w => Math.Max(1, (int)Math.Floor(rest * w / total))).ToList();
        // Rounding leftovers go to the smallest businesses, so the totals are exact.
        var leftover = rest - sizes.Sum();
        for (var i = sizes.Count - 1; leftover > 0; i = i == 0 ? sizes.Count - 1 : i - 1, leftover--)
            sizes[i]++;
        return [large, .. sizes];
    }

    public static int ClientsFor(int events) => Math.Clamp(events / 100, 10, 5_000);

    public static int UsersFor(int events) => Math.Clamp(events / 1_000, 3, 200);

    public const int TagsPerBusiness = 12;
}
