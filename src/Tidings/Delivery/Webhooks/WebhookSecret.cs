using System.Security.Cryptography;

namespace Tidings.Delivery.Webhooks;

/// <summary>
/// An endpoint's signing secret as Standard Webhooks shows it: "whsec_" followed by the base64 of random bytes
/// (the specification asks for 24 to 64 of them).
/// </summary>
public static class WebhookSecret
{
    public const string Prefix = "whsec_";
    public const int MinKeyBytes = 24;
    public const int MaxKeyBytes = 64;
    public const int NewKeyBytes = 32;

    /// <summary>A fresh secret; shown to its owner once, when the endpoint is made or its secret rotated.</summary>
    public static string New() => Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(NewKeyBytes));

    /// <summary>The HMAC key a secret stands for. The prefix may be left off, as the reference libraries allow.</summary>
    /// <exception cref="FormatException">The secret is not base64, or its key is shorter or longer than the specification allows.</exception>
    public static byte[] KeyOf(string secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var encoded = secret.StartsWith(Prefix, StringComparison.Ordinal) ? secret[Prefix.Length..] : secret;
        byte[] key;
        try
        {
            key = Convert.FromBase64String(encoded);
        }
        catch (FormatException e)
        {
            // The secret itself stays out of the message: messages end up in logs.
            throw new FormatException($"A webhook secret is \"{Prefix}\" followed by base64; this one is not valid base64.", e);
        }
        if (key.Length is < MinKeyBytes or > MaxKeyBytes)
            throw new FormatException(
                $"A webhook secret holds {MinKeyBytes} to {MaxKeyBytes} bytes of key; this one holds {key.Length}.");
        return key;
    }
}
