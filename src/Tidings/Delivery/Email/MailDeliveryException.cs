namespace Tidings.Delivery.Email;

/// <summary>
/// A message that did not go, in words for a person. Permanent means the server refused it for good (a 5xx answer)
/// and a retry would get the same answer; otherwise (a 4xx answer, a network failure, a timeout) a later retry may succeed.
/// </summary>
public sealed class MailDeliveryException(string message, bool permanent, Exception? inner = null) : Exception(message, inner)
{
    public bool Permanent { get; } = permanent;
}
