using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Tidings.Delivery.Webhooks;

public sealed class WebhookConfiguration : IEntityTypeConfiguration<Webhook>
{
    public void Configure(EntityTypeBuilder<Webhook> b)
    {
        b.ToTable("webhooks", t =>
        {
            t.HasCheckConstraint("ck_webhooks_format", "format IN ('json', 'slack')");
            t.HasCheckConstraint("ck_webhooks_min_relevance", "min_relevance IS NULL OR (min_relevance >= 0 AND min_relevance <= 1)");
        });
        b.Property(x => x.Url).HasMaxLength(Webhook.MaxUrlLength);
        b.Property(x => x.Description).HasMaxLength(200);
        b.Property(x => x.Format).HasMaxLength(20);
        b.Property(x => x.Secret).HasMaxLength(200);
        b.Property(x => x.PreviousSecret).HasMaxLength(200);
        b.Property(x => x.DisabledReason).HasMaxLength(1000);
        b.Ignore(x => x.SigningSecrets);
        b.HasIndex(x => new { x.BusinessId, x.CreatedByUserId }).HasFilter("created_by_user_id IS NOT NULL");
        b.HasIndex(x => new { x.BusinessId, x.DeletedByUserId }).HasFilter("deleted_by_user_id IS NOT NULL");
    }
}
