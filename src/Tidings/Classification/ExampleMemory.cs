namespace Tidings.Classification;

/// <summary>
/// A business's labelled examples as the classifier compares headlines with them: each example's masked text as a
/// centred MiniLM embedding and as TF-IDF. A headline's closeness to a category is the mean of its three best
/// similarities (half embedding cosine, half TF-IDF cosine) to that category's examples; it takes the category when
/// that clears the category's own threshold, lower for a category whose examples differ among themselves (launches of
/// a phone, a snack and a robot share a verb, not a topic). Built once per version of the business's knowledge; the
/// vectors of examples seen before are kept, so a new correction costs one embedding.
/// </summary>
internal sealed class ExampleMemory
{
    /// <summary>A category needs at least this closeness to take a headline from the model, and never more than <see cref="HighestThreshold"/>.</summary>
    public const double LowestThreshold = 0.24, HighestThreshold = 0.40;

    /// <summary>The threshold is this share of how alike the category's own examples are.</summary>
    private const double ThresholdShare = 0.75;

    private const int Neighbours = 3;

    private sealed record Item(LearnedExample Example, float[] Centred, SparseVector Text);

    private readonly IReadOnlyList<LearnedExample> _examples;
    private readonly Dictionary<string, (float[] Centred, SparseVector Text)> _vectors;
    private readonly Dictionary<string, List<Item>> _byCategory = new(StringComparer.Ordinal);
    private readonly Dictionary<string, double> _threshold = new(StringComparer.Ordinal);
    private readonly ClassifierModel _model;

    private ExampleMemory(IReadOnlyList<LearnedExample> examples, Dictionary<string, (float[], SparseVector)> vectors, ClassifierModel model)
    {
        _examples = examples;
        _vectors = vectors;
        _model = model;
    }

    /// <summary>The memory of the knowledge's examples, or null when it has none.</summary>
    public static ExampleMemory? Of(BusinessKnowledge knowledge, ClassifierModel model)
    {
        if (knowledge.Examples.Count == 0)
            return null;
        lock (knowledge)
        {
            if (knowledge.Memory is ExampleMemory current && ReferenceEquals(current._examples, knowledge.Examples) && current._model == model)
                return current;
            var known = knowledge.Memory is ExampleMemory previous && previous._model == model ? previous._vectors : [];
            var vectors = new Dictionary<string, (float[], SparseVector)>(StringComparer.Ordinal);
            var texts = knowledge.Examples.Select(e => HeadlineClassifier.Mask(HeadlineClassifier.TextOf(e.Title, e.Description), e.ClientName)).ToList();
            var missing = texts.Distinct().Where(t => !known.ContainsKey(t)).ToList();
            var embedded = MiniLmEmbedder.Shared.Embed(missing);
            for (var i = 0; i < missing.Count; i++)
                vectors[missing[i]] = (Centre(embedded[i], model), model.Text.Transform(missing[i]));
            foreach (var t in texts)
                if (!vectors.ContainsKey(t))
                    vectors[t] = known[t];

            var memory = new ExampleMemory(knowledge.Examples, vectors, model);
            for (var i = 0; i < texts.Count; i++)
            {
                var example = knowledge.Examples[i];
                if (!knowledge.IsLive(example.Category))
                    continue;
                var (centred, text) = vectors[texts[i]];
                if (!memory._byCategory.TryGetValue(example.Category, out var items))
                    memory._byCategory[example.Category] = items = [];
                items.Add(new Item(example, centred, text));
            }
            foreach (var (category, items) in memory._byCategory)
                memory._threshold[category] = Threshold(items);
            knowledge.Memory = memory;
            return memory;
        }
    }

    /// <summary>
    /// The category the examples give the headline, when one is close enough: its key, the nearest example's
    /// subcategory, a confidence, and the nearest example as evidence. Null when none is.
    /// </summary>
    public (string Category, string? Subcategory, double Confidence, string Evidence)? Nearest(string maskedText, float[] embedding, string modelCategory)
    {
        var centred = Centre(embedding, _model);
        var text = _model.Text.Transform(maskedText);
        (string Category, double Margin, double Score, Item Nearest)? best = null;
        foreach (var (category, items) in _byCategory)
        {
            var scored = items.Select(item => (Item: item, Similarity: Similarity(centred, text, item.Centred, item.Text)))
                .OrderByDescending(s => s.Similarity).Take(Neighbours).ToList();
            var score = scored.Average(s => s.Similarity);
            var margin = score - _threshold[category];
            if (margin >= 0 && (best is null || margin > best.Value.Margin))
                best = (category, margin, score, scored[0].Item);
        }
        if (best is not { } chosen)
            return null;
        // Uncalibrated until a business has corrections enough to measure it: from a half at the threshold towards 0.95.
        var confidence = Math.Min(0.95, 0.5 + 1.5 * chosen.Margin);
        var evidence = $"like \"{chosen.Nearest.Example.Title}\" (similarity {chosen.Score:F2})";
        var subcategory = chosen.Category == modelCategory || chosen.Nearest.Example.Subcategory is not null ? chosen.Nearest.Example.Subcategory : null;
        return (chosen.Category, subcategory, confidence, evidence);
    }

    private static double Similarity(float[] centredA, SparseVector textA, float[] centredB, SparseVector textB)
    {
        double cosine = 0;
        for (var d = 0; d < centredA.Length; d++)
            cosine += centredA[d] * centredB[d];
        // Two unit-length blocks (words, characters): their dot product is at most 2.
        return 0.5 * cosine + 0.5 * SparseVector.Dot(textA, textB) / 2;
    }

    private static double Threshold(List<Item> items)
    {
        if (items.Count < 2)
            return HighestThreshold;
        double sum = 0;
        var pairs = 0;
        for (var i = 0; i < items.Count; i++)
            for (var j = i + 1; j < items.Count; j++)
            {
                sum += Similarity(items[i].Centred, items[i].Text, items[j].Centred, items[j].Text);
                pairs++;
            }
        return Math.Clamp(ThresholdShare * sum / pairs, LowestThreshold, HighestThreshold);
    }

    private static float[] Centre(float[] embedding, ClassifierModel model)
    {
        var centred = new float[embedding.Length];
        for (var d = 0; d < centred.Length; d++)
            centred[d] = embedding[d] - model.EmbeddingMean[d];
        MiniLmEmbedder.Normalise(centred);
        return centred;
    }
}
