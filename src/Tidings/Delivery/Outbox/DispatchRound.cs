using Tidings.Data;
using Tidings.Data.Auditing;
using Tidings.Data.Tenancy;
using Tidings.Delivery.Email;
using Tidings.Delivery.Webhooks;

namespace Tidings.Delivery.Outbox;

/// <summary>
/// One round of the dispatcher: finds the businesses with messages or digests due (DueWorkLookup, the one read across
/// businesses), and for each, under its tenant and as the system actor "dispatcher", queues the digests that are due,
/// then claims batches of due messages, delivers them in parallel (bounded across the process) and writes each
/// outcome, until the business has nothing due. Any number of processes may run rounds against one PostgreSQL or
/// Citus database: claims keep them off each other's messages.
/// </summary>
public sealed class DispatchRound(IServiceScopeFactory scopes, WebhookSender webhooks, EmailDelivery email, DeliverySettings settings,
    TimeProvider clock, ILogger<DispatchRound> log)
{
    public const string ActorName = "dispatcher";
    private const int BusinessesAtOnce = 4;
    private const int BusinessesPerLookup = 100;

    private readonly SemaphoreSlim _deliveries = new(settings.Concurrency);

    /// <summary>Names this process in the claims it holds.</summary>
    public string Process { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";

    public async Task<DispatchTotals> RunAsync(CancellationToken ct)
    {
        var totals = new DispatchTotals();
        // A business is worked on once a round: one that failed keeps its claims until they lapse, and one due again
        // meanwhile (a retry five seconds on) waits for the next round.
        var done = new HashSet<Guid>();
        while (true)
        {
            List<DueWorkLookup.DispatchDue> due;
            await using (var scope = Scope(null))
                due = await DueWorkLookup.DispatchDueBusinessesAsync(Db(scope), StoredTime.Now(clock), BusinessesPerLookup, ct);
            due.RemoveAll(b => !done.Add(b.BusinessId));
            if (due.Count == 0)
                return totals;
            Random.Shared.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(due));
            var results = new DispatchTotals[due.Count];
            await Parallel.ForEachAsync(Enumerable.Range(0, due.Count), new ParallelOptions { MaxDegreeOfParallelism = BusinessesAtOnce, CancellationToken = ct },
                async (i, token) =>
                {
                    try
                    {
                        results[i] = await BusinessAsync(due[i].BusinessId, due[i].DigestsDue > 0, token);
                    }
                    catch (Exception e) when (!token.IsCancellationRequested)
                    {
                        log.LogWarning(e, "Dispatching for business {BusinessId} failed; its claimed messages are taken again when their claims lapse", due[i].BusinessId);
                        results[i] = new DispatchTotals();
                    }
                });
            totals = results.Aggregate(totals, (sum, r) => sum + r);
        }
    }

    private async Task<DispatchTotals> BusinessAsync(Guid businessId, bool digestsDue, CancellationToken ct)
    {
        var totals = new DispatchTotals();
        if (digestsDue)
            await using (var scope = Scope(businessId))
                totals += new DispatchTotals(Digests: await Digests.EnqueueDueAsync(Db(scope), StoredTime.Now(clock), ct));
        while (true)
        {
            await using var scope = Scope(businessId);
            var db = Db(scope);
            var now = StoredTime.Now(clock);
            var claimed = await OutboxClaims.ClaimAsync(db, Process, now, now + settings.ClaimLease, settings.ClaimBatch, ct);
            if (claimed.Count == 0)
                return totals;
            var endpoints = await OutboxOutcomes.EndpointsAsync(db, claimed, ct);
            var attempts = new DeliveryAttempt[claimed.Count];
            await Parallel.ForEachAsync(Enumerable.Range(0, claimed.Count), new ParallelOptions { MaxDegreeOfParallelism = settings.Concurrency, CancellationToken = ct },
                async (i, token) => attempts[i] = await AttemptAsync(businessId, claimed[i], endpoints, token));
            totals += await OutboxOutcomes.WriteAsync(db, Process, attempts, StoredTime.Now(clock), ct);
        }
    }

    private async Task<DeliveryAttempt> AttemptAsync(Guid businessId, OutboxMessage message, IReadOnlyDictionary<Guid, Webhook> endpoints, CancellationToken ct)
    {
        await _deliveries.WaitAsync(ct);
        try
        {
            if (message.Channel == OutboxChannels.Email)
            {
                await using var scope = Scope(businessId);
                return new DeliveryAttempt(message, await email.SendAsync(Db(scope), message, ct), null);
            }
            if (message.WebhookId is not { } webhookId || !endpoints.TryGetValue(webhookId, out var webhook))
                return new DeliveryAttempt(message, DeliveryResult.Nothing("The endpoint was deleted."), null);
            if (!webhook.IsEnabled)
                return new DeliveryAttempt(message, DeliveryResult.Failed($"The endpoint is disabled: {webhook.DisabledReason}", permanent: true), null);
            var body = webhook.Format == WebhookFormats.Slack ? WebhookMessages.Slack(message.Payload, settings.BaseUrl) : message.Payload;
            var sent = await webhooks.SendAsync(webhook.Url, webhook.Format, webhook.SigningSecrets, WebhookMessages.Id(message.Id), body, ct);
            var result = sent.Delivered ? DeliveryResult.Sent : DeliveryResult.Failed(sent.Error ?? "The delivery failed.", sent.Permanent, sent.RetryAfter);
            return new DeliveryAttempt(message, result, sent);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            // The sender and the mailer answer failures in words; anything else is a fault of ours, tried again later.
            log.LogError(e, "Delivering outbox message {MessageId} failed unexpectedly", message.Id);
            return new DeliveryAttempt(message, DeliveryResult.Failed("Tidings could not deliver this message because of an internal error; it will try again.", false), null);
        }
        finally
        {
            _deliveries.Release();
        }
    }

    private AsyncServiceScope Scope(Guid? businessId) => scopes.ForSystem(ActorName, businessId);

    private static TidingsDbContext Db(AsyncServiceScope scope) => scope.ServiceProvider.GetRequiredService<TidingsDbContext>();
}

/// <summary>One message's attempt: its result, and for a webhook what the endpoint answered (for the delivery log).</summary>
public sealed record DeliveryAttempt(OutboxMessage Message, DeliveryResult Result, WebhookAttempt? Webhook);
