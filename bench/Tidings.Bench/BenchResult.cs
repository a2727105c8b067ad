using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Tidings.Bench;

public sealed record Figure(string Name, double Value, string Unit);

public sealed record MachineInfo(int ProcessorCount, string Os, string Runtime, long TotalMemoryBytes)
{
    public static MachineInfo Current() => new(
        Environment.ProcessorCount, RuntimeInformation.OSDescription, RuntimeInformation.FrameworkDescription,
        GC.GetGCMemoryInfo().TotalAvailableMemoryBytes);
}

/// <summary>A summary table a scenario lays out itself (cases by ways of running them), printed before the figures.</summary>
public sealed record BenchTable(string Title, IReadOnlyList<string> Header, IReadOnlyList<IReadOnlyList<string>> Rows);

/// <summary>
/// The figures of one scenario on one provider, printed as markdown and kept as .json and .md files.
/// Tables summarise the figures for reading; Notes carry what explains them (query plans, targets met or missed).
/// </summary>
public sealed record BenchResult(
    string Scenario, string Provider, string Server, DateTimeOffset StartedAt, int Events, bool Quick,
    MachineInfo Machine, IReadOnlyList<Figure> Figures, IReadOnlyList<BenchTable>? Tables = null, IReadOnlyList<string>? Notes = null)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public string ToMarkdown()
    {
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"### {Scenario} on {Provider} ({Server}), {StartedAt:yyyy-MM-dd HH:mm:ss} UTC");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture,
            $"{Events:N0} events{(Quick ? " (--quick)" : "")}; {Machine.ProcessorCount} CPUs, {Machine.TotalMemoryBytes / (1024.0 * 1024 * 1024):0.0} GiB, {Machine.Os}, {Machine.Runtime}");
        md.AppendLine();
        foreach (var table in Tables ?? [])
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"#### {table.Title}");
            md.AppendLine();
            md.AppendLine("| " + string.Join(" | ", table.Header) + " |");
            md.AppendLine("|" + string.Concat(table.Header.Select((_, i) => i == 0 ? "---|" : "---:|")));
            foreach (var row in table.Rows)
                md.AppendLine("| " + string.Join(" | ", row) + " |");
            md.AppendLine();
        }
        md.AppendLine("#### All figures");
        md.AppendLine();
        md.AppendLine("| figure | value | unit |");
        md.AppendLine("|---|---:|---|");
        foreach (var figure in Figures)
            md.AppendLine(CultureInfo.InvariantCulture, $"| {figure.Name} | {Format(figure.Value)} | {figure.Unit} |");
        foreach (var note in Notes ?? [])
        {
            md.AppendLine();
            md.AppendLine(note);
        }
        return md.ToString();
    }

    /// <summary>Writes &lt;scenario&gt;-&lt;provider&gt;-&lt;yyyyMMdd-HHmmss&gt;.json and .md; returns the .md path.</summary>
    public async Task<string> SaveAsync(string directory, CancellationToken ct)
    {
        Directory.CreateDirectory(directory);
        var stem = Path.Combine(directory, $"{Scenario}-{Provider}-{StartedAt.UtcDateTime:yyyyMMdd-HHmmss}");
        await File.WriteAllTextAsync(stem + ".json", JsonSerializer.Serialize(this, Json) + "\n", ct);
        await File.WriteAllTextAsync(stem + ".md", ToMarkdown(), ct);
        return stem + ".md";
    }

    public static string Format(double value) =>
        value == Math.Floor(value) || Math.Abs(value) >= 100
            ? value.ToString("N0", CultureInfo.InvariantCulture)
            : value.ToString("0.00", CultureInfo.InvariantCulture);
}
