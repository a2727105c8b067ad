namespace Tidings.Classification;

/// <summary>The values of events.classified_by besides a classifier version.</summary>
public static class ClassifiedBy
{
    /// <summary>A member set or confirmed the category: the classifier never relabels it.</summary>
    public const string Person = "person";

    public const int MaxEvidenceLength = 300;

    /// <summary>Whether the classifier chose the category (a version string), not a person or the event's sender.</summary>
    public static bool IsClassifier(string? classifiedBy) => classifiedBy is not null && classifiedBy != Person;
}
