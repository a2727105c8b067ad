using System.Data.Common;
using System.Linq.Expressions;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Tidings.Clients;
using Tidings.Data.Auditing;
using Tidings.Data.SoftDelete;
using Tidings.Events;
using Tidings.Tags;
using Tidings.Tests.Infrastructure;
using Tidings.Users;

namespace Tidings.Tests.Data;

public abstract class SoftDeleteTests(TestDatabase database)
{
    [Fact]
    public Task Deleting_a_client_hides_it_and_keeps_it_restorable() =>
        DeletesSoftlyAsync<Client>(graph => graph.Row<Client>().Id);

    [Fact]
    public Task Deleting_an_event_hides_it_and_keeps_it_restorable() =>
        DeletesSoftlyAsync<Event>(graph => graph.Row<Event>().Id);

    [Fact]
    public Task Deleting_a_tag_hides_it_and_keeps_it_restorable() =>
        DeletesSoftlyAsync<Tag>(graph => graph.Row<Tag>().Id);

    [Fact]
    public Task Deleting_a_user_hides_it_and_keeps_it_restorable() =>
        DeletesSoftlyAsync<User>(graph => graph.Row<User>().Id);

    [Fact]
    public async Task Deleting_a_client_hides_its_events_and_tag_links_and_restoring_it_brings_back_only_those()
    {
        var graph = await TenantGraph.CreateAsync(database);
        var client = graph.Row<Client>();
        var deletedOnItsOwn = new Event { ClientId = client.Id, Title = "Retracted story", Category = "news", EventDate = DateTime.UtcNow };
        await using (var db = graph.Business.Context())
        {
            db.Events.Add(deletedOnItsOwn);
            await db.SaveChangesAsync();
            db.Events.Remove(deletedOnItsOwn);
            await db.SaveChangesAsync();
        }

        await using (var db = graph.Business.Context())
        {
            // The live events are tracked too: removing the client must not flag them one by one.
            var loaded = await db.Clients.Include(c => c.Events).SingleAsync(c => c.Id == client.Id);
            Assert.Single(loaded.Events);
            db.Clients.Remove(loaded);
            await db.SaveChangesAsync();
        }

        await using (var db = graph.Business.Context())
        {
            Assert.Empty(await db.Events.ToListAsync());
            Assert.Empty(await db.ClientTags.ToListAsync());
            Assert.Empty(await db.EventTags.ToListAsync());
            var flagged = await db.Events.IgnoreQueryFilters([SoftDeleteRules.Filter])
                .Where(e => e.IsDeleted).Select(e => e.Id).ToListAsync();
            Assert.Equal([deletedOnItsOwn.Id], flagged);

            var deleted = await db.Clients.IgnoreQueryFilters([SoftDeleteRules.Filter]).SingleAsync(c => c.Id == client.Id);
            db.Restore(deleted);
            await db.SaveChangesAsync();
        }

        await using (var db = graph.Business.Context())
        {
            Assert.Equal([graph.Row<Event>().Id], await db.Events.Select(e => e.Id).ToListAsync());
            Assert.Equal([graph.Row<ClientTag>().Id], await db.ClientTags.Select(ct => ct.Id).ToListAsync());
            Assert.Equal([graph.Row<EventTag>().Id], await db.EventTags.Select(et => et.Id).ToListAsync());
        }
    }

