using System.Text.Json;
using Tidings.Monitoring.Matching;
using Xunit.Abstractions;

namespace Tidings.Tests.Monitoring.Matching;

/// <summary>The same story from two outlets, and the same client's different stories.</summary>
public sealed class NearDuplicatesTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("Vantor AI raises $50M Series B - TechCrunch", "Vantor AI lands $50 million in Series B funding | Reuters")]
    [InlineData("Acme Rocketry acquires Beta Propulsion for $120M", "Acme Rocketry to buy Beta Propulsion in $120 million deal")]
    [InlineData("Exclusive: Acme Rocketry to cut 1,200 jobs", "ACME ROCKETRY TO CUT 1200 JOBS")]
    [InlineData("Acme Rocketry's Paris plant hit by ransomware attack", "Ransomware attack hits Acme Rocketry Paris plant")]
    [InlineData("Acme Rocketry teams up with Airbus on reusable boosters", "Airbus and Acme Rocketry partner on reusable boosters")]
    [InlineData("Société Générale to cut 900 jobs in France", "Societe Generale cuts 900 jobs in France")]
    public void Two_outlets_titles_of_one_story_are_the_same_story(string a, string b) =>
        Assert.True(NearDuplicates.IsSameStory(a, b, a.StartsWith("Soc") ? "Société Générale" : "Acme Rocketry Inc."), $"{a} | {b}");

    [Theory]
    [InlineData("Acme Rocketry raises $50M Series B", "Acme Rocketry raises $80M Series C")]
    [InlineData("Acme Rocketry raises $50M Series B", "Acme Rocketry raises $50M Series C")]
    [InlineData("Acme Rocketry acquires Beta Propulsion", "Acme Rocketry acquired by Lockheed Martin")]
    [InlineData("Acme Rocketry wins NASA contract", "Acme Rocketry loses NASA contract")]
    [InlineData("Acme Rocketry opens plant in Ohio", "Acme Rocketry opens plant in Texas")]
    [InlineData("Acme Rocketry in talks to raise $300 million", "Acme Rocketry raises $300 million")]
    [InlineData("Acme Rocketry sued", "Acme Rocketry sued again")]
    [InlineData("Acme Rocketry makes Forbes Cloud 100 list for second year", "Acme Rocketry makes Forbes Cloud 100 list for third year")]
    public void The_same_clients_different_stories_are_apart(string a, string b) =>
        Assert.False(NearDuplicates.IsSameStory(a, b, "Acme Rocketry"), $"{a} | {b}");

    [Fact]
    public void The_clients_name_is_not_what_makes_two_titles_alike()
    {
        // Without the name, one word is left in common: not enough.
        Assert.False(NearDuplicates.IsSameStory("Acme Rocketry Holdings reports results", "Acme Rocketry Holdings names new chair", "Acme Rocketry Holdings"));
        Assert.Empty(NearDuplicates.Of("Acme Rocketry's", "Acme Rocketry").Words);
    }

    [Theory]
    [InlineData("$50M", "$50 million")]
    [InlineData("$1.2bn", "$1,200 million")]
    [InlineData("€38,000", "€38k")]
    [InlineData("12%", "12 percent")]
    [InlineData("five", "5")]
    public void An_amount_is_one_fact_however_it_is_written(string a, string b) =>
        Assert.Equal(NearDuplicates.Of($"Acme raises {a}", "Acme").Facts, NearDuplicates.Of($"Acme raises {b}", "Acme").Facts);

    [Fact]
    public void On_the_built_pairs_precision_is_at_least_095_and_recall_at_least_090()
    {
        var pairs = File.ReadLines(Path.Combine(AppContext.BaseDirectory, "monitoring", "near-duplicate-pairs.jsonl"))
            .Select(line => JsonSerializer.Deserialize<Pair>(line, JsonSerializerOptions.Web)!).ToList();
        Assert.True(pairs.Count(p => p.Same) >= 150 && pairs.Count(p => !p.Same) >= 300, "the set is smaller than built");
        var scored = pairs.Select(p => (Pair: p, Score: NearDuplicates.Similarity(NearDuplicates.Of(p.A, p.Client), NearDuplicates.Of(p.B, p.Client)))).ToList();

        output.WriteLine($"{pairs.Count(p => p.Same)} same-story pairs, {pairs.Count(p => !p.Same)} different-story pairs");
        output.WriteLine("| threshold | precision | recall | false merges | missed |");
        output.WriteLine("|---|---|---|---|---|");
        foreach (var threshold in new[] { 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9 })
        {
            var (precision, recall, falseMerges, missed) = Figures(scored, threshold);
            output.WriteLine($"| {threshold:0.00}{(threshold == NearDuplicates.Threshold ? " (used)" : "")} | {precision:0.000} | {recall:0.000} | {falseMerges} | {missed} |");
        }
        foreach (var kind in pairs.Select(p => p.Kind).Distinct())
            output.WriteLine($"{kind}: {scored.Count(s => s.Pair.Kind == kind && s.Pair.Same != s.Score >= NearDuplicates.Threshold)} wrong of {scored.Count(s => s.Pair.Kind == kind)}");
        foreach (var (pair, score) in scored.Where(s => s.Pair.Same != s.Score >= NearDuplicates.Threshold))
            output.WriteLine($"{(pair.Same ? "missed" : "merged")} {score:0.00}: {pair.A} | {pair.B}");

        var figures = Figures(scored, NearDuplicates.Threshold);
        Assert.True(figures.Precision >= 0.95, $"precision {figures.Precision:0.000}");
        Assert.True(figures.Recall >= 0.90, $"recall {figures.Recall:0.000}");
    }

    private static (double Precision, double Recall, int FalseMerges, int Missed) Figures(List<(Pair Pair, double Score)> scored, double threshold)
    {
        var merged = scored.Where(s => s.Score >= threshold).ToList();
        var right = merged.Count(s => s.Pair.Same);
        var same = scored.Count(s => s.Pair.Same);
        return (merged.Count == 0 ? 1 : (double)right / merged.Count, (double)right / same, merged.Count - right, same - right);
    }

    private sealed record Pair(string A, string B, string Client, bool Same, string Kind);
}
