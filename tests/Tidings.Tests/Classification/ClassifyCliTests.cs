using System.Text.Json;
using Tidings.Tests.Cli;

namespace Tidings.Tests.Classification;

/// <summary>`tidings classify` and `tidings classify eval` as a person runs them: a real process, files and pipes.</summary>
public sealed class ClassifyCliTests : IDisposable
{
    private readonly string _workDir = Directory.CreateTempSubdirectory("tidings-classify-cli-").FullName;

    public void Dispose() => Directory.Delete(_workDir, recursive: true);

    [Fact]
    public async Task Classify_answers_one_json_line_per_headline_in_order_with_no_database()
    {
        var input = string.Join('\n',
            """{"title": "Northwind Labs raises $40 million Series B led by Sequoia"}""",
            "",
            """{"title": "Globex files for Chapter 11 bankruptcy protection", "description": "The retailer listed debts of $1.2 billion."}""",
            """{"title": "Vandelay Industries declares quarterly dividend of $0.25 per share"}""") + "\n";
        var result = await TidingsProcess.RunWithInputAsync(_workDir, [], input, "classify");

        Assert.True(result.ExitCode == TidingsCli.Ok, result.Error);
        var lines = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        var verdicts = lines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(["funding", "bankruptcy", "dividend"], verdicts.Select(v => v.GetProperty("category").GetString()));
        foreach (var v in verdicts)
        {
            Assert.Equal(["category", "subcategory", "confidence", "relevance", "sentiment", "evidence"], v.EnumerateObject().Select(p => p.Name));
            Assert.InRange(v.GetProperty("confidence").GetDouble(), 0, 1);
            Assert.InRange(v.GetProperty("sentiment").GetDouble(), -1, 1);
            Assert.False(string.IsNullOrEmpty(v.GetProperty("evidence").GetString()));
        }
        Assert.False(File.Exists(Path.Combine(_workDir, "tidings.db")), "classify without --business-slug needs no database");
    }

    [Fact]
    public async Task A_line_that_is_not_a_headline_stops_with_one_line_naming_it()
    {
        var result = await TidingsProcess.RunWithInputAsync(_workDir, [], "{\"title\": \"Contoso to cut 300 jobs\"}\nnot json\n", "classify");
        result.AssertFailedInOneLine(TidingsCli.BadConfiguration, "line 2");
        Assert.Single(result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Eval_prints_per_category_figures_the_confusion_matrix_calibration_and_the_summary_line()
    {
        var file = Path.Combine(_workDir, "gold.jsonl");
        await File.WriteAllLinesAsync(file,
        [
            """{"title": "Northwind Labs raises $40 million Series B led by Sequoia", "category": "funding"}""",
            """{"title": "Contoso to cut 1,200 jobs as it restructures", "category": "layoffs"}""",
            """{"title": "Globex agrees to buy Initech for $3 billion", "accept": ["acquisition", "funding"]}""",
            """{"title": "Initech announces $500 million share repurchase program", "category": "buyback"}""",
            // Deliberately mislabelled: the figures must show one miss.
            """{"title": "Vandelay Industries declares quarterly dividend of $0.25 per share", "category": "award"}""",
        ]);
        var result = await TidingsProcess.RunAsync(_workDir, [], "classify", "eval", file);

        Assert.True(result.ExitCode == TidingsCli.Ok, result.Error);
        var lines = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^accuracy 0\.800, macro-F1 \d\.\d{3}, 5 items, \d+ items/s$", lines[^1]);
        Assert.Contains(lines, l => l.StartsWith("award", StringComparison.Ordinal) && l.Contains("0.000"));
        Assert.Contains(lines, l => l.Contains("confusion"));
        Assert.Contains(lines, l => l.StartsWith("expected calibration error", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("missing.jsonl", "no such file")]
    [InlineData("bad.jsonl", "bad.jsonl:2")]
    public async Task Eval_of_a_missing_or_malformed_file_fails_in_one_line(string name, string mention)
    {
        await File.WriteAllLinesAsync(Path.Combine(_workDir, "bad.jsonl"), ["""{"title": "A", "category": "other"}""", """{"title": "no label"}"""]);
        var result = await TidingsProcess.RunAsync(_workDir, [], "classify", "eval", Path.Combine(_workDir, name));
        result.AssertFailedInOneLine(TidingsCli.BadConfiguration, mention);
    }

    [Fact]
    public async Task A_business_slug_nobody_has_fails_in_one_line()
    {
        Assert.Equal(TidingsCli.Ok, (await TidingsProcess.RunAsync(_workDir, [], "db", "migrate")).ExitCode);
        var result = await TidingsProcess.RunWithInputAsync(_workDir, [], "{\"title\": \"x\"}\n", "classify", "--business-slug", "nobody-here");
        result.AssertFailedInOneLine(TidingsCli.BadConfiguration, "nobody-here");
    }

    [Fact]
    public async Task With_a_business_slug_the_business_taxonomy_answers()
    {
        var demo = await TidingsProcess.RunAsync(_workDir, [], "demo");
        Assert.True(demo.ExitCode == TidingsCli.Ok, demo.Error);
        var slug = System.Text.RegularExpressions.Regex.Match(demo.Out, @"slug[^\w-]*([a-z0-9-]+)").Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(slug), demo.Out);
        var result = await TidingsProcess.RunWithInputAsync(_workDir, [], "{\"title\": \"Contoso to cut 1,200 jobs\"}\n", "classify", "--business-slug", slug);
        Assert.True(result.ExitCode == TidingsCli.Ok, result.Error);
        Assert.Equal("layoffs", JsonDocument.Parse(result.Out.Trim()).RootElement.GetProperty("category").GetString());
    }
}
