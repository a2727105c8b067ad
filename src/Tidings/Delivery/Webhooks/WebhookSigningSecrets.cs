namespace Tidings.Delivery.Webhooks;

/// <summary>
/// An endpoint's secrets: the current one, and the one it replaced while its grace period lasts, so a receiver has time
/// to switch without refusing a delivery. At most two: rotating again ends the older one's grace at once.
/// </summary>
public sealed record WebhookSigningSecrets(string Current, string? Previous = null, DateTimeOffset? PreviousUntil = null)
{
    public static readonly TimeSpan DefaultGrace = TimeSpan.FromHours(24);

    /// <summary>The secrets that sign a delivery made at <paramref name="now"/>, current first.</summary>
    public IReadOnlyList<string> ActiveAt(DateTimeOffset now) =>
        Previous is not null && PreviousUntil > now ? [Current, Previous] : [Current];

    /// <summary><paramref name="next"/> becomes current; the current one keeps signing for <paramref name="grace"/>.</summary>
    public WebhookSigningSecrets Rotated(string next, DateTimeOffset now, TimeSpan grace)
    {
        WebhookSecret.KeyOf(next);
        return new(next, Current, now + grace);
    }
}
