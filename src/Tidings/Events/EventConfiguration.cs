using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Tidings.Events;

public sealed class EventConfiguration : IEntityTypeConfiguration<Event>
{
    public void Configure(EntityTypeBuilder<Event> b)
    {
        b.ToTable("events", t =>
        {
            t.HasCheckConstraint("ck_events_relevance_score", "relevance_score >= 0 AND relevance_score <= 1");
            t.HasCheckConstraint("ck_events_sentiment_score", "sentiment_score IS NULL OR (sentiment_score >= -1 AND sentiment_score <= 1)");
            t.HasCheckConstraint("ck_events_confidence_score", "confidence_score IS NULL OR (confidence_score >= 0 AND confidence_score <= 1)");
        });
        b.Property(x => x.Title).HasMaxLength(500);
        b.Property(x => x.Url).HasMaxLength(1000);
        b.Property(x => x.Source).HasMaxLength(200);
        b.Property(x => x.SourceType).HasMaxLength(50);
        b.Property(x => x.KeptBecause).HasMaxLength(300);
        b.Property(x => x.Category).HasMaxLength(50);
        b.Property(x => x.Subcategory).HasMaxLength(50);
        b.Property(x => x.ContentHash).HasMaxLength(64);
        b.Property(x => x.ClassifiedBy).HasMaxLength(50);
        b.Property(x => x.ClassificationEvidence).HasMaxLength(Classification.ClassifiedBy.MaxEvidenceLength);

        b.HasOne(x => x.Client).WithMany(c => c.Events)
            .HasForeignKey(x => new { x.BusinessId, x.ClientId })
            .OnDelete(DeleteBehavior.Cascade);
        // NO ACTION rather than RESTRICT: checked at the end of the statement, so purging a client removes a story
        // and its copies together (SQLite checks RESTRICT row by row, before the copy is gone); an original
        // purged on its own still needs its copies re-pointed first (Stories.HandOverAsync).
        b.HasOne<Event>().WithMany()
            .HasForeignKey(x => new { x.BusinessId, x.DuplicateOfEventId })
            .OnDelete(DeleteBehavior.ClientNoAction);

        // NO ACTION: a source is only ever soft-deleted; purging its client removes the client's events in the same statement.
        b.HasOne<Monitoring.Source>().WithMany()
            .HasForeignKey(x => new { x.BusinessId, x.SourceId })
            .OnDelete(DeleteBehavior.ClientNoAction);

        // The seed's indexes, each extended to serve the feed's keyset order (event_date desc, id desc)
        // under its filter, so one index answers both the lookup and the newest-first page.
        b.HasIndex(x => new { x.BusinessId, x.EventDate, x.Id }).IsDescending(false, true, true)
            .HasDatabaseName("ix_events_business_date");
        b.HasIndex(x => new { x.BusinessId, x.ClientId, x.EventDate, x.Id }).IsDescending(false, false, true, true)
            .HasDatabaseName("ix_events_business_client");
        b.HasIndex(x => new { x.BusinessId, x.Category, x.EventDate, x.Id }).IsDescending(false, false, true, true)
            .HasDatabaseName("ix_events_business_category");
        // Partial where most rows would only add a useless entry: every event costs each index an insert, and
        // the trash, the duplicate links and the created-by/deleted-by foreign keys look for the few rows that have one.
        b.HasIndex(x => new { x.BusinessId, x.IsDeleted }).HasFilter("is_deleted").HasDatabaseName("ix_events_business_deleted");
        b.HasIndex(x => new { x.BusinessId, x.ContentHash }).HasDatabaseName("ix_events_content_hash");
        b.HasIndex(x => new { x.BusinessId, x.RelevanceScore }).HasDatabaseName("ix_events_business_relevance");
        b.HasIndex(x => new { x.BusinessId, x.DuplicateOfEventId }).HasFilter("duplicate_of_event_id IS NOT NULL").HasDatabaseName("ix_events_business_duplicate_of");
        b.HasIndex(x => new { x.BusinessId, x.SourceId }).HasFilter("source_id IS NOT NULL").HasDatabaseName("ix_events_business_source");
        b.HasIndex(x => new { x.BusinessId, x.CreatedByUserId }).HasFilter("created_by_user_id IS NOT NULL");
        b.HasIndex(x => new { x.BusinessId, x.DeletedByUserId }).HasFilter("deleted_by_user_id IS NOT NULL");
    }
}
