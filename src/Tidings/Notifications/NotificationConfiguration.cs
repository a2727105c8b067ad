using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Tidings.Users;

namespace Tidings.Notifications;

public sealed class NotificationConfiguration : IEntityTypeConfiguration<Notification>
{
    public void Configure(EntityTypeBuilder<Notification> b)
    {
        b.ToTable("notifications");
        b.Property(x => x.Type).HasMaxLength(50);
        b.Property(x => x.Title).HasMaxLength(200);
        b.Property(x => x.LinkUrl).HasMaxLength(500);
        b.HasOne<User>().WithMany()
            .HasForeignKey(x => new { x.BusinessId, x.UserId })
            .OnDelete(DeleteBehavior.Cascade);
        b.HasOne(x => x.RelatedEvent).WithMany()
            .HasForeignKey(x => new { x.BusinessId, x.RelatedEventId }).OnDelete(DeleteBehavior.Cascade);
        b.HasOne(x => x.RelatedClient).WithMany()
            .HasForeignKey(x => new { x.BusinessId, x.RelatedClientId }).OnDelete(DeleteBehavior.Cascade);

        b.HasIndex(x => new { x.BusinessId, x.UserId, x.IsRead }).HasDatabaseName("ix_notifications_user_unread");
        b.HasIndex(x => new { x.BusinessId, x.UserId, x.CreatedAt }).HasDatabaseName("ix_notifications_user_created");
    }
}
