using Microsoft.EntityFrameworkCore;
using Tidings.Clients;
using Tidings.Data;
using Tidings.Events;
using Tidings.Interactions;
using Tidings.Legacy;
using Tidings.Notifications;
using Tidings.Tags;
using Tidings.Users;

namespace Tidings.Tests.Infrastructure;

/// <summary>
/// One row of every tenant-owned entity in one business, linked the way real data is. The isolation
/// tests walk the model and demand a row here for each tenant-owned entity, so a new entity that is
/// not added here fails them the day it is added.
/// </summary>
public sealed class TenantGraph
{
    public required TestBusiness Business { get; init; }
    public required Dictionary<Type, object> Rows { get; init; }

    public T Row<T>() => (T)Rows[typeof(T)];

    /// <remarks>Times are stored to the microsecond, so the rows as built equal the rows as read back.</remarks>
    /// <param name="inBulk">Written by <see cref="Tidings.Data.TidingsDbContext.SaveInsertsInBulkAsync"/> instead of SaveChangesAsync.</param>
    public static async Task<TenantGraph> CreateAsync(TestDatabase database, bool inBulk = false)
    {
        var business = await database.NewBusinessAsync();
        await using var db = business.Context();
        var member = new User { Email = $"member-{Guid.NewGuid():N}@example.test", DisplayName = "Member", Role = UserRoles.Member };
        var client = new Client { Name = "Acme " + Guid.NewGuid().ToString("N")[..6], Domain = "acme.example", SearchKeywords = ["acme", "rockets"], AssignedToUserId = member.Id };
        var source = new Tidings.Monitoring.Source
        {
            ClientId = client.Id, Kind = Tidings.Monitoring.SourceKinds.Feed, Url = "https://acme.example/feed.xml", FeedUrl = "https://acme.example/feed.xml",
            Keep = Tidings.Monitoring.KeepRules.All, NextDueAt = StoredTime.Of(DateTime.UtcNow.AddHours(1)),
        };
        var ev = new Event
        {
            ClientId = client.Id, SourceId = source.Id, Source = "Acme newsroom", SourceType = Tidings.Monitoring.SourceTypes.PressRelease, KeptBecause = "every item of the source", Title = "Acme raises money", Category = "funding", EventDate = StoredTime.Of(DateTime.UtcNow.AddDays(-1)), Tags = ["series-a"],
            ClassifiedBy = "tidings-classifier/test", ConfidenceScore = 0.4, ClassificationEvidence = "raises money",
        };
        var tag = new Tag { Name = "Watch " + Guid.NewGuid().ToString("N")[..6], Color = "#336699" };
        var category = new Tidings.Categories.Category { Key = "watch_" + Guid.NewGuid().ToString("N")[..6], Name = "Watch", Signal = Tidings.Categories.CategorySignals.Risk, Weight = 0.7 };
        var webhook = new Tidings.Delivery.Webhooks.Webhook
        {
            Url = "https://hooks.example.com/tidings", Format = Tidings.Delivery.Webhooks.WebhookFormats.Json,
            EventTypes = [Tidings.Delivery.Webhooks.WebhookEventTypes.EventCreated], Secret = Tidings.Delivery.Webhooks.WebhookSecret.New(),
        };
        var message = new Tidings.Delivery.Outbox.OutboxMessage
        {
            Channel = Tidings.Delivery.Outbox.OutboxChannels.Webhook, WebhookId = webhook.Id, Type = Tidings.Delivery.Webhooks.WebhookEventTypes.EventCreated,
            Payload = "{}", Attempts = 1, NextAttemptAt = StoredTime.Of(DateTime.UtcNow.AddMinutes(5)), LastError = "the receiver answered 503",
        };
        var rows = new object[]
        {
            member, client, source, ev, tag, category,
            new EventUserInteraction { EventId = ev.Id, UserId = member.Id, IsRead = true, ReadAt = StoredTime.Of(DateTime.UtcNow) },
            new ClientTag { ClientId = client.Id, TagId = tag.Id },
            new EventTag { EventId = ev.Id, TagId = tag.Id },
            new ApiToken { UserId = member.Id, Kind = ApiToken.PersonalKind, Name = "script", TokenHash = ApiToken.Hash(ApiToken.NewSecret(business.Id)), ExpiresAt = StoredTime.Of(DateTime.UtcNow.AddDays(30)) },
            new Notification { UserId = member.Id, Type = NotificationTypes.HighRelevanceEvent, Title = "Look", Message = "Acme raised money", RelatedEventId = ev.Id, RelatedClientId = client.Id },
            webhook,
            new Tidings.Delivery.Webhooks.WebhookDelivery
            {
                WebhookId = webhook.Id, MessageId = message.Id, Type = message.Type, Attempt = 1, StatusCode = 503, DurationMs = 12,
                Error = "the receiver answered 503", ResponseExcerpt = "busy",
            },
            message,
            new NotificationPreference
            {
                UserId = member.Id, Kinds = [NotificationTypes.HighRelevanceEvent], Clients = NotificationScopes.Tagged, TagIds = [tag.Id.ToString()],
                MinRelevance = 0.5, Channel = NotificationChannels.DailyDigest, NextDigestAt = StoredTime.Of(DateTime.UtcNow.AddHours(3)),
                UnsubscribeToken = "unsubscribe-" + Guid.NewGuid().ToString("N"),
            },
            new Tidings.Classification.ClassificationExample { EventId = ev.Id, Category = category.Key, Title = ev.Title, ClientName = client.Name },
            new LegacyIdMapping { TableName = "clients", OldId = 7, NewId = client.Id },
            new LegacyValue { TableName = "clients", RecordId = client.Id, OldId = 7, ColumnName = "health_score", OriginalValue = "n/a", Reason = "unparseable_number" },
        };
        db.AddRange(rows);
        if (inBulk)
            await db.SaveInsertsInBulkAsync();
        else
            await db.SaveChangesAsync();
        return new TenantGraph { Business = business, Rows = rows.ToDictionary(r => r.GetType()) };
    }

    /// <summary>Every row of the graph as stored now, and the business's audit trail length: equal snapshots mean nothing changed.</summary>
    public async Task<List<string>> SnapshotAsync()
    {
        await using var db = Business.Context();
        var rows = new List<string> { "audit rows: " + await db.AuditLogs.CountAsync() };
        foreach (var (type, row) in Rows)
        {
            var stored = await db.FindAsync(type, Business.Id, EntitySets.IdOf(row));
            rows.Add(stored is null ? $"{type.Name} missing" : EntitySets.Values(stored));
        }
        return rows;
    }
}
