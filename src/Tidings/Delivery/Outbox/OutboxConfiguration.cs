using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Tidings.Delivery.Outbox;

public sealed class OutboxConfiguration : IEntityTypeConfiguration<OutboxMessage>
{
    public void Configure(EntityTypeBuilder<OutboxMessage> b)
    {
        b.ToTable("outbox_messages", t =>
        {
            t.HasCheckConstraint("ck_outbox_messages_channel", "channel IN ('webhook', 'email')");
            t.HasCheckConstraint("ck_outbox_messages_state", "state IN ('pending', 'delivered', 'failed')");
            t.HasCheckConstraint("ck_outbox_messages_target",
                "(channel = 'webhook' AND webhook_id IS NOT NULL) OR (channel = 'email' AND user_id IS NOT NULL)");
        });
        b.Property(x => x.Channel).HasMaxLength(20);
        b.Property(x => x.Type).HasMaxLength(50);
        b.Property(x => x.State).HasMaxLength(20);
        b.Property(x => x.LastError).HasMaxLength(OutboxMessage.MaxErrorLength);
        b.Property(x => x.ClaimedBy).HasMaxLength(200);
        b.HasOne<Webhooks.Webhook>().WithMany()
            .HasForeignKey(x => new { x.BusinessId, x.WebhookId }).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Users.User>().WithMany()
            .HasForeignKey(x => new { x.BusinessId, x.UserId }).OnDelete(DeleteBehavior.Cascade);
        // The dispatcher's claim: a business's pending messages by due time.
        b.HasIndex(x => new { x.BusinessId, x.NextAttemptAt }).HasFilter("state = 'pending'")
            .HasDatabaseName("ix_outbox_messages_business_due");
        // Cleanup after the retention period, and a webhook's messages.
        b.HasIndex(x => new { x.BusinessId, x.CreatedAt }).HasDatabaseName("ix_outbox_messages_business_created");
        b.HasIndex(x => new { x.BusinessId, x.WebhookId }).HasFilter("webhook_id IS NOT NULL");
        b.HasIndex(x => new { x.BusinessId, x.UserId }).HasFilter("user_id IS NOT NULL");
    }
}
