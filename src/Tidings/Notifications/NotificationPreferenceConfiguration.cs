using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Tidings.Users;

namespace Tidings.Notifications;

public sealed class NotificationPreferenceConfiguration : IEntityTypeConfiguration<NotificationPreference>
{
    public void Configure(EntityTypeBuilder<NotificationPreference> b)
    {
        b.ToTable("notification_preferences", t =>
        {
            t.HasCheckConstraint("ck_notification_preferences_clients", "clients IN ('mine', 'tagged', 'all')");
            t.HasCheckConstraint("ck_notification_preferences_channel", "channel IN ('in_app', 'email', 'daily_digest', 'weekly_digest')");
            t.HasCheckConstraint("ck_notification_preferences_min_relevance", "min_relevance IS NULL OR (min_relevance >= 0 AND min_relevance <= 1)");
            t.HasCheckConstraint("ck_notification_preferences_digest_hour", "digest_hour BETWEEN 0 AND 23");
            t.HasCheckConstraint("ck_notification_preferences_digest_day", "digest_day BETWEEN 0 AND 6");
        });
        b.HasIndex(x => new { x.BusinessId, x.UserId }).IsUnique();
        b.Property(x => x.Clients).HasMaxLength(20);
        b.Property(x => x.Channel).HasMaxLength(20);
        b.Property(x => x.UnsubscribeToken).HasMaxLength(100);
        b.HasOne<User>().WithOne()
            .HasForeignKey<NotificationPreference>(x => new { x.BusinessId, x.UserId }).OnDelete(DeleteBehavior.Cascade);
        // The dispatcher's look for digests due.
        b.HasIndex(x => new { x.BusinessId, x.NextDigestAt }).HasFilter("next_digest_at IS NOT NULL")
            .HasDatabaseName("ix_notification_preferences_business_digest_due");
    }
}