    [Fact]
    public async Task Deleting_a_client_hides_the_interactions_and_notifications_about_it_until_it_is_restored()
    {
        var graph = await TenantGraph.CreateAsync(database);
        await using (var db = graph.Business.Context())
        {
            db.Clients.Remove(await db.Clients.SingleAsync());
            await db.SaveChangesAsync();
        }
        await using (var db = graph.Business.Context())
        {
            Assert.Equal(0, await db.EventUserInteractions.CountAsync());
            Assert.Equal(0, await db.Notifications.CountAsync());
            Assert.Equal(1, await db.Notifications.IgnoreQueryFilters([SoftDeleteRules.Filter]).CountAsync());
            db.Restore(await db.Clients.IgnoreQueryFilters([SoftDeleteRules.Filter]).SingleAsync());
            await db.SaveChangesAsync();
        }
        await using var check = graph.Business.Context();
        Assert.Equal(graph.Row<Tidings.Interactions.EventUserInteraction>().Id, (await check.EventUserInteractions.SingleAsync()).Id);
        Assert.Equal(graph.Row<Tidings.Notifications.Notification>().Id, (await check.Notifications.SingleAsync()).Id);
    }

    [Fact]
    public async Task Deleting_a_tag_hides_its_links_to_clients_and_events()
    {
        var graph = await TenantGraph.CreateAsync(database);
        await using (var db = graph.Business.Context())
        {
            db.Tags.Remove(await db.Tags.SingleAsync());
            await db.SaveChangesAsync();
        }

        await using (var db = graph.Business.Context())
        {
            Assert.Empty(await db.ClientTags.ToListAsync());
            Assert.Empty(await db.EventTags.ToListAsync());
            Assert.Single(await db.ClientTags.IgnoreQueryFilters([SoftDeleteRules.Filter]).ToListAsync());
        }
    }

    [Fact]
    public async Task A_deleted_tags_name_can_be_used_by_a_new_live_tag()
    {
        var business = await database.NewBusinessAsync();
        await using (var db = business.Context())
        {
            var tag = new Tag { Name = "Urgent" };
            db.Tags.Add(tag);
            await db.SaveChangesAsync();
            db.Tags.Remove(tag);
            await db.SaveChangesAsync();
        }

        await using (var db = business.Context())
        {
            db.Tags.Add(new Tag { Name = "Urgent" });
            await db.SaveChangesAsync();
        }

        await using (var check = business.Context())
        {
            Assert.Single(await check.Tags.Where(t => t.Name == "Urgent").ToListAsync());
            Assert.Equal(2, await check.Tags.IgnoreQueryFilters([SoftDeleteRules.Filter]).CountAsync(t => t.Name == "Urgent"));
        }
    }

    [Fact]
    public async Task Two_live_tags_with_one_name_in_one_business_are_refused_by_the_database()
    {
        var business = await database.NewBusinessAsync();
        await using (var db = business.Context())
        {
            db.Tags.Add(new Tag { Name = "Urgent" });
            await db.SaveChangesAsync();
        }

        await using (var db = business.Context())
        {
            db.Tags.Add(new Tag { Name = "Urgent" });
            var refused = await Assert.ThrowsAnyAsync<DbUpdateException>(() => db.SaveChangesAsync());
            Assert.IsAssignableFrom<DbException>(refused.InnerException);
        }

        await using var check = business.Context();
        Assert.Single(await check.Tags.IgnoreQueryFilters([SoftDeleteRules.Filter]).Where(t => t.Name == "Urgent").ToListAsync());
    }

    [Fact]
    public async Task The_same_tag_name_in_two_businesses_is_fine()
    {
        var first = await database.NewBusinessAsync();
        var second = await database.NewBusinessAsync();
        foreach (var business in new[] { first, second })
        {
            await using var db = business.Context();
            db.Tags.Add(new Tag { Name = "Urgent" });
            await db.SaveChangesAsync();
        }

        foreach (var business in new[] { first, second })
        {
            await using var db = business.Context();
            Assert.Equal(business.Id, (await db.Tags.SingleAsync(t => t.Name == "Urgent")).BusinessId);
        }
    }

