using Tidings.Events;

namespace Tidings.Classification;

/// <summary>How what the classifier says becomes an event's label, and when a label waits for a person.</summary>
public static class EventLabels
{
    /// <summary>
    /// Writes the verdict's category, subcategory, confidence and evidence on the event, as labelled by
    /// <paramref name="version"/>; answers whether the category or subcategory changed. A subcategory the classifier
    /// answers as the category goes under its parent, as events store them.
    /// </summary>
    public static bool Apply(Event ev, Verdict verdict, BusinessKnowledge knowledge, string version)
    {
        var (category, subcategory) = knowledge.Find(verdict.Category) is { Parent: { } parent }
            ? (parent, verdict.Category)
            : (verdict.Category, verdict.Subcategory);
        var changed = ev.Category != category || ev.Subcategory != subcategory;
        ev.Category = category;
        ev.Subcategory = subcategory;
        ev.ConfidenceScore = Math.Clamp(verdict.Confidence, 0, 1);
        ev.ClassificationEvidence = verdict.Evidence;
        ev.ClassifiedBy = version;
        return changed;
    }

    /// <summary>
    /// Whether a label waits for a person's review: the classifier chose it, less sure than the business's threshold.
    /// EventFeed filters by the same rule in SQL.
    /// </summary>
    public static bool NeedsReview(string? classifiedBy, double? confidence, double threshold) =>
        ClassifiedBy.IsClassifier(classifiedBy) && confidence < threshold;
}
