using System.Globalization;
using System.Text.Json;
using Tidings.Events;
using Tidings.Monitoring;
using Tidings.Notifications;

namespace Tidings.Delivery.Webhooks;

/// <summary>Which endpoint wants which change, and the body each change is sent as (Standard Webhooks' envelope).</summary>
public static class WebhookMessages
{
    /// <summary>The endpoint takes the type, and the change passes its filters (relevance and categories: events; clients: all).</summary>
    public static bool Wants(Webhook webhook, string type, object entity)
    {
        if (!webhook.IsEnabled || !webhook.EventTypes.Contains(type))
            return false;
        var clientId = entity switch
        {
            Event e => e.ClientId,
            Source s => s.ClientId,
            Notification n => n.RelatedClientId,
            _ => null,
        };
        if (webhook.ClientIds is { } clients && (clientId is null || !clients.Contains(clientId.Value.ToString())))
            return false;
        if (entity is Event ev)
        {
            if (webhook.MinRelevance is { } min && ev.RelevanceScore < min)
                return false;
            if (webhook.Categories is { } categories && !categories.Contains(ev.Category))
                return false;
        }
        return true;
    }

    public static string Payload(string type, object entity, IReadOnlyDictionary<Guid, string> clientNames, DateTime now) => entity switch
    {
        Event e => WebhookPayload.For(type, Utc(e.UpdatedAt == default ? now : e.UpdatedAt), EventData.Of(e, clientNames.GetValueOrDefault(e.ClientId))),
        Notification n => WebhookPayload.For(type, Utc(now), NotificationData.Of(n, n.RelatedClientId is { } c ? clientNames.GetValueOrDefault(c) : null)),
        Source s => WebhookPayload.For(type, Utc(s.StoppedAt ?? now), SourceData.Of(s, clientNames.GetValueOrDefault(s.ClientId))),
        _ => throw new ArgumentException($"No webhook message for {entity.GetType().Name}.", nameof(entity)),
    };

    /// <summary>A message that shows a receiver what the real ones look like (POST /api/webhooks/{id}/test).</summary>
    public static string Test(DateTime now) =>
        WebhookPayload.For("webhook.test", Utc(now), new { message = "A test message from Tidings: your endpoint receives and verifies our messages." });

    /// <summary>The webhook-id of a message: the same on every attempt, so a receiver drops a repeat.</summary>
    public static string Id(Guid messageId) => $"msg_{messageId:N}";

    /// <summary>A message as a Slack incoming webhook shows it: from the same body a signed endpoint gets, links made absolute.</summary>
    public static string Slack(string payload, string baseUrl)
    {
        using var document = JsonDocument.Parse(payload);
        var root = document.RootElement;
        var type = root.GetProperty("type").GetString() ?? "tidings";
        var data = root.GetProperty("data");
        string? Text(string name) => data.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        var fields = new List<(string, string)>();
        if (Text("clientName") is { } client)
            fields.Add(("Client", client));
        if (Text("category") is { } category)
            fields.Add(("Category", Text("subcategory") is { } sub ? $"{category} / {sub}" : category));
        if (data.TryGetProperty("relevance", out var relevance) && relevance.ValueKind == JsonValueKind.Number)
            fields.Add(("Relevance", relevance.GetDouble().ToString("0.00", CultureInfo.InvariantCulture)));
        if (Text("source") is { } source)
            fields.Add(("Source", source));
        var title = type switch
        {
            WebhookEventTypes.SourceStopped => $"A source stopped{(Text("clientName") is { } name ? $" for {name}" : "")}",
            WebhookEventTypes.EventDeleted => $"Deleted: {Text("title")}",
            _ => Text("title") ?? "A message from Tidings",
        };
        var text = Text("description") ?? Text("message") ?? Text("reason");
        var link = Text("link") is { } path && path.StartsWith('/') ? baseUrl + path : null;
        return SlackMessage.For(type, title, text, link, fields);
    }

    private static DateTimeOffset Utc(DateTime at) => new(DateTime.SpecifyKind(at, DateTimeKind.Utc));

    public sealed record EventData(Guid Id, Guid ClientId, string? ClientName, string Title, string? Description, string? Url, string? Source,
        string Category, string? Subcategory, double Relevance, double? Sentiment, double? Confidence, DateTime EventDate, bool Deleted, string Link)
    {
        public static EventData Of(Event e, string? clientName) => new(e.Id, e.ClientId, clientName, e.Title, e.Description, e.Url, e.Source,
            e.Category, e.Subcategory, e.RelevanceScore, e.SentimentScore, e.ConfidenceScore, e.EventDate, e.IsDeleted, $"/events/{e.Id}");
    }

    public sealed record NotificationData(Guid Id, Guid UserId, string Type, string Title, string Message, string? Link, Guid? EventId, Guid? ClientId, string? ClientName)
    {
        public static NotificationData Of(Notification n, string? clientName) =>
            new(n.Id, n.UserId, n.Type, n.Title, n.Message, n.LinkUrl, n.RelatedEventId, n.RelatedClientId, clientName);
    }

    public sealed record SourceData(Guid Id, Guid ClientId, string? ClientName, string Kind, string? Url, string? Title, string? Reason, string Link)
    {
        public static SourceData Of(Source s, string? clientName) =>
            new(s.Id, s.ClientId, clientName, s.Kind, s.FeedUrl ?? s.Url, s.Title, s.StoppedReason, $"/clients/{s.ClientId}");
    }
}
