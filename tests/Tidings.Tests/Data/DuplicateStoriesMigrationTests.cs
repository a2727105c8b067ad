using Microsoft.EntityFrameworkCore;
using Tidings.Clients;
using Tidings.Data;
using Tidings.Data.Auditing;
using Tidings.Data.SoftDelete;
using Tidings.Data.Tenancy;
using Tidings.Events;
using Tidings.Tests.Infrastructure;

namespace Tidings.Tests.Data;

/// <summary>
/// The DuplicateStories migration repairs the stories written before it: links across clients (the old content
/// hash ignored the client when there was a URL), chains of copies, and live copies hidden behind a deleted original.
/// </summary>
public abstract class DuplicateStoriesMigrationTests(TestDatabase database)
{
    [Fact]
    public async Task Migrating_repairs_links_across_clients_chains_and_hidden_copies_and_audits_each_change()
    {
        var business = await database.NewBusinessAsync();
        var alpha = new Client { Name = "Alpha" };
        var beta = new Client { Name = "Beta" };
        await using (var db = business.Context())
        {
            db.AddRange(alpha, beta);
            await db.SaveChangesAsync();
        }
        // One at a time, so each is younger than the one before.
        async Task<Event> Add(Client client, string url, Event? copyOf = null)
        {
            await using var db = business.Context();
            var ev = new Event { ClientId = client.Id, Title = url, Url = url, Category = "news", EventDate = DateTime.UtcNow, DuplicateOfEventId = copyOf?.Id };
            ev.ContentHash = ContentHash.Of(url, ev.Title, client.Id);
            db.Events.Add(ev);
            await db.SaveChangesAsync();
            return ev;
        }
        var merger = await Add(alpha, "https://news.example/merger");
        var mergerForBeta = await Add(beta, "https://news.example/merger", copyOf: merger);
        var mergerForBetaAgain = await Add(beta, "https://news.example/merger/", copyOf: merger);
        var launch = await Add(alpha, "https://news.example/launch");
        var launchAgain = await Add(alpha, "https://news.example/launch/", copyOf: launch);
        var chained = await Add(alpha, "https://news.example/launch?utm_source=x", copyOf: launchAgain);
        var recall = await Add(alpha, "https://news.example/recall");
        var recallCopy = await Add(alpha, "https://news.example/recall/", copyOf: recall);
        var recallCopyYounger = await Add(alpha, "https://NEWS.example/recall", copyOf: recall);
        await using (var db = business.Context())
        {
            db.Events.Remove(await db.Events.SingleAsync(e => e.Id == recall.Id));
            await db.SaveChangesAsync();
        }

        await database.ReapplyMigrationAsync("_DuplicateStories");

        await using var check = business.Context();
        var links = await check.Events.IgnoreQueryFilters([SoftDeleteRules.Filter]).ToDictionaryAsync(e => e.Id, e => e.DuplicateOfEventId);
        Assert.Equal(new Dictionary<Guid, Guid?>
        {
            [merger.Id] = null, [mergerForBeta.Id] = null, [mergerForBetaAgain.Id] = mergerForBeta.Id,
            [launch.Id] = null, [launchAgain.Id] = launch.Id, [chained.Id] = launch.Id,
            [recall.Id] = recallCopy.Id, [recallCopy.Id] = null, [recallCopyYounger.Id] = recallCopy.Id,
        }, links);
        var audited = await check.AuditLogs.Where(a => a.ActorName == "system:migration DuplicateStories").ToListAsync();
        Assert.All(audited, a => Assert.Equal(("events", AuditActions.Update, business.Id), (a.TableName, a.Action, a.BusinessId)));
        Assert.Equal(new[] { mergerForBeta, mergerForBetaAgain, chained, recall, recallCopy, recallCopyYounger }.Select(e => e.Id.ToString()).Order(),
            audited.Select(a => a.RecordId).Order());
        Assert.Contains(merger.Id.ToString(), audited.Single(a => a.RecordId == mergerForBeta.Id.ToString()).OldValues);
    }
}

public sealed class DuplicateStoriesMigrationTests_Sqlite(SqliteDatabase db) : DuplicateStoriesMigrationTests(db), IClassFixture<SqliteDatabase>;
public sealed class DuplicateStoriesMigrationTests_Postgres(PostgresDatabase db) : DuplicateStoriesMigrationTests(db), IClassFixture<PostgresDatabase>;
