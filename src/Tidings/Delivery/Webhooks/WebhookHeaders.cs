using System.Globalization;
using System.Net.Http.Headers;

namespace Tidings.Delivery.Webhooks;

/// <summary>The three Standard Webhooks headers of one delivery attempt.</summary>
/// <param name="Id">Stays the same across a message's retries, so receivers can drop duplicates.</param>
/// <param name="Timestamp">Unix seconds of this attempt, fresh on each retry, so receivers can refuse replays.</param>
public sealed record WebhookHeaders(string Id, string Timestamp, string Signature)
{
    public const string IdName = "webhook-id";
    public const string TimestampName = "webhook-timestamp";
    public const string SignatureName = "webhook-signature";

    /// <summary>The headers for sending <paramref name="body"/> now, signed with every active secret.</summary>
    /// <param name="messageId">The caller's stable id for the message, such as "msg_" and its outbox row id.</param>
    public static WebhookHeaders For(string messageId, DateTimeOffset now, string body, IEnumerable<string> secrets)
    {
        var timestamp = now.ToUnixTimeSeconds();
        return new(messageId, timestamp.ToString(CultureInfo.InvariantCulture), WebhookSignature.Sign(messageId, timestamp, body, secrets));
    }

    public IEnumerable<KeyValuePair<string, string>> Pairs =>
        [new(IdName, Id), new(TimestampName, Timestamp), new(SignatureName, Signature)];

    /// <summary>Sets the headers on a request, replacing any of the same names.</summary>
    public void ApplyTo(HttpRequestHeaders headers)
    {
        foreach (var (name, value) in Pairs)
        {
            headers.Remove(name);
            headers.TryAddWithoutValidation(name, value);
        }
    }
}
