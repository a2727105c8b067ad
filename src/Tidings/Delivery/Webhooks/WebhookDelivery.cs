using Tidings.Data.Auditing;
using Tidings.Data.Tenancy;

namespace Tidings.Delivery.Webhooks;

/// <summary>
/// One attempt to deliver one outbox message to one endpoint: what the receiver answered and how long it took. The
/// log integrators read to debug their receiver; itself the record, so not audited row by row.
/// </summary>
public sealed class WebhookDelivery : ITenantOwned, ICreatedAt, INotAudited
{
    public const int MaxExcerptLength = 1024;
    public const int MaxErrorLength = 1000;

    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid BusinessId { get; set; }
    public Guid WebhookId { get; set; }
    /// <summary>The outbox message: the webhook-id the receiver saw is msg_ and this, the same on every attempt.</summary>
    public Guid MessageId { get; set; }
    public required string Type { get; set; }
    /// <summary>1 for the first attempt of the message, and so on.</summary>
    public int Attempt { get; set; }
    public bool Succeeded { get; set; }
    /// <summary>The receiver's HTTP status, null when none came (refused, timed out, address not allowed).</summary>
    public int? StatusCode { get; set; }
    public int DurationMs { get; set; }
    /// <summary>Why it failed, in words.</summary>
    public string? Error { get; set; }
    /// <summary>The start of the answer's body, bounded.</summary>
    public string? ResponseExcerpt { get; set; }
    /// <summary>A test message sent from the API, not one of the business's events.</summary>
    public bool IsTest { get; set; }
    public DateTime CreatedAt { get; set; }
}
