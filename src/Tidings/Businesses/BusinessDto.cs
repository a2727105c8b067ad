namespace Tidings.Businesses;

/// <summary>A business and its settings, as its people see it (GET /api/business, and inside /api/me).</summary>
public sealed record BusinessDto(Guid Id, string Name, string Slug, double NotificationRelevanceThreshold, int MaxTokenLifetimeDays,
    double ReviewConfidenceThreshold, bool HealthScoreFromNews)
{
    public static BusinessDto Of(Business b) => new(b.Id, b.Name, b.Slug, b.NotificationRelevanceThreshold, b.MaxTokenLifetimeDays,
        b.ReviewConfidenceThreshold, b.HealthScoreFromNews);
}
