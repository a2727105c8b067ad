namespace Tidings.Delivery.Email;

/// <summary>
/// One e-mail to one person, both parts already written. MessageId ("local@domain", no angle brackets) is derived from
/// what the message is about, so a retry of the same message carries the same id and a mail client recognises it.
/// UnsubscribeUrl, when given, becomes the List-Unsubscribe header with one-click unsubscribe (RFC 8058).
/// </summary>
public sealed record EmailMessage(
    string ToAddress, string? ToName, string Subject, string PlainText, string Html, string MessageId, string? UnsubscribeUrl = null);