    [Fact]
    public async Task Removing_a_stub_soft_deletes_the_stored_row_and_ignores_the_stubs_values()
    {
        var business = await database.NewBusinessAsync();
        var client = new Client { Name = "Original", Domain = "original.example", Notes = "keep me", SearchKeywords = ["original"] };
        await using (var db = business.Context())
        {
            db.Clients.Add(client);
            await db.SaveChangesAsync();
        }
        var before = await LoadAnyAsync<Client>(business, client.Id);

        await using (var db = business.Context())
        {
            db.Clients.Remove(new Client { Id = client.Id, BusinessId = business.Id, Name = "whatever" });
            await db.SaveChangesAsync();
        }

        var after = await LoadAnyAsync<Client>(business, client.Id);
        Assert.Equal("Original", after.Name);
        Assert.True(after.IsDeleted);
        Assert.Equal(business.OwnerId, after.DeletedByUserId);
        // updated_at is the server's and moves with any real change; nothing the stub held is written.
        Assert.Equal(
            [nameof(Client.DeletedAt), nameof(Client.DeletedByUserId), nameof(Client.IsDeleted), nameof(Client.UpdatedAt)],
            ChangedProperties(business, before, after));
    }

    [Fact]
    public async Task Deleting_an_already_deleted_row_changes_nothing_and_writes_no_audit_row()
    {
        var business = await database.NewBusinessAsync();
        var client = new Client { Name = "Twice deleted" };
        await using (var db = business.Context())
        {
            db.Clients.Add(client);
            await db.SaveChangesAsync();
            db.Clients.Remove(client);
            await db.SaveChangesAsync();
        }
        var before = await LoadAnyAsync<Client>(business, client.Id);

        // Whether the caller loaded the row or made a stub, there is nothing to write: not even its own values.
        await using (var db = business.Context())
        {
            db.Clients.Remove(await db.Clients.IgnoreQueryFilters([SoftDeleteRules.Filter]).SingleAsync(c => c.Id == client.Id));
            Assert.Equal(0, await db.SaveChangesAsync());
        }
        await using (var db = business.Context())
        {
            db.Clients.Remove(new Client { Id = client.Id, BusinessId = business.Id, Name = "stub" });
            Assert.Equal(0, await db.SaveChangesAsync());
        }

        Assert.Empty(ChangedProperties(business, before, await LoadAnyAsync<Client>(business, client.Id)));
        await using var check = business.Context();
        var recordId = client.Id.ToString();
        Assert.Single(await check.AuditLogs.Where(a => a.RecordId == recordId && a.Action == AuditActions.Delete).ToListAsync());
    }

    [Fact]
    public async Task Purging_a_client_removes_the_row_for_good_and_audits_it()
    {
        var business = await database.NewBusinessAsync();
        var client = new Client { Name = "Purged " + Guid.NewGuid().ToString("N") };
        await using (var db = business.Context())
        {
            db.Clients.Add(client);
            await db.SaveChangesAsync();
        }
        Assert.Equal(1, await CountClientsNamedAsync(client.Name));

        await using (var db = business.Context())
        {
            db.Purge(await db.Clients.SingleAsync(c => c.Id == client.Id));
            await db.SaveChangesAsync();
        }

        await AssertPurgedAsync(business, client);
    }

    [Fact]
    public async Task Purging_a_soft_deleted_client_removes_the_row_for_good_and_audits_it()
    {
        var business = await database.NewBusinessAsync();
        var client = new Client { Name = "Purged from the bin " + Guid.NewGuid().ToString("N") };
        await using (var db = business.Context())
        {
            db.Clients.Add(client);
            await db.SaveChangesAsync();
            db.Clients.Remove(client);
            await db.SaveChangesAsync();
        }
        Assert.Equal(1, await CountClientsNamedAsync(client.Name));

        await using (var db = business.Context())
        {
            db.Purge(await db.Clients.IgnoreQueryFilters([SoftDeleteRules.Filter]).SingleAsync(c => c.Id == client.Id));
            await db.SaveChangesAsync();
        }

        await AssertPurgedAsync(business, client);
    }

