namespace Tidings.Delivery.Outbox;

/// <summary>
/// How one attempt at one outbox message went. Not delivered and not permanent is tried again later (after
/// <see cref="RetryAfter"/> when the receiver said so); permanent is given up at once. <see cref="Dropped"/> means
/// there is nothing to send any more (the recipient left or unsubscribed, the notification is gone): done, not failed.
/// </summary>
public sealed record DeliveryResult(bool Delivered, bool Permanent, string? Error, TimeSpan? RetryAfter = null, bool Dropped = false)
{
    public static readonly DeliveryResult Sent = new(true, false, null);

    public static DeliveryResult Nothing(string why) => new(true, false, why, Dropped: true);

    public static DeliveryResult Failed(string error, bool permanent, TimeSpan? retryAfter = null) => new(false, permanent, error, retryAfter);
}
