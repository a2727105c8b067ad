using System.Text.Json;

namespace Tidings.Delivery.Email;

/// <summary>
/// The e-mails the outbox holds. An e-mail is composed when it is sent, from what its payload names (the links use
/// the address configured then), so the payload carries ids and a period, never the text.
/// </summary>
public static class EmailMessageTypes
{
    /// <summary>One notification, sent at once: payload <c>{"notificationId": "..."}</c>.</summary>
    public const string Notification = "notification";
    /// <summary>A daily or weekly digest: payload <c>{"from": "...Z", "to": "...Z", "period": "daily"|"weekly"}</c>, the notifications created in [from, to).</summary>
    public const string Digest = "digest";

    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public sealed record NotificationRef(Guid NotificationId);

    public sealed record DigestPeriod(DateTime From, DateTime To, string Period);

    public static string NotificationPayload(Guid notificationId) => JsonSerializer.Serialize(new NotificationRef(notificationId), Options);

    public static string DigestPayload(DateTime from, DateTime to, string period) => JsonSerializer.Serialize(new DigestPeriod(from, to, period), Options);

    public static T Read<T>(string payload) => JsonSerializer.Deserialize<T>(payload, Options)
        ?? throw new JsonException("An empty outbox payload.");
}
