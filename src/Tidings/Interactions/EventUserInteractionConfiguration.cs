using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Tidings.Users;

namespace Tidings.Interactions;

public sealed class EventUserInteractionConfiguration : IEntityTypeConfiguration<EventUserInteraction>
{
    public void Configure(EntityTypeBuilder<EventUserInteraction> b)
    {
        b.ToTable("event_user_interactions");
        b.HasOne(x => x.Event).WithMany(e => e.UserInteractions)
            .HasForeignKey(x => new { x.BusinessId, x.EventId })
            .OnDelete(DeleteBehavior.Cascade);
        b.HasOne<User>().WithMany()
            .HasForeignKey(x => new { x.BusinessId, x.UserId })
            .OnDelete(DeleteBehavior.Cascade);

        b.HasIndex(x => new { x.BusinessId, x.EventId, x.UserId }).IsUnique().HasDatabaseName("ix_event_user_unique");
        b.HasIndex(x => new { x.BusinessId, x.UserId, x.IsRead }).HasDatabaseName("ix_event_user_interactions_user_read");
        b.HasIndex(x => new { x.BusinessId, x.UserId, x.IsStarred }).HasDatabaseName("ix_event_user_interactions_user_starred");
    }
}
