namespace Tidings.Businesses;

/// <summary>A business and its settings, as its people see it (GET /api/business, and inside /api/me).</summary>
public sealed record BusinessDto(Guid Id, string Name, string Slug, double NotificationRelevanceThreshold, int MaxTokenLifetimeDays,
    double ReviewConfidenceThreshold, bool HealthScoreFromNews)
{
    public static BusinessDto Of(Business b) => new(b.Id, b.Name, b.Slug, b.NotificationRelevanceThreshold, b.MaxTokenLifetimeDays,
        b.ReviewConfidenceThreshold, b.HealthScoreFromNews);
}

/// <summary>What a change of the business's settings sets: a field whose Has flag is false stays as it is (merge-patch).</summary>
public sealed record BusinessEdit(bool HasName = false, string? Name = null,
    bool HasNotificationRelevanceThreshold = false, double? NotificationRelevanceThreshold = null,
    bool HasMaxTokenLifetimeDays = false, int? MaxTokenLifetimeDays = null,
    bool HasReviewConfidenceThreshold = false, double? ReviewConfidenceThreshold = null,
    bool HasHealthScoreFromNews = false, bool? HealthScoreFromNews = null);
