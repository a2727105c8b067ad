using Tidings.Data;
using Tidings.Delivery.Outbox;

namespace Tidings.Delivery.Email;

/// <summary>Composes and sends one outbox e-mail (a notification at once, or a digest) when the dispatcher reaches it.</summary>
public sealed class EmailDelivery(MailSender sender)
{
    public bool IsOn => sender.IsOn;

    public Task<DeliveryResult> SendAsync(TidingsDbContext db, OutboxMessage message, CancellationToken ct) =>
        throw new NotImplementedException("Being written on the email branch.");
}
