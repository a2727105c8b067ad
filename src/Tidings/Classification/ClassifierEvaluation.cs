using System.Globalization;
using System.Text;

namespace Tidings.Classification;

/// <summary>
/// The figures of a labelled run: a verdict is right when its category is one the line accepts. Precision and recall
/// per gold category, the confusion matrix (gold rows, predicted columns), expected calibration error over ten
/// confidence bins, accuracy, macro-F1 over the gold categories, and items per second.
/// </summary>
public sealed class ClassifierEvaluation
{
    public required IReadOnlyList<string> Categories { get; init; }
    public required IReadOnlyDictionary<(string Gold, string Predicted), int> Confusion { get; init; }
    public required IReadOnlyDictionary<string, (double Precision, double Recall, double F1, int Support)> PerCategory { get; init; }
    public required double Accuracy { get; init; }
    public required double MacroF1 { get; init; }
    public required double CalibrationError { get; init; }
    public required int Items { get; init; }
    public required double ItemsPerSecond { get; init; }

    public static ClassifierEvaluation Of(IReadOnlyList<LabelledHeadline> items, IReadOnlyList<Verdict> verdicts, double seconds)
    {
        var gold = items.Select(i => i.Gold).ToList();
        var predicted = verdicts.Select(v => v.Category).ToList();
        var right = items.Select((item, i) => item.Acceptable.Contains(predicted[i])).ToList();
        var categories = gold.Distinct().Order(StringComparer.Ordinal).ToList();
        var confusion = new Dictionary<(string, string), int>();
        for (var i = 0; i < items.Count; i++)
        {
            var key = (gold[i], right[i] ? gold[i] : predicted[i]);
            confusion[key] = confusion.GetValueOrDefault(key) + 1;
        }
        var per = new Dictionary<string, (double, double, double, int)>();
        foreach (var c in categories)
        {
            var tp = Enumerable.Range(0, items.Count).Count(i => right[i] && gold[i] == c);
            var support = gold.Count(g => g == c);
            var claimed = Enumerable.Range(0, items.Count).Count(i => (right[i] ? gold[i] : predicted[i]) == c);
            var precision = claimed == 0 ? 0 : (double)tp / claimed;
            var recall = support == 0 ? 0 : (double)tp / support;
            per[c] = (precision, recall, precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall), support);
        }
        double ece = 0;
        for (var bin = 0; bin < 10; bin++)
        {
            var inBin = Enumerable.Range(0, items.Count).Where(i => Math.Min(9, (int)(verdicts[i].Confidence * 10)) == bin).ToList();
            if (inBin.Count > 0)
                ece += Math.Abs(inBin.Average(i => right[i] ? 1.0 : 0.0) - inBin.Average(i => verdicts[i].Confidence)) * inBin.Count / items.Count;
        }
        return new ClassifierEvaluation
        {
            Categories = categories, Confusion = confusion, PerCategory = per,
            Accuracy = right.Count(r => r) / (double)items.Count,
            MacroF1 = per.Values.Average(p => p.Item3),
            CalibrationError = ece, Items = items.Count, ItemsPerSecond = seconds > 0 ? items.Count / seconds : 0,
        };
    }

    public string Report()
    {
        var i = CultureInfo.InvariantCulture;
        var s = new StringBuilder();
        var width = Math.Max(8, Categories.Max(c => c.Length));
        s.AppendLine(i, $"{"category".PadRight(width)}  precision  recall     F1  support");
        foreach (var c in Categories)
        {
            var (p, r, f, n) = PerCategory[c];
            s.AppendLine(i, $"{c.PadRight(width)}  {p,9:F3}  {r,6:F3}  {f,5:F3}  {n,7}");
        }
        var columns = Categories.Concat(Confusion.Keys.Select(k => k.Predicted)).Distinct().ToList();
        s.AppendLine();
        s.AppendLine("confusion (rows: gold, columns: predicted)");
        s.AppendLine(string.Concat(columns.Select((c, n) => $" {n + 1,5}")).PadLeft(width + 6 * columns.Count));
        foreach (var g in Categories)
            s.AppendLine(g.PadRight(width) + string.Concat(columns.Select(c => $" {Confusion.GetValueOrDefault((g, c)),5}")));
        s.AppendLine(string.Join(", ", columns.Select((c, n) => $"{n + 1} = {c}")));
        s.AppendLine();
        s.AppendLine(i, $"expected calibration error {CalibrationError:F3}");
        s.AppendLine(i, $"accuracy {Accuracy:F3}, macro-F1 {MacroF1:F3}, {Items} items, {ItemsPerSecond:F0} items/s");
        return s.ToString();
    }
}
