using Microsoft.EntityFrameworkCore;
using Tidings.Clients;
using Tidings.Data;
using Tidings.Data.Auditing;
using Tidings.Data.SoftDelete;
using Tidings.Data.Tenancy;
using Tidings.Events;
using Tidings.Tags;
using Tidings.Tests.Infrastructure;
using Tidings.Users;

namespace Tidings.Tests.Data;

/// <summary>
/// Walks every tenant-owned entity of the model and proves, for each, that one business can neither
/// see nor write another's rows, whatever way the row is reached.
/// </summary>
public abstract class TenancyTests(TestDatabase database)
{
    private static IReadOnlyList<Type> TenantOwnedTypes(TidingsDbContext db) =>
        db.Model.GetEntityTypes().Select(t => t.ClrType).Where(t => typeof(ITenantOwned).IsAssignableFrom(t)).ToList();

    [Fact]
    public async Task Every_tenant_owned_entity_has_a_row_in_the_isolation_graph()
    {
        var graph = await TenantGraph.CreateAsync(database);
        await using var db = graph.Business.Context();
        var missing = TenantOwnedTypes(db).Where(t => !graph.Rows.ContainsKey(t)).Select(t => t.Name).ToList();
        Assert.True(missing.Count == 0, $"Add a row of {string.Join(", ", missing)} to TenantGraph so its isolation is tested.");
        Assert.True(TenantOwnedTypes(db).Count >= 8);
    }

    [Fact]
    public async Task A_business_reads_none_of_another_business_rows_of_any_entity()
    {
        var a = await TenantGraph.CreateAsync(database);
        var b = await TenantGraph.CreateAsync(database);
        await using var db = a.Business.Context();
        foreach (var type in TenantOwnedTypes(db))
        {
            var ids = await EntitySets.IdsAsync(db, type, includeDeleted: true);
            Assert.Contains(EntitySets.IdOf(a.Rows[type]), ids);
            Assert.DoesNotContain(EntitySets.IdOf(b.Rows[type]), ids);
            var businesses = await EntitySets.BusinessIdsAsync(db, type);
            Assert.All(businesses, id => Assert.Equal(a.Business.Id, id));
        }
    }

    [Fact]
    public async Task Find_answers_null_for_another_business_row_of_any_entity()
    {
        var a = await TenantGraph.CreateAsync(database);
        var b = await TenantGraph.CreateAsync(database);
        await using var db = a.Business.Context();
        foreach (var type in TenantOwnedTypes(db))
        {
            var bId = EntitySets.IdOf(b.Rows[type]);
            Assert.Null(await db.FindAsync(type, b.Business.Id, bId));
            Assert.Null(await db.FindAsync(type, a.Business.Id, bId));
            Assert.NotNull(await db.FindAsync(type, a.Business.Id, EntitySets.IdOf(a.Rows[type])));
        }
    }

    [Fact]
    public async Task Includes_joins_projections_and_aggregates_stay_within_the_business()
    {
        var a = await TenantGraph.CreateAsync(database);
        var b = await TenantGraph.CreateAsync(database);
        await using var db = a.Business.Context();

        var clients = await db.Clients
            .Include(c => c.Events).ThenInclude(e => e.UserInteractions)
            .Include(c => c.ClientTags).ThenInclude(ct => ct.Tag)
            .Include(c => c.AssignedToUser)
            .ToListAsync();
        var client = Assert.Single(clients);
        Assert.Equal(a.Row<Client>().Id, client.Id);
        Assert.Equal(a.Business.Id, Assert.Single(client.Events).BusinessId);
        Assert.Equal(a.Business.Id, Assert.Single(client.ClientTags).Tag!.BusinessId);
        Assert.Equal(a.Business.Id, client.AssignedToUser!.BusinessId);

        var projected = await db.Events
            .Select(e => new { e.Id, ClientName = e.Client!.Name, Reads = e.UserInteractions.Count(i => i.IsRead), Tags = e.EventTags.Select(t => t.Tag!.Name).ToList() })
            .ToListAsync();
        var only = Assert.Single(projected);
        Assert.Equal(a.Row<Client>().Name, only.ClientName);
        Assert.Equal(1, only.Reads);
        Assert.Equal([a.Row<Tag>().Name], only.Tags);

        var joined = await (from e in db.Events join c in db.Clients on e.ClientId equals c.Id select c.Id).ToListAsync();
        Assert.Equal([a.Row<Client>().Id], joined);
        Assert.Equal(1, await db.Events.CountAsync());
        Assert.Equal(1, await db.Users.CountAsync(u => u.Role == "member"));
        Assert.False(await db.Clients.AnyAsync(c => c.Id == b.Row<Client>().Id));
        Assert.Empty(await db.AuditLogs.Where(l => l.RecordId == b.Row<Client>().Id.ToString()).ToListAsync());
        Assert.Equal(a.Business.Id, (await db.Businesses.SingleAsync()).Id);
    }

