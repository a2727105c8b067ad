namespace Tidings.Delivery.Webhooks;

/// <param name="Format">json (signed, Standard Webhooks) or slack (a Slack-compatible incoming webhook); json by default.</param>
/// <param name="EventTypes">What it wants: event.created, event.updated, event.deleted, notification.created, source.stopped.</param>
/// <param name="MinRelevance">Only events at least this relevant (0..1).</param>
/// <param name="Categories">Only events of these category keys.</param>
/// <param name="ClientIds">Only events of these clients.</param>
public sealed record CreateWebhookRequest(string? Url, string? Description, string? Format, List<string>? EventTypes,
    double? MinRelevance, List<string>? Categories, List<Guid>? ClientIds);

/// <summary>The fields PATCH accepts, for the OpenAPI document; rotateSecret: true answers a new secret once.</summary>
public sealed record UpdateWebhookRequest(string? Url, string? Description, string? Format, List<string>? EventTypes,
    double? MinRelevance, List<string>? Categories, List<Guid>? ClientIds, bool? Enabled, bool? RotateSecret);

/// <param name="Secret">Only in the answer that made or rotated it: keep it, it is not shown again.</param>
/// <param name="SecretRotatedUntil">While the previous secret still signs, until when.</param>
public sealed record WebhookDto(
    Guid Id, string Url, string? Description, string Format, IReadOnlyList<string> EventTypes, double? MinRelevance,
    IReadOnlyList<string>? Categories, IReadOnlyList<Guid>? ClientIds, bool Enabled, string? DisabledReason, int ConsecutiveFailures,
    DateTime? SecretRotatedUntil, string? Secret, DateTime CreatedAt, DateTime UpdatedAt)
{
    public static WebhookDto From(Webhook w, bool withSecret = false) => new(
        w.Id, w.Url, w.Description, w.Format, w.EventTypes, w.MinRelevance, w.Categories, w.ClientIds?.Select(Guid.Parse).ToList(),
        w.IsEnabled, w.DisabledReason, w.ConsecutiveFailures, w.PreviousSecretUntil, withSecret ? w.Secret : null, w.CreatedAt, w.UpdatedAt);
}

/// <summary>A value a change sets (null clears it); a change member left null is not touched, as a field a merge patch leaves out.</summary>
public sealed record Set<T>(T? Value);

/// <summary>What a change to an endpoint sets (PATCH /api/webhooks/{id} and the endpoint's page); null members stay as they are.</summary>
public sealed record WebhookChanges(Set<string>? Url, Set<string>? Description, Set<string>? Format, Set<List<string>>? EventTypes,
    Set<double?>? MinRelevance, Set<List<string>>? Categories, Set<List<Guid>>? ClientIds, Set<bool?>? Enabled, bool RotateSecret)
{
    public static WebhookChanges None { get; } = new(null, null, null, null, null, null, null, null, false);
}

/// <summary>Why a well-formed endpoint may not be saved (the API's 422), with the field it is about for a form to show it by.</summary>
public sealed record WebhookRefusal(string Field, string Message);

/// <summary>The endpoint as saved, or the refusal; neither when the request's fields were malformed (their errors say why).</summary>
public sealed record WebhookSave(Webhook? Webhook, WebhookRefusal? Refusal);
