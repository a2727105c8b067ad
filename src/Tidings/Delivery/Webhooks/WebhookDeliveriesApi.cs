using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Tidings.Data;
using Tidings.Delivery.Outbox;
using Tidings.Users;
using Tidings.Web;

namespace Tidings.Delivery.Webhooks;

/// <param name="MessageId">The webhook-id the receiver saw: the same on every attempt of one message.</param>
/// <param name="MessageState">Where the message stands now: pending (with its next attempt), delivered or failed.</param>
public sealed record WebhookDeliveryDto(Guid Id, string MessageId, string Type, int Attempt, bool Succeeded, int? StatusCode, int DurationMs,
    string? Error, string? ResponseExcerpt, bool IsTest, DateTime CreatedAt, string? MessageState, DateTime? NextAttemptAt);

/// <summary>A retry asked for: the attempt whose message is due again, or why it may not be sent again (409), in words.</summary>
public sealed record WebhookRetry(WebhookDeliveryDto? Delivery, WebhookRetryRefusal? Refusal)
{
    public static WebhookRetry Refused(string title, string detail) => new(null, new WebhookRetryRefusal(title, detail));
}

public sealed record WebhookRetryRefusal(string Title, string Detail);

/// <summary>The sort key of an endpoint's delivery log: newest first, then id.</summary>
public sealed record WebhookDeliveryCursor(DateTime CreatedAt, Guid Id);

/// <summary>
/// An endpoint's delivery log, for its admins: every attempt with what the receiver answered, a retry of a message now,
/// and a test message sent at once (answered with how it went) to check a receiver before relying on it.
/// </summary>
public static class WebhookDeliveriesApi
{
    public static IEndpointRouteBuilder MapWebhookDeliveriesApi(this IEndpointRouteBuilder app)
    {
        var webhook = app.MapGroup("/api/webhooks/{id}").WithTags("Webhooks").RequireAuthorization(Policies.Admin);
        webhook.MapGet("/deliveries", ListAsync).WithName("ListWebhookDeliveries")
            .WithSummary("The endpoint's delivery attempts, newest first (keyset cursor), each with the answer's status, duration and first 1 KB (admin).")
            .Produces<Page<WebhookDeliveryDto>>().ProducesValidationProblem();
        webhook.MapPost("/deliveries/{deliveryId}/retry", RetryAsync).WithName("RetryWebhookDelivery")
            .WithSummary("Send the message of this attempt again now, under the same webhook-id (admin); 409 while the endpoint is disabled.")
            .Produces<WebhookDeliveryDto>(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status409Conflict);
        webhook.MapPost("/test", TestAsync).WithName("TestWebhook")
            .WithSummary("Send a signed test message (type webhook.test) now, disabled or not, and answer how it went; logged as a test (admin).")
            .Produces<WebhookDeliveryDto>();
        return app;
    }

    private static async Task<IResult> ListAsync(Guid id, TidingsDbContext db, int? limit, string? cursor, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var take = Paging.Limit(limit, errors);
        if (errors.Any)
            return errors.Problem();
        if (!await db.Webhooks.AnyAsync(w => w.Id == id, ct))
            return TypedResults.NotFound();
        return TypedResults.Ok(await PageAsync(db, id, take, Paging.Decode<WebhookDeliveryCursor>(cursor), ct));
    }

    /// <summary>A page of an endpoint's delivery log, newest first, each attempt with where its message stands now.</summary>
    public static async Task<Page<WebhookDeliveryDto>> PageAsync(TidingsDbContext db, Guid webhookId, int take, WebhookDeliveryCursor? after,
        CancellationToken ct)
    {
        var query = db.WebhookDeliveries.AsNoTracking().Where(d => d.WebhookId == webhookId);
        if (after is not null)
        {
            var createdAt = DateTime.SpecifyKind(after.CreatedAt, DateTimeKind.Utc);
            query = query.Where(d => d.CreatedAt < createdAt || (d.CreatedAt == createdAt && d.Id.CompareTo(after.Id) < 0));
        }
        var deliveries = await query.OrderByDescending(d => d.CreatedAt).ThenByDescending(d => d.Id).Take(take + 1).ToListAsync(ct);
        var messageIds = deliveries.Select(d => d.MessageId).Distinct().ToList();
        var messages = await db.OutboxMessages.AsNoTracking().Where(m => messageIds.Contains(m.Id))
            .Select(m => new { m.Id, m.State, m.NextAttemptAt }).ToDictionaryAsync(m => m.Id, ct);
        var rows = deliveries.Select(d => messages.TryGetValue(d.MessageId, out var m) ? new Row(d, m.State, m.NextAttemptAt) : new Row(d, null, null)).ToList();
        return Paging.Of(rows, take, ToDto, r => Paging.Encode(new WebhookDeliveryCursor(r.Delivery.CreatedAt, r.Delivery.Id)));
    }

    private sealed record Row(WebhookDelivery Delivery, string? State, DateTime? NextAttemptAt);

