using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Tidings.Delivery.Webhooks;

public sealed class WebhookDeliveryConfiguration : IEntityTypeConfiguration<WebhookDelivery>
{
    public void Configure(EntityTypeBuilder<WebhookDelivery> b)
    {
        b.ToTable("webhook_deliveries");
        b.Property(x => x.Type).HasMaxLength(50);
        b.Property(x => x.Error).HasMaxLength(WebhookDelivery.MaxErrorLength);
        b.Property(x => x.ResponseExcerpt).HasMaxLength(WebhookDelivery.MaxExcerptLength);
        b.HasOne<Webhook>().WithMany()
            .HasForeignKey(x => new { x.BusinessId, x.WebhookId }).OnDelete(DeleteBehavior.Cascade);
        // An endpoint's log, newest first; a message's attempts.
        b.HasIndex(x => new { x.BusinessId, x.WebhookId, x.CreatedAt }).HasDatabaseName("ix_webhook_deliveries_business_webhook_created");
        b.HasIndex(x => new { x.BusinessId, x.MessageId }).HasDatabaseName("ix_webhook_deliveries_business_message");
    }
}
