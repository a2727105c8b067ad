using System.Globalization;
using Tidings.Delivery.Webhooks;

namespace Tidings.Pages.Webhooks;

/// <summary>An endpoint as its pages describe it in words: what it gets, through which filters, whether it is on, and how its last delivery went.</summary>
public sealed record WebhookSummary(Webhook Webhook, WebhookDelivery? LastDelivery, WebhookFormOptions Options)
{
    public string Title => Webhook.Description ?? Webhook.Url;

    public string Format => Webhook.Format == WebhookFormats.Slack ? "Slack incoming webhook" : "Standard Webhooks (signed JSON)";

    public string Filters
    {
        get
        {
            var parts = new List<string>();
            if (Webhook.MinRelevance is { } min)
                parts.Add($"relevance at least {min.ToString("0.##", CultureInfo.InvariantCulture)}");
            if (Webhook.Categories is { Count: > 0 } categories)
                parts.Add("categories " + string.Join(", ", categories.Select(k => Options.Categories.FirstOrDefault(c => c.Key == k).Name ?? k)));
            if (Webhook.ClientIds is { Count: > 0 } clients)
                parts.Add("clients " + string.Join(", ", clients.Select(id => Options.Clients.FirstOrDefault(c => c.Id.ToString() == id).Name ?? "(a client not listed)")));
            return parts.Count == 0 ? "None: every message of those types." : string.Join("; ", parts) + ".";
        }
    }

    public string State => Webhook.IsEnabled ? "Enabled." : $"Disabled. {Webhook.DisabledReason}".Trim();

    /// <summary>How the last delivery went; the page writes when beside it, in the reader's time zone.</summary>
    public string LastOutcome => LastDelivery is { } d
        ? DeliveryWords.Outcome(d.Succeeded, d.StatusCode, d.DurationMs, d.Error)
        : "Nothing sent yet.";
}

/// <summary>How a delivery went, in words: what the receiver answered and how long it took.</summary>
public static class DeliveryWords
{
    public static string Outcome(bool succeeded, int? statusCode, int durationMs, string? error) => (succeeded, statusCode) switch
    {
        (true, { } code) => $"Delivered: the endpoint answered {code} in {durationMs} ms.",
        (false, { } code) => $"Failed: the endpoint answered {code} in {durationMs} ms.{(error is null ? "" : " " + error)}",
        _ => $"Failed after {durationMs} ms: {error ?? "no answer came."}",
    };
}