    private static async Task<IResult> RetryAsync(Guid id, Guid deliveryId, TidingsDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var retry = await RetryNowAsync(db, id, deliveryId, clock, ct);
        if (retry is null)
            return TypedResults.NotFound();
        if (retry.Refusal is { } refusal)
            return TypedResults.Problem(title: refusal.Title, detail: refusal.Detail, statusCode: StatusCodes.Status409Conflict);
        return TypedResults.Accepted($"/api/webhooks/{id}/deliveries", retry.Delivery);
    }

    /// <summary>
    /// The retry of an attempt's message by the API's rules (the route's and the web page's): null when the endpoint or the attempt is not
    /// the business's (404), a refusal in words while it may not be sent again (409), else the attempt with its message due now (202).
    /// </summary>
    public static async Task<WebhookRetry?> RetryNowAsync(TidingsDbContext db, Guid id, Guid deliveryId, TimeProvider clock, CancellationToken ct)
    {
        var webhook = await db.Webhooks.AsNoTracking().SingleOrDefaultAsync(w => w.Id == id, ct);
        var delivery = webhook is null ? null : await db.WebhookDeliveries.AsNoTracking().SingleOrDefaultAsync(d => d.Id == deliveryId && d.WebhookId == id, ct);
        var message = delivery is null ? null : await db.OutboxMessages.SingleOrDefaultAsync(m => m.Id == delivery.MessageId, ct);
        if (webhook is null || delivery is null)
            return null;
        if (delivery.IsTest)
            return WebhookRetry.Refused("A test message", "Test messages are not retried: send another with POST /api/webhooks/{id}/test.");
        if (message is null)
            return WebhookRetry.Refused("No longer kept", "This message is past the delivery records' retention and cannot be sent again.");
        if (!webhook.IsEnabled)
            return WebhookRetry.Refused("Endpoint disabled", $"Enable the endpoint first (PATCH enabled: true). It was disabled: {webhook.DisabledReason}");
        if (message.ClaimedUntil is { } until && until > StoredTime.Now(clock) && message.State == OutboxStates.Pending)
            return WebhookRetry.Refused("Being delivered", "This message is being delivered right now; look at the log again in a moment.");
        // Asked for by a person: the message starts a new series of attempts, under its same id.
        message.State = OutboxStates.Pending;
        message.Attempts = 0;
        message.NextAttemptAt = StoredTime.Now(clock);
        message.LastError = null;
        message.DeliveredAt = null;
        await db.SaveChangesAsync(ct);
        OutboxSignal.Pulse();
        return new WebhookRetry(ToDto(new Row(delivery, message.State, message.NextAttemptAt)), null);
    }

    private static async Task<Results<Ok<WebhookDeliveryDto>, NotFound>> TestAsync(Guid id, TidingsDbContext db, WebhookSender sender, DeliverySettings settings, TimeProvider clock,
        CancellationToken ct)
    {
        var webhook = await db.Webhooks.AsNoTracking().SingleOrDefaultAsync(w => w.Id == id, ct);
        if (webhook is null)
            return TypedResults.NotFound();
        return TypedResults.Ok(await SendTestAsync(db, webhook, sender, settings, clock, ct));
    }

    /// <summary>Sends a signed test message to the endpoint now, disabled or not, logs the attempt as a test and answers how it went.</summary>
    public static async Task<WebhookDeliveryDto> SendTestAsync(TidingsDbContext db, Webhook webhook, WebhookSender sender, DeliverySettings settings,
        TimeProvider clock, CancellationToken ct)
    {
        var now = StoredTime.Now(clock);
        var message = new OutboxMessage
        {
            Channel = OutboxChannels.Webhook, WebhookId = webhook.Id, Type = "webhook.test", Payload = WebhookMessages.Test(now), NextAttemptAt = now,
        };
        var body = webhook.Format == WebhookFormats.Slack ? WebhookMessages.Slack(message.Payload, settings.BaseUrl) : message.Payload;
        var sent = await sender.SendAsync(webhook.Url, webhook.Format, webhook.SigningSecrets, WebhookMessages.Id(message.Id), body, ct);
        var delivery = OutboxOutcomes.Log(message, attempt: 1, sent, isTest: true);
        db.WebhookDeliveries.Add(delivery);
        await db.SaveChangesAsync(ct);
        return ToDto(new Row(delivery, null, null));
    }

    private static WebhookDeliveryDto ToDto(Row r) => new(r.Delivery.Id, WebhookMessages.Id(r.Delivery.MessageId), r.Delivery.Type, r.Delivery.Attempt,
        r.Delivery.Succeeded, r.Delivery.StatusCode, r.Delivery.DurationMs, r.Delivery.Error, r.Delivery.ResponseExcerpt, r.Delivery.IsTest,
        r.Delivery.CreatedAt, r.State, r.State == OutboxStates.Pending ? r.NextAttemptAt : null);
}
