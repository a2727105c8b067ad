using Microsoft.EntityFrameworkCore;
using Tidings.Data;
using Tidings.Data.SoftDelete;
using Tidings.Delivery.Webhooks;
using Tidings.Notifications;

namespace Tidings.Delivery.Outbox;

/// <summary>
/// Writes what one claim's deliveries came to, in the business's unit of work: each message delivered, rescheduled
/// with back-off, or given up, its claim released (only where this process still holds it); each webhook attempt in
/// the delivery log; each endpoint's run of failures. An endpoint that answered 410 Gone, whose address is refused, or
/// whose message failed for a day is disabled with its reason, and the business's admins are told, once.
/// </summary>
public static class OutboxOutcomes
{
    public static async Task<Dictionary<Guid, Webhook>> EndpointsAsync(TidingsDbContext db, IReadOnlyList<OutboxMessage> messages, CancellationToken ct)
    {
        var ids = messages.Where(m => m.WebhookId is not null).Select(m => m.WebhookId!.Value).Distinct().ToList();
        return ids.Count == 0 ? [] : await db.Webhooks.AsNoTracking().Where(w => ids.Contains(w.Id)).ToDictionaryAsync(w => w.Id, ct);
    }

    /// <summary>When a message that failed its <paramref name="attempts"/>th attempt is tried again; null once retries are over.</summary>
    public static DateTime? NextAttempt(DateTime now, int attempts, TimeSpan? retryAfter, double random)
    {
        if (attempts > DeliverySettings.RetryDelays.Count)
            return null;
        var delay = DeliverySettings.RetryDelays[attempts - 1] * (0.9 + 0.2 * random);
        if (retryAfter is { } asked && asked > delay)
            delay = asked < DeliverySettings.RetryDelays[^1] ? asked : DeliverySettings.RetryDelays[^1];
        return StoredTime.Of(now + delay);
    }

    public static async Task<DispatchTotals> WriteAsync(TidingsDbContext db, string process, IReadOnlyList<DeliveryAttempt> attempts, DateTime now,
        CancellationToken ct)
    {
        return await db.InTransactionAsync(async token =>
        {
            // Counted inside the unit: a transient fault runs it again from the start.
            var totals = new DispatchTotals();
            var disabling = new Dictionary<Guid, string>();
            using (db.AllowDirectWrites("dispatcher: delivery state of outbox messages and endpoints' failure counts (delivery records)"))
            {
                var delivered = attempts.Where(a => a.Result is { Delivered: true, Dropped: false }).Select(a => a.Message.Id).ToList();
                if (delivered.Count > 0)
                    await Held(db, process, delivered).ExecuteUpdateAsync(s => s
                        .SetProperty(m => m.State, OutboxStates.Delivered).SetProperty(m => m.DeliveredAt, now)
                        .SetProperty(m => m.Attempts, m => m.Attempts + 1).SetProperty(m => m.LastError, (string?)null)
                        .SetProperty(m => m.ClaimedBy, (string?)null).SetProperty(m => m.ClaimedUntil, (DateTime?)null), token);
                totals += new DispatchTotals(Delivered: delivered.Count);
                foreach (var attempt in attempts.Where(a => a.Result is not { Delivered: true, Dropped: false }))
                {
                    var message = attempt.Message;
                    var result = attempt.Result;
                    var tries = message.Attempts + 1;
                    var next = result.Dropped || result.Permanent ? null : NextAttempt(now, tries, result.RetryAfter, Random.Shared.NextDouble());
                    var state = result.Dropped ? OutboxStates.Delivered : next is null ? OutboxStates.Failed : OutboxStates.Pending;
                    var error = StorableText.Cut(result.Error ?? "", OutboxMessage.MaxErrorLength);
                    await Held(db, process, [message.Id]).ExecuteUpdateAsync(s => s
                        .SetProperty(m => m.State, state).SetProperty(m => m.Attempts, tries)
                        .SetProperty(m => m.NextAttemptAt, m => next ?? m.NextAttemptAt).SetProperty(m => m.LastError, error)
                        .SetProperty(m => m.ClaimedBy, (string?)null).SetProperty(m => m.ClaimedUntil, (DateTime?)null), token);
                    totals += result.Dropped ? new DispatchTotals(Skipped: 1) : next is null ? new DispatchTotals(Failed: 1) : new DispatchTotals(Retrying: 1);
                    // An endpoint gone for good, or failing for a day, is turned off rather than tried for ever.
                    if (attempt.Webhook is not null && message.WebhookId is { } webhookId && !result.Dropped && next is null)
                        disabling.TryAdd(webhookId, result.Permanent
                            ? $"Disabled after a delivery failed for good: {result.Error}"
                            : $"Disabled after a message failed {tries} times over a day. The last attempt: {result.Error}");
                }
                await CountFailuresAsync(db, attempts, token);
            }
            foreach (var attempt in attempts.Where(a => a.Webhook is not null))
                db.WebhookDeliveries.Add(Log(attempt.Message, attempt.Message.Attempts + 1, attempt.Webhook!, isTest: false));
            await DisableAsync(db, disabling, token);
            await db.SaveChangesAsync(token);
            return totals;
        }, ct);
    }