    /// <summary>
    /// Deletes the row in two businesses, then checks the first: hidden by default, flagged with who
    /// and when, visible through the SoftDelete switch alone (the other business's stays invisible),
    /// and back after a restore.
    /// </summary>
    private async Task DeletesSoftlyAsync<T>(Func<TenantGraph, Guid> idOf) where T : class, ISoftDeletable
    {
        var graph = await TenantGraph.CreateAsync(database);
        var other = await TenantGraph.CreateAsync(database);
        var id = idOf(graph);
        foreach (var (business, rowId) in new[] { (other.Business, idOf(other)), (graph.Business, id) })
        {
            await using var db = business.Context();
            db.Remove(await db.Set<T>().SingleAsync(ById<T>(rowId)));
            await db.SaveChangesAsync();
        }

        await using (var db = graph.Business.Context())
        {
            Assert.False(await db.Set<T>().AnyAsync(ById<T>(id)));
            var deleted = await db.Set<T>().IgnoreQueryFilters([SoftDeleteRules.Filter]).Where(r => r.IsDeleted).ToListAsync();
            var row = Assert.Single(deleted);
            Assert.Equal(id, db.Entry(row).Property<Guid>("Id").CurrentValue);
            Assert.NotNull(row.DeletedAt);
            Assert.Equal(graph.Business.OwnerId, row.DeletedByUserId);

            db.Restore(row);
            await db.SaveChangesAsync();
        }

        await using (var db = graph.Business.Context())
        {
            var restored = await db.Set<T>().SingleAsync(ById<T>(id));
            Assert.False(restored.IsDeleted);
            Assert.Null(restored.DeletedAt);
            Assert.Null(restored.DeletedByUserId);
        }
    }

    private async Task AssertPurgedAsync(TestBusiness business, Client client)
    {
        await using var db = business.Context();
        Assert.False(await db.Clients.IgnoreQueryFilters().AnyAsync(c => c.Id == client.Id));
        Assert.Equal(0, await CountClientsNamedAsync(client.Name));
        var recordId = client.Id.ToString();
        var purge = await db.AuditLogs.SingleAsync(a => a.RecordId == recordId && a.Action == AuditActions.Purge);
        Assert.Equal("clients", purge.TableName);
        Assert.Equal(client.Name, JsonDocument.Parse(purge.OldValues!).RootElement.GetProperty("name").GetString());
    }

    private static Expression<Func<T, bool>> ById<T>(Guid id) where T : class =>
        row => EF.Property<Guid>(row, "Id") == id;

    private static async Task<T> LoadAnyAsync<T>(TestBusiness business, Guid id) where T : class
    {
        await using var db = business.Context();
        return await db.Set<T>().IgnoreQueryFilters([SoftDeleteRules.Filter]).AsNoTracking().SingleAsync(ById<T>(id));
    }

    /// <summary>Names of the mapped properties whose values differ, compared as EF compares them.</summary>
    private static List<string> ChangedProperties<T>(TestBusiness business, T before, T after)
    {
        using var db = business.Context();
        return db.Model.FindEntityType(typeof(T))!.GetProperties()
            .Where(p => !p.GetValueComparer().Equals(p.PropertyInfo!.GetValue(before), p.PropertyInfo.GetValue(after)))
            .Select(p => p.Name).Order().ToList();
    }

    /// <summary>Counts around the data layer, so neither query filters nor row-level security hide anything.</summary>
    private async Task<long> CountClientsNamedAsync(string value)
    {
        await using var connection = database.OpenBypassConnection();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM clients WHERE name = @value";
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@value";
        parameter.Value = value;
        command.Parameters.Add(parameter);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }
}

public sealed class SoftDeleteTests_Sqlite(SqliteDatabase db) : SoftDeleteTests(db), IClassFixture<SqliteDatabase>;
public sealed class SoftDeleteTests_Postgres(PostgresDatabase db) : SoftDeleteTests(db), IClassFixture<PostgresDatabase>;
public sealed class SoftDeleteTests_Citus(CitusDatabase db) : SoftDeleteTests(db), IClassFixture<CitusDatabase>;
