using System.Text.Json;

namespace Tidings.Delivery.Webhooks;

/// <summary>The body Standard Webhooks recommends: <c>{"type": "event.created", "timestamp": "...Z", "data": {...}}</c>.</summary>
public static class WebhookPayload
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    /// <param name="type">Full-stop delimited identifiers of [a-zA-Z0-9_], such as "event.created".</param>
    /// <param name="occurredAt">When the event happened, not when it is delivered; written in UTC.</param>
    public static string For<T>(string type, DateTimeOffset occurredAt, T data)
    {
        if (!IsEventType(type))
            throw new ArgumentException($"An event type is full-stop delimited identifiers of letters, digits and \"_\": \"{type}\".", nameof(type));
        // A UTC DateTime is written with "Z"; a DateTimeOffset would be written "+00:00".
        return JsonSerializer.Serialize(new Envelope<T>(type, occurredAt.UtcDateTime, data), Options);
    }

    public static bool IsEventType(string? type) =>
        !string.IsNullOrEmpty(type)
        && type.Split('.').All(part => part.Length > 0 && part.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'));

    private sealed record Envelope<T>(string Type, DateTime Timestamp, T Data);
}
