using Tidings.Data.Auditing;
using Tidings.Data.Tenancy;

namespace Tidings.Delivery.Outbox;

/// <summary>
/// Something a committed change must send (a webhook message, an e-mail), written in the change's own transaction and
/// delivered afterwards by the dispatcher: a rolled-back change leaves none, a committed one is delivered even if the
/// process dies right after. Its id is the message's id on every attempt (webhook-id, Message-Id), so a receiver can
/// recognise a retry. Not audited row by row: the change that made it is, and the delivery log records each attempt.
/// </summary>
public sealed class OutboxMessage : ITenantOwned, ICreatedAt, INotAudited
{
    public const int MaxErrorLength = 1000;

    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid BusinessId { get; set; }

    /// <summary><see cref="OutboxChannels"/>: a webhook POST or an e-mail.</summary>
    public required string Channel { get; set; }
    /// <summary>The endpoint, for a webhook message.</summary>
    public Guid? WebhookId { get; set; }
    /// <summary>The recipient, for an e-mail.</summary>
    public Guid? UserId { get; set; }
    /// <summary>What it is about: a webhook event type (event.created...), or notification / digest for an e-mail.</summary>
    public required string Type { get; set; }
    /// <summary>What is sent, made when the change committed: the webhook body, or the composed e-mail as JSON.</summary>
    public required string Payload { get; set; }

    /// <summary><see cref="OutboxStates"/>.</summary>
    public string State { get; set; } = OutboxStates.Pending;
    public int Attempts { get; set; }
    /// <summary>When it is next due; a failure moves it later (exponential back-off).</summary>
    public DateTime NextAttemptAt { get; set; }
    public string? LastError { get; set; }
    public DateTime? DeliveredAt { get; set; }

    /// <summary>The dispatcher process holding it, until when: a crashed holder's lease runs out and another takes it.</summary>
    public string? ClaimedBy { get; set; }
    public DateTime? ClaimedUntil { get; set; }

    public DateTime CreatedAt { get; set; }
}

public static class OutboxChannels
{
    public const string Webhook = "webhook";
    public const string Email = "email";
}

public static class OutboxStates
{
    /// <summary>Waiting for its first or next attempt.</summary>
    public const string Pending = "pending";
    public const string Delivered = "delivered";
    /// <summary>Given up: a permanent refusal, retries over a day exhausted, or its endpoint or recipient gone.</summary>
    public const string Failed = "failed";
}
