using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Tidings.Data;
using Tidings.Events;

namespace Tidings.Pages;

/// <summary>
/// How many events of the feed's filter fall in each category, week by week (weeks start on Monday, UTC), over the last
/// <see cref="Weeks"/> weeks: the numbers behind the feed's stacked bar chart and its table.
/// </summary>
public sealed record FeedChart(DateOnly FirstWeek, IReadOnlyList<string> Categories, int[,] Counts)
{
    public const int Weeks = 12;

    /// <summary>Colours the stylesheet defines (chart-0 ... chart-7); beyond them the smallest categories share "other".</summary>
    public const int Colours = 8;

    public const string Other = "other categories";

    /// <summary>
    /// One grouped statement on the feed's own filter: a row per category and day, at most days × categories rows however
    /// many events, summed into weeks here. A day is a plain date in SQL on both providers; a week would not be.
    /// </summary>
    public static async Task<FeedChart> ReadAsync(TidingsDbContext db, Guid userId, FeedFilter filter, TimeProvider clock, CancellationToken ct)
    {
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var firstWeek = today.AddDays(-(((int)today.DayOfWeek + 6) % 7) - 7 * (Weeks - 1));
        var since = firstWeek.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var threshold = filter.NeedsReview == true ? await EventFeed.ReviewThresholdAsync(db, ct) : (double?)null;
        var rows = await CountsByDay(db, userId, filter, threshold, since).ToListAsync(ct);

        var totals = rows.GroupBy(r => r.Category).Select(g => (Category: g.Key, Count: g.Sum(r => r.Count)))
            .OrderByDescending(c => c.Count).ThenBy(c => c.Category, StringComparer.Ordinal).ToList();
        var shown = totals.Count <= Colours ? totals.Select(t => t.Category).ToList()
            : totals.Take(Colours - 1).Select(t => t.Category).Append(Other).ToList();
        var column = shown.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i, StringComparer.Ordinal);
        var counts = new int[Weeks, shown.Count];
        foreach (var row in rows)
        {
            var week = (DateOnly.FromDateTime(row.Day).DayNumber - firstWeek.DayNumber) / 7;
            if (week is >= 0 and < Weeks)
                counts[week, column.TryGetValue(row.Category, out var c) ? c : column[Other]] += row.Count;
        }
        return new FeedChart(firstWeek, shown, counts);
    }

    public sealed record DayCount(string Category, DateTime Day, int Count);

    /// <summary>The feed's events of the filter since <paramref name="since"/>, counted by category and day (UTC).</summary>
    public static IQueryable<DayCount> CountsByDay(TidingsDbContext db, Guid userId, FeedFilter filter, double? reviewThreshold, DateTime since) =>
        EventFeed.Matching(db, userId, filter, reviewThreshold)
            .Where(x => x.Event.EventDate >= since)
            .GroupBy(x => new { x.Event.Category, Day = x.Event.EventDate.Date })
            .Select(g => new DayCount(g.Key.Category, g.Key.Day, g.Count()));

    /// <summary>The business's names of its categories (FeedChoices), which the chart's labels use.</summary>
    public CategoryNames Names { get; init; } = CategoryNames.None;

    public string Label(int category) => Names.Of(Categories[category]);

    public DateOnly WeekStart(int week) => FirstWeek.AddDays(7 * week);

    public string WeekLabel(int week) => WeekStart(week).ToString("d MMM", CultureInfo.InvariantCulture);

    public string WeekIso(int week) => WeekStart(week).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public int WeekTotal(int week) => Enumerable.Range(0, Categories.Count).Sum(c => Counts[week, c]);

    public int CategoryTotal(int category) => Enumerable.Range(0, Weeks).Sum(w => Counts[w, category]);

    public int Total => Enumerable.Range(0, Weeks).Sum(WeekTotal);

    /// <summary>The tallest bar, rounded up to a number the axis can print: at least 1, so an empty chart draws.</summary>
    public int Scale => Math.Max(1, Enumerable.Range(0, Weeks).Max(WeekTotal));

    /// <summary>One stacked segment of a week's bar, in the SVG's units (<see cref="Width"/> × <see cref="Height"/>, bars on the baseline).</summary>
    public sealed record Segment(int Week, int Category, int Count, double X, double Y, double Width, double Height);

    public const double Width = 640, Height = 220, Left = 36, Bottom = 24, Top = 8;

    public IEnumerable<Segment> Segments()
    {
        var slot = (Width - Left) / Weeks;
        var plot = Height - Bottom - Top;
        for (var w = 0; w < Weeks; w++)
        {
            var y = Height - Bottom;
            for (var c = 0; c < Categories.Count; c++)
            {
                if (Counts[w, c] == 0)
                    continue;
                var h = plot * Counts[w, c] / Scale;
                y -= h;
                yield return new Segment(w, c, Counts[w, c], Left + w * slot + slot * 0.15, y, slot * 0.7, h);
            }
        }
    }

    public double SlotCentre(int week) => Left + (week + 0.5) * (Width - Left) / Weeks;

    public static string N(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);
}
