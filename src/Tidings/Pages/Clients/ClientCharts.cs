using Microsoft.EntityFrameworkCore;
using Tidings.Clients;
using Tidings.Data;

namespace Tidings.Pages.Clients;

/// <summary>The news signal on one day of the chart.</summary>
public sealed record SignalPoint(DateTime At, double Score);

/// <summary>An event that moved the signal, marked where it happened: the signal just after it, and its effect then.</summary>
public sealed record SignalMark(Guid EventId, string Title, DateTime At, double Score, double Effect);

/// <summary>How many events a week of the chart holds (its first day, inclusive, to the next week's).</summary>
public sealed record WeekBar(DateTime From, int Events);

/// <summary>
/// The client page's two charts over the last <see cref="Days"/> days: the news signal once a day, computed by
/// ClientHealth.Compute exactly as the health endpoint does but as of each day (events after it left out), with the events
/// that moved it; and the client's live events per week. The geometry is here so the page only draws.
/// </summary>
public sealed record ClientCharts(IReadOnlyList<SignalPoint> Signal, IReadOnlyList<SignalMark> Marks, IReadOnlyList<WeekBar> Weeks, DateTime Now)
{
    public const int Days = 91;
    public const int WeekCount = Days / 7;

    // The drawing's own units (viewBox); CSS scales it to the page.
    public const double Width = 640, Height = 200, Left = 34, Right = 8, Top = 10, Bottom = 26;

    public static async Task<ClientCharts> LoadAsync(TidingsDbContext db, Guid clientId, DateTime now, CancellationToken ct)
    {
        var start = now.AddDays(-(Days - 1));
        // From the window before the first day, so the first day's signal counts what it did then.
        var (taxonomy, events) = await ClientHealth.LoadAsync(db, [clientId], start, ct);
        var all = events[clientId].Where(e => e.EventDate <= now).OrderBy(e => e.EventDate).ToList();

        var signal = Enumerable.Range(0, Days)
            .Select(day => start.AddDays(day))
            .Select(at => new SignalPoint(at, ClientHealth.Compute(all.Where(e => e.EventDate <= at).ToList(), taxonomy, at).Score))
            .ToList();
        var marks = new List<SignalMark>();
        foreach (var ev in all.Where(e => e.EventDate >= start))
        {
            var then = ClientHealth.Compute(all.Where(e => e.EventDate <= ev.EventDate).ToList(), taxonomy, ev.EventDate);
            if (then.Moved.FirstOrDefault(m => m.Event.Id == ev.Id) is { } moved)
                marks.Add(new SignalMark(ev.Id, ev.Title, ev.EventDate, then.Score, Math.Round(moved.Effect, 1)));
        }

        var firstWeek = now.AddDays(-7 * WeekCount);
        var dates = await db.Events.AsNoTracking().Where(e => e.ClientId == clientId && e.EventDate > firstWeek && e.EventDate <= now)
            .Select(e => e.EventDate).ToListAsync(ct);
        var weeks = Enumerable.Range(0, WeekCount)
            .Select(w => firstWeek.AddDays(7 * w))
            .Select(from => new WeekBar(from, dates.Count(d => d > from && d <= from.AddDays(7))))
            .ToList();
        return new ClientCharts(signal, marks, weeks, now);
    }

    public static double PlotWidth => Width - Left - Right;
    public static double PlotHeight => Height - Top - Bottom;

    /// <summary>Where a time falls across the plot.</summary>
    public double X(DateTime at) => Left + PlotWidth * Math.Clamp((at - Signal[0].At).TotalDays / (Days - 1), 0, 1);

    /// <summary>Where a signal (0..100) falls up the plot.</summary>
    public static double Y(double score) => Top + PlotHeight * (1 - Math.Clamp(score, 0, 100) / 100);

    public string SignalLine => string.Join(" ", Signal.Select(p => $"{Number(X(p.At))},{Number(Y(p.Score))}"));

    public int MostInAWeek => Math.Max(1, Weeks.Max(w => w.Events));
    public int EventsInAll => Weeks.Sum(w => w.Events);
    public static double BarWidth => PlotWidth / WeekCount;
    public double BarHeight(WeekBar bar) => PlotHeight * bar.Events / MostInAWeek;

    /// <summary>A coordinate as SVG wants it: invariant, two decimals.</summary>
    public static string Number(double value) => value.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture);
}
