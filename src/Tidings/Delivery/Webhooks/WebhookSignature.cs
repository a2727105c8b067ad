using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Tidings.Delivery.Webhooks;

/// <summary>
/// The Standard Webhooks symmetric signature: base64 HMAC-SHA256 over "{id}.{timestamp}.{body}" with the key of each
/// active secret, written "v1,{signature}", space-separated.
/// </summary>
public static class WebhookSignature
{
    public const string Version = "v1";
    public static readonly TimeSpan DefaultTolerance = TimeSpan.FromMinutes(5);

    /// <summary>The <c>webhook-signature</c> header value: one signature per secret, in the order given.</summary>
    /// <param name="timestamp">Unix seconds of this attempt (a retry signs again with its own).</param>
    public static string Sign(string messageId, long timestamp, string body, IEnumerable<string> secrets)
    {
        CheckMessageId(messageId);
        ArgumentNullException.ThrowIfNull(body);
        var signed = Signed(messageId, timestamp.ToString(CultureInfo.InvariantCulture), body);
        var signatures = secrets.Select(secret => $"{Version},{Convert.ToBase64String(HMACSHA256.HashData(WebhookSecret.KeyOf(secret), signed))}").ToList();
        if (signatures.Count == 0)
            throw new ArgumentException("A webhook is signed with at least one secret.", nameof(secrets));
        return string.Join(' ', signatures);
    }

    /// <summary>What a receiver does, with the specification's default tolerance of five minutes.</summary>
    public static bool Verify(string messageId, string timestampHeader, string body, string signatureHeader, string secret, DateTimeOffset now) =>
        Verify(messageId, timestampHeader, body, signatureHeader, secret, now, DefaultTolerance);

    /// <summary>
    /// What a receiver does: true when the timestamp is within <paramref name="tolerance"/> of <paramref name="now"/> either way
    /// and one of the header's v1 signatures is the one <paramref name="secret"/> gives.
    /// </summary>
    public static bool Verify(string messageId, string timestampHeader, string body, string signatureHeader, string secret,
        DateTimeOffset now, TimeSpan tolerance)
    {
        var key = WebhookSecret.KeyOf(secret);
        if (string.IsNullOrEmpty(messageId) || body is null || signatureHeader is null
            || !long.TryParse(timestampHeader, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
            return false;
        if ((now - DateTimeOffset.FromUnixTimeSeconds(seconds)).Duration() > tolerance)
            return false;

        var expected = HMACSHA256.HashData(key, Signed(messageId, timestampHeader, body));
        Span<byte> given = stackalloc byte[64];
        var matched = false;
        foreach (var signature in signatureHeader.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var comma = signature.IndexOf(',');
            if (comma < 0 || signature[..comma] != Version
                || !Convert.TryFromBase64String(signature[(comma + 1)..], given, out var length))
                continue;
            // Every candidate is compared in full, so the time taken says nothing about which byte differed.
            matched |= CryptographicOperations.FixedTimeEquals(expected, given[..length]);
        }
        return matched;
    }

    private static byte[] Signed(string messageId, string timestamp, string body) =>
        Encoding.UTF8.GetBytes($"{messageId}.{timestamp}.{body}");

    // The specification forbids "." in an id (it would let one signed string pass for another); it also goes in a header.
    private static void CheckMessageId(string messageId)
    {
        if (string.IsNullOrEmpty(messageId) || messageId.Any(c => c == '.' || char.IsWhiteSpace(c) || char.IsControl(c)))
            throw new ArgumentException($"A webhook message id is non-empty, without \".\", spaces or controls: \"{messageId}\".", nameof(messageId));
    }
}
