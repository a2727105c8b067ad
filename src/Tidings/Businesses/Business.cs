using Tidings.Data.Auditing;

namespace Tidings.Businesses;

/// <summary>The tenant: one company using Tidings for the clients it serves.</summary>
public sealed class Business : ITimestamped
{
    public const double DefaultNotificationRelevanceThreshold = 0.8;

    public Guid Id { get; init; } = Guid.CreateVersion7();
    public required string Name { get; set; }
    public required string Slug { get; set; }

    /// <summary>Events at or above this relevance notify the client's assigned user.</summary>
    public double NotificationRelevanceThreshold { get; set; } = DefaultNotificationRelevanceThreshold;

    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}