    /// <summary>What the delivery log keeps of one attempt.</summary>
    public static WebhookDelivery Log(OutboxMessage message, int attempt, WebhookAttempt sent, bool isTest) => new()
    {
        WebhookId = message.WebhookId!.Value,
        MessageId = message.Id,
        Type = message.Type,
        Attempt = attempt,
        Succeeded = sent.Delivered,
        StatusCode = sent.StatusCode,
        DurationMs = (int)Math.Min(int.MaxValue, Math.Round(sent.Duration.TotalMilliseconds)),
        Error = sent.Error is null ? null : StorableText.Cut(sent.Error, WebhookDelivery.MaxErrorLength),
        ResponseExcerpt = sent.ResponseExcerpt is null ? null : StorableText.Cut(sent.ResponseExcerpt, WebhookDelivery.MaxExcerptLength),
        IsTest = isTest,
    };

    private static IQueryable<OutboxMessage> Held(TidingsDbContext db, string process, List<Guid> ids) =>
        db.OutboxMessages.Where(m => ids.Contains(m.Id) && m.ClaimedBy == process);

    private static async Task CountFailuresAsync(TidingsDbContext db, IReadOnlyList<DeliveryAttempt> attempts, CancellationToken ct)
    {
        foreach (var endpoint in attempts.Where(a => a.Webhook is not null).GroupBy(a => a.Message.WebhookId!.Value))
        {
            // The run of failures up to now: the last success in this batch resets it.
            var ordered = endpoint.OrderBy(a => a.Message.NextAttemptAt).ThenBy(a => a.Message.Id).ToList();
            var lastSuccess = ordered.FindLastIndex(a => a.Webhook!.Delivered);
            var failuresAfter = ordered.Count - 1 - lastSuccess;
            var webhookId = endpoint.Key;
            if (lastSuccess >= 0)
                await db.Webhooks.Where(w => w.Id == webhookId).ExecuteUpdateAsync(s => s.SetProperty(w => w.ConsecutiveFailures, failuresAfter), ct);
            else
                await db.Webhooks.Where(w => w.Id == webhookId).ExecuteUpdateAsync(s => s.SetProperty(w => w.ConsecutiveFailures, w => w.ConsecutiveFailures + failuresAfter), ct);
        }
    }

    private static async Task DisableAsync(TidingsDbContext db, Dictionary<Guid, string> disabling, CancellationToken ct)
    {
        if (disabling.Count == 0)
            return;
        var ids = disabling.Keys.ToList();
        var webhooks = await db.Webhooks.Where(w => ids.Contains(w.Id) && w.IsEnabled).ToListAsync(ct);
        if (webhooks.Count == 0)
            return;
        var admins = await Notifier.AdminIdsAsync(db, ct);
        foreach (var webhook in webhooks)
        {
            webhook.IsEnabled = false;
            webhook.DisabledReason = StorableText.Cut(disabling[webhook.Id], 1000);
            Notifier.WebhookDisabled(db, webhook, admins);
        }
    }
}
