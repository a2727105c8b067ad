namespace Tidings.Classification;

/// <summary>What the classifier reads of an event.</summary>
public sealed record Headline(string Title, string? Description = null, string? ClientName = null, DateTime? EventDate = null);

/// <summary>What the classifier says of it.</summary>
/// <param name="Confidence">A calibrated probability that <paramref name="Category"/> is right.</param>
/// <param name="Relevance">How much an account team should care, 0..1: the category's weight, the client as subject or mention, recency.</param>
/// <param name="Sentiment">-1 (bad news for the client) .. 1 (good news).</param>
/// <param name="Evidence">The phrase or the nearest labelled examples that decided it, short enough for a feed line.</param>
public sealed record Verdict(string Category, string? Subcategory, double Confidence, double Relevance, double Sentiment, string Evidence);

/// <summary>
/// INTERIM: the classifier's public surface with a keyword body, so the features that call it can be built while the
/// trained model lands (it replaces this file).
/// </summary>
public sealed class HeadlineClassifier
{
    public string Version => "tidings-classifier/0-interim";

    public IReadOnlyList<Verdict> Classify(IReadOnlyList<Headline> headlines, BusinessKnowledge knowledge, DateTime now)
    {
        var result = new List<Verdict>(headlines.Count);
        foreach (var h in headlines)
        {
            var text = (h.Title + " " + h.Description).ToLowerInvariant();
            var learned = knowledge.Examples.FirstOrDefault(e => Overlap(e.Title.ToLowerInvariant(), text) >= 0.5);
            var key = learned?.Category
                ?? (text.Contains("raise") || text.Contains("funding") ? "funding"
                : text.Contains("acquire") ? "acquisition"
                : text.Contains("ceo") ? "leadership_change"
                : text.Contains("jobs") || text.Contains("layoff") ? "layoffs"
                : text.Contains("lawsuit") || text.Contains("sue") ? "legal"
                : "other");
            if (!knowledge.IsLive(key))
                key = knowledge.Fallback;
            var entry = knowledge.Find(key)!;
            result.Add(new Verdict(key, null, learned is null ? 0.7 : 0.9, entry.Weight, entry.Signal == "risk" ? -0.5 : entry.Signal == "growth" ? 0.5 : 0,
                learned is null ? "interim keyword" : "like: " + learned.Title));
        }
        return result;
    }

    private static double Overlap(string a, string b)
    {
        var x = a.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        var y = b.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        return x.Count == 0 ? 0 : (double)x.Intersect(y).Count() / x.Count;
    }
}