    [Fact]
    public async Task A_business_cannot_insert_a_row_into_another_business()
    {
        var a = await TenantGraph.CreateAsync(database);
        var b = await TenantGraph.CreateAsync(database);
        var before = await b.SnapshotAsync();
        await using var db = a.Business.Context();
        foreach (var type in TenantOwnedTypes(db))
        {
            var copy = EntitySets.Copy(b.Rows[type], newId: true);
            db.Add(copy);
            await Assert.ThrowsAsync<TenancyViolationException>(() => db.SaveChangesAsync());
            db.ChangeTracker.Clear();
        }
        Assert.Equal(before, await b.SnapshotAsync());
    }

    [Fact]
    public async Task A_business_cannot_update_another_business_row_not_even_through_a_stub()
    {
        var a = await TenantGraph.CreateAsync(database);
        var b = await TenantGraph.CreateAsync(database);
        var before = await b.SnapshotAsync();
        await using var db = a.Business.Context();
        foreach (var type in TenantOwnedTypes(db))
        {
            // The row as it is in B, and the same id passed off as one of A's.
            db.Update(EntitySets.Copy(b.Rows[type], newId: false, touch: true));
            await Assert.ThrowsAsync<TenancyViolationException>(() => db.SaveChangesAsync());
            db.ChangeTracker.Clear();

            var stub = EntitySets.Copy(b.Rows[type], newId: false, touch: true);
            ((ITenantOwned)stub).BusinessId = a.Business.Id;
            db.Update(stub);
            await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => db.SaveChangesAsync());
            db.ChangeTracker.Clear();
        }
        Assert.Equal(before, await b.SnapshotAsync());
    }

    [Fact]
    public async Task A_business_cannot_delete_another_business_row_not_even_through_a_stub()
    {
        var a = await TenantGraph.CreateAsync(database);
        var b = await TenantGraph.CreateAsync(database);
        var before = await b.SnapshotAsync();
        await using var db = a.Business.Context();
        foreach (var type in TenantOwnedTypes(db))
        {
            db.Remove(EntitySets.Copy(b.Rows[type], newId: false));
            await Assert.ThrowsAsync<TenancyViolationException>(() => db.SaveChangesAsync());
            db.ChangeTracker.Clear();

            var stub = EntitySets.Copy(b.Rows[type], newId: false);
            ((ITenantOwned)stub).BusinessId = a.Business.Id;
            db.Remove(stub);
            await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => db.SaveChangesAsync());
            db.ChangeTracker.Clear();

            // Purge goes through the same checks.
            db.Purge(EntitySets.Copy(b.Rows[type], newId: false));
            await Assert.ThrowsAsync<TenancyViolationException>(() => db.SaveChangesAsync());
            db.ChangeTracker.Clear();
        }
        Assert.Equal(before, await b.SnapshotAsync());
    }

    [Fact]
    public async Task A_row_never_moves_to_another_business()
    {
        var a = await TenantGraph.CreateAsync(database);
        var b = await TenantGraph.CreateAsync(database);
        await using var db = a.Business.Context();
        var client = await db.Clients.SingleAsync();
        // business_id is part of the key, so EF itself refuses to change it; either refusal is fine.
        await Assert.ThrowsAnyAsync<InvalidOperationException>(async () =>
        {
            client.BusinessId = b.Business.Id;
            await db.SaveChangesAsync();
        });
        await using var check = a.Business.Context();
        Assert.Equal(a.Business.Id, (await check.Clients.SingleAsync()).BusinessId);
    }

    [Fact]
    public async Task Inserts_are_stamped_with_the_current_business()
    {
        var a = await database.NewBusinessAsync();
        await using var db = a.Context();
        var client = new Client { Name = "Stamped" };
        db.Clients.Add(client);
        await db.SaveChangesAsync();
        Assert.Equal(a.Id, client.BusinessId);
        var ev = new Event { Client = client, Title = "Follows its client", Category = "funding", EventDate = DateTime.UtcNow };
        db.Events.Add(ev);
        await db.SaveChangesAsync();
        Assert.Equal(a.Id, ev.BusinessId);
    }

    [Fact]
    public async Task Without_a_business_the_data_layer_fails_closed()
    {
        await TenantGraph.CreateAsync(database);
        await using var db = database.Context(businessId: null);
        foreach (var type in TenantOwnedTypes(db))
            await Assert.ThrowsAsync<TenantNotSetException>(() => EntitySets.IdsAsync(db, type, includeDeleted: true));
        await Assert.ThrowsAsync<TenantNotSetException>(() => db.Businesses.ToListAsync());
        await Assert.ThrowsAsync<TenantNotSetException>(() => db.AuditLogs.ToListAsync());
        await Assert.ThrowsAsync<TenantNotSetException>(() => db.Clients.IgnoreQueryFilters([SoftDeleteRules.Filter]).CountAsync());

        db.Clients.Add(new Client { Name = "Nobody's" });
        await Assert.ThrowsAsync<TenantNotSetException>(() => db.SaveChangesAsync());
        Assert.Throws<TenancyViolationException>(() => db.AcrossBusinesses<Client>());
    }

    [Fact]
    public async Task Concurrent_contexts_of_two_businesses_never_mix()
    {
        var a = await database.NewBusinessAsync();
        var b = await database.NewBusinessAsync();
        var work = Enumerable.Range(0, 24).Select(async i =>
        {
            var business = i % 2 == 0 ? a : b;
            await using var db = business.Context();
            db.Clients.Add(new Client { Name = $"Client {i}" });
            await db.SaveChangesAsync();
            var seen = await db.Clients.Select(c => c.BusinessId).ToListAsync();
            Assert.NotEmpty(seen);
            Assert.All(seen, id => Assert.Equal(business.Id, id));
        });
        await Task.WhenAll(work);
        await using var checkA = a.Context();
        Assert.Equal(12, await checkA.Clients.CountAsync());
    }

    [Fact]
    public async Task The_platform_scope_reads_across_businesses_and_is_audited()
    {
        var a = await TenantGraph.CreateAsync(database);
        var b = await TenantGraph.CreateAsync(database);
        await using var db = database.Context(businessId: null);
        var scopeName = "test-scan-" + Guid.NewGuid().ToString("N");
        using (await db.BeginPlatformScopeAsync(scopeName))
        {
            var ids = await db.AcrossBusinesses<User>().Select(u => u.Id).ToListAsync();
            Assert.Contains(a.Row<User>().Id, ids);
            Assert.Contains(b.Row<User>().Id, ids);
            // Business data never crosses, not even inside the scope (PostgreSQL has no policy that would let it).
            Assert.Throws<TenancyViolationException>(() => db.AcrossBusinesses<Client>());
            // A scope opened for no business is the platform's own entry, never one of a business's trail.
            var entry = await db.AcrossBusinesses<PlatformAuditLog>().SingleAsync(l => l.RecordId == scopeName);
            Assert.Equal(AuditActions.PlatformScope, entry.Action);
            Assert.Equal("system:tests", entry.ActorName);
            Assert.False(await db.AcrossBusinesses<AuditLog>().AnyAsync(l => l.RecordId == scopeName));
            Assert.Equal(1, await db.PlatformAuditLogs.CountAsync(l => l.RecordId == scopeName));
        }
        Assert.Throws<TenancyViolationException>(() => db.AcrossBusinesses<Client>());
        // Outside the scope the platform's entries are not there to read.
        Assert.Equal(0, await db.PlatformAuditLogs.CountAsync(l => l.RecordId == scopeName));
    }

    [Fact]
    public async Task The_database_refuses_a_cross_business_reference_when_the_data_layer_is_bypassed()
    {
        var a = await TenantGraph.CreateAsync(database);
        var b = await TenantGraph.CreateAsync(database);
        await using var raw = new RawSql(database);

        // Control: the same statement with a consistent business is accepted.
        await raw.InsertEventAsync(b.Business.Id, b.Row<Client>().Id);
        await Assert.ThrowsAnyAsync<Exception>(() => raw.InsertEventAsync(a.Business.Id, b.Row<Client>().Id));

        await Assert.ThrowsAnyAsync<Exception>(() => raw.ExecuteAsync(
            "INSERT INTO client_tags (id, business_id, client_id, tag_id, created_at) VALUES (@id, @business, @client, @tag, @now)",
            ("id", Guid.CreateVersion7()), ("business", a.Business.Id), ("client", a.Row<Client>().Id), ("tag", b.Row<Tag>().Id), ("now", DateTime.UtcNow)));
        await Assert.ThrowsAnyAsync<Exception>(() => raw.ExecuteAsync(
            "UPDATE clients SET assigned_to_user_id = @user WHERE business_id = @business AND id = @client",
            ("user", b.Row<Tidings.Users.User>().Id), ("business", a.Business.Id), ("client", a.Row<Client>().Id)));
        await Assert.ThrowsAnyAsync<Exception>(() => raw.ExecuteAsync(
            "INSERT INTO event_user_interactions (id, business_id, event_id, user_id, is_read, is_starred, created_at, updated_at) VALUES (@id, @business, @event, @user, @no, @no, @now, @now)",
            ("id", Guid.CreateVersion7()), ("business", a.Business.Id), ("event", a.Row<Event>().Id), ("user", b.Row<Tidings.Users.User>().Id), ("no", false), ("now", DateTime.UtcNow)));

        await using var db = a.Business.Context();
        Assert.Equal(1, await db.Events.CountAsync());
        Assert.Equal(1, await db.ClientTags.CountAsync());
        Assert.Equal(a.Row<Client>().AssignedToUserId, (await db.Clients.SingleAsync()).AssignedToUserId);
    }
}

public sealed class TenancyTests_Sqlite(SqliteDatabase db) : TenancyTests(db), IClassFixture<SqliteDatabase>;
public sealed class TenancyTests_Postgres(PostgresDatabase db) : TenancyTests(db), IClassFixture<PostgresDatabase>;
public sealed class TenancyTests_Citus(CitusDatabase db) : TenancyTests(db), IClassFixture<CitusDatabase>;
