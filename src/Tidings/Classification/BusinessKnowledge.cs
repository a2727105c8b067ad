using Tidings.Categories;

namespace Tidings.Classification;

/// <summary>One live category as the classifier sees it.</summary>
public sealed record TaxonomyEntry(string Key, string? Parent, string Signal, double Weight, string Name, string? Description);

/// <summary>A labelled example of a business (a correction or confirmation), as the classifier learns from it.</summary>
public sealed record LearnedExample(Guid Id, string Category, string? Subcategory, string Title, string? Description, string? ClientName);

/// <summary>
/// What one business's classifications know: its live taxonomy and its labelled examples. The default (no business)
/// is the default taxonomy with no examples. The classifier may attach what it derives from the examples
/// (<see cref="Memory"/>), computed once per version of the knowledge.
/// </summary>
public sealed class BusinessKnowledge
{
    public BusinessKnowledge(IReadOnlyList<TaxonomyEntry> categories, IReadOnlyList<LearnedExample> examples)
    {
        Categories = categories;
        Examples = examples;
        _byKey = categories.ToDictionary(c => c.Key, StringComparer.Ordinal);
    }

    private readonly Dictionary<string, TaxonomyEntry> _byKey;

    public IReadOnlyList<TaxonomyEntry> Categories { get; }
    public IReadOnlyList<LearnedExample> Examples { get; }

    /// <summary>The classifier's own derived state for these examples (embeddings); set by it, opaque to others.</summary>
    internal object? Memory { get; set; }

    public static BusinessKnowledge Default { get; } = new(
        DefaultTaxonomy.Entries.Select(e => new TaxonomyEntry(e.Key, e.Parent, e.Signal, e.Weight, e.Name, e.Description)).ToList(), []);

    public bool IsLive(string key) => _byKey.ContainsKey(key);

    public TaxonomyEntry? Find(string key) => _byKey.GetValueOrDefault(key);

    /// <summary>Where an event goes when the classifier's answer is not a live category of the business: "other", else its first top-level category.</summary>
    public string Fallback => _byKey.ContainsKey("other") ? "other" : Categories.FirstOrDefault(c => c.Parent is null)?.Key ?? "other";
}
