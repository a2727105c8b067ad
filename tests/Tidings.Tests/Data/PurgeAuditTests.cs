using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Tidings.Clients;
using Tidings.Data;
using Tidings.Data.Auditing;
using Tidings.Data.SoftDelete;
using Tidings.Events;
using Tidings.Interactions;
using Tidings.Notifications;
using Tidings.Tests.Infrastructure;
using Tidings.Users;

namespace Tidings.Tests.Data;

/// <summary>A purge removes rows the database cascades to; the audit trail accounts for each of them, whoever purges what.</summary>
public abstract class PurgeAuditTests(TestDatabase database)
{
    [Fact]
    public async Task Purging_a_user_accounts_for_their_tokens_interactions_and_notifications()
    {
        var business = await database.NewBusinessAsync();
        var user = new User { Email = $"{Guid.NewGuid():N}@example.test", DisplayName = "Leaving" };
        var client = new Client { Name = "Acme" };
        var events = Enumerable.Range(0, 3).Select(i => new Event { ClientId = client.Id, Title = $"Story {i}", Category = "funding", EventDate = DateTime.UtcNow }).ToList();
        await using (var db = business.Context())
        {
            db.AddRange(user, client);
            db.Events.AddRange(events);
            db.EventUserInteractions.AddRange(events.Select(e => new EventUserInteraction { EventId = e.Id, UserId = user.Id, IsStarred = true }));
            db.EventUserInteractions.Add(new EventUserInteraction { EventId = events[0].Id, UserId = business.OwnerId, IsRead = true });
            db.Notifications.AddRange(events.Select(e => new Notification { UserId = user.Id, Type = NotificationTypes.HighRelevanceEvent, Title = e.Title, Message = "m", RelatedEventId = e.Id }));
            db.ApiTokens.AddRange(Enumerable.Range(0, 2).Select(i => new ApiToken
            {
                UserId = user.Id, Kind = ApiToken.PersonalKind, Name = $"token {i}", TokenHash = $"hash-{Guid.NewGuid():N}", ExpiresAt = DateTime.UtcNow.AddDays(1),
            }));
            await db.SaveChangesAsync();
        }
        var before = await IdsAsync(business);

        await using (var db = business.Context())
        {
            db.Purge(await db.Users.SingleAsync(u => u.Id == user.Id));
            await db.SaveChangesAsync();
        }

        var after = await IdsAsync(business);
        var purged = before.SelectMany(t => t.Value.Except(after[t.Key]).Select(id => (t.Key, id))).Order().ToList();
        Assert.Equal(1 + 3 + 3 + 2, purged.Count);
        await using var check = business.Context();
        var logs = await check.AuditLogs.Where(a => a.Action == AuditActions.Purge).ToListAsync();
        Assert.Equal(purged, logs.SelectMany(l => AuditedIds(l).Select(id => (l.TableName, id))).Order());
        var summary = logs.First(l => l.TableName == "api_tokens");
        Assert.Equal($"users/{user.Id}", summary.RecordId);
        Assert.Equal(business.OwnerId, summary.UserId);
        Assert.DoesNotContain("hash-", summary.OldValues);
    }

    private static IEnumerable<Guid> AuditedIds(AuditLog log) =>
        Guid.TryParse(log.RecordId, out var id) ? [id]
        : JsonDocument.Parse(log.OldValues!).RootElement.GetProperty("ids").EnumerateArray().Select(e => e.GetGuid());

    private static async Task<Dictionary<string, HashSet<Guid>>> IdsAsync(TestBusiness business)
    {
        await using var db = business.Context();
        return new Dictionary<string, HashSet<Guid>>
        {
            ["users"] = (await db.Users.IgnoreQueryFilters([SoftDeleteRules.Filter]).Select(r => r.Id).ToListAsync()).ToHashSet(),
            ["api_tokens"] = (await db.ApiTokens.Select(r => r.Id).ToListAsync()).ToHashSet(),
            ["event_user_interactions"] = (await db.EventUserInteractions.IgnoreQueryFilters([SoftDeleteRules.Filter]).Select(r => r.Id).ToListAsync()).ToHashSet(),
            ["notifications"] = (await db.Notifications.IgnoreQueryFilters([SoftDeleteRules.Filter]).Select(r => r.Id).ToListAsync()).ToHashSet(),
            ["events"] = (await db.Events.IgnoreQueryFilters([SoftDeleteRules.Filter]).Select(r => r.Id).ToListAsync()).ToHashSet(),
        };
    }
}

public sealed class PurgeAuditTests_Sqlite(SqliteDatabase db) : PurgeAuditTests(db), IClassFixture<SqliteDatabase>;
public sealed class PurgeAuditTests_Postgres(PostgresDatabase db) : PurgeAuditTests(db), IClassFixture<PostgresDatabase>;
