using Microsoft.EntityFrameworkCore;
using Tidings.Clients;
using Tidings.Data.SoftDelete;
using Tidings.Events;
using Tidings.Tests.Infrastructure;
using Tidings.Users;

namespace Tidings.Tests.Data;

public abstract class StampingTests(TestDatabase database)
{
    // Whole milliseconds, so every provider can hold them exactly.
    private static readonly DateTimeOffset Created = new(2030, 5, 6, 7, 8, 9, 123, TimeSpan.Zero);
    private static readonly DateTimeOffset Later = Created.AddHours(1);

    [Fact]
    public async Task Inserting_replaces_caller_supplied_stamps_with_the_servers()
    {
        var business = await database.NewBusinessAsync();
        var someoneElse = await AddMemberAsync(business);
        var client = new Client
        {
            Name = "Backdated",
            CreatedAt = new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc),
            UpdatedAt = new DateTime(2002, 1, 1, 0, 0, 0, DateTimeKind.Utc),
            CreatedByUserId = someoneElse.Id,
        };
        await using (var db = business.Context(new FixedClock(Created)))
        {
            db.Clients.Add(client);
            await db.SaveChangesAsync();
        }

        var stored = await LoadAsync(business, client.Id);
        Assert.Equal(Created.UtcDateTime, stored.CreatedAt);
        Assert.Equal(Created.UtcDateTime, stored.UpdatedAt);
        Assert.Equal(business.OwnerId, stored.CreatedByUserId);
    }

    [Fact]
    public async Task Updating_keeps_the_created_stamps_and_moves_updated_at()
    {
        var business = await database.NewBusinessAsync();
        var someoneElse = await AddMemberAsync(business);
        var client = await AddClientAsync(business, "Before");

        await using (var db = business.Context(new FixedClock(Later)))
        {
            var loaded = await db.Clients.SingleAsync(c => c.Id == client.Id);
            loaded.Name = "After";
            loaded.CreatedAt = new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc);
            loaded.CreatedByUserId = someoneElse.Id;
            await db.SaveChangesAsync();
        }

        var stored = await LoadAsync(business, client.Id);
        Assert.Equal("After", stored.Name);
        Assert.Equal(Created.UtcDateTime, stored.CreatedAt);
        Assert.Equal(business.OwnerId, stored.CreatedByUserId);
        Assert.Equal(Later.UtcDateTime, stored.UpdatedAt);
    }

    [Fact]
    public async Task An_update_that_changes_nothing_leaves_updated_at_alone()
    {
        var business = await database.NewBusinessAsync();
        var client = await AddClientAsync(business, "Steady");

        await using (var db = business.Context(new FixedClock(Later)))
        {
            var loaded = await db.Clients.SingleAsync(c => c.Id == client.Id);
            loaded.Name = "Steady";
            // Put back by the server, so not a change either.
            loaded.CreatedAt = new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc);
            Assert.Equal(0, await db.SaveChangesAsync());
        }

        Assert.Equal(Created.UtcDateTime, (await LoadAsync(business, client.Id)).UpdatedAt);
    }

    [Fact]
    public async Task A_caller_supplied_updated_at_is_put_back_on_update()
    {
        var business = await database.NewBusinessAsync();
        var client = await AddClientAsync(business, "Steady");

        await using (var db = business.Context(new FixedClock(Later)))
        {
            var loaded = await db.Clients.SingleAsync(c => c.Id == client.Id);
            loaded.UpdatedAt = new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc);
            await db.SaveChangesAsync();
        }

        // Nothing the caller owns changed, so updated_at keeps the insert's stamp.
        Assert.Equal(Created.UtcDateTime, (await LoadAsync(business, client.Id)).UpdatedAt);
    }

    [Fact]
    public async Task Timestamps_read_back_as_utc_with_the_instant_that_was_written()
    {
        var business = await database.NewBusinessAsync();
        var lastChecked = Created.UtcDateTime.AddMinutes(-5);
        var happened = Created.UtcDateTime.AddDays(-1);
        var client = new Client { Name = "Timely", LastCheckedAt = lastChecked };
        var ev = new Event { ClientId = client.Id, Title = "Timely news", Category = "news", EventDate = happened };
        await using (var db = business.Context(new FixedClock(Created)))
        {
            db.AddRange(client, ev);
            await db.SaveChangesAsync();
        }
        await using (var db = business.Context(new FixedClock(Later)))
        {
            db.Events.Remove(await db.Events.SingleAsync(e => e.Id == ev.Id));
            await db.SaveChangesAsync();
        }

        await using var check = business.Context();
        var storedClient = await check.Clients.SingleAsync(c => c.Id == client.Id);
        var storedEvent = await check.Events.IgnoreQueryFilters([SoftDeleteRules.Filter]).SingleAsync(e => e.Id == ev.Id);
        var recordId = client.Id.ToString();
        var log = await check.AuditLogs.SingleAsync(a => a.RecordId == recordId);
        AssertUtc(Created.UtcDateTime, storedClient.CreatedAt);
        AssertUtc(Created.UtcDateTime, storedClient.UpdatedAt);
        AssertUtc(lastChecked, storedClient.LastCheckedAt);
        AssertUtc(happened, storedEvent.EventDate);
        AssertUtc(Created.UtcDateTime, storedEvent.DiscoveredAt);
        AssertUtc(Later.UtcDateTime, storedEvent.DeletedAt);
        AssertUtc(Created.UtcDateTime, log.CreatedAt);
    }

    [Fact]
    public async Task A_server_stamp_reads_back_exactly_as_the_saved_entity_holds_it()
    {
        var business = await database.NewBusinessAsync();
        // A real clock ticks in 100 ns steps; what the caller holds after saving must be what was stored.
        var client = new Client { Name = "Precise" };
        await using (var db = business.Context(new FixedClock(Created.AddTicks(4567))))
        {
            db.Clients.Add(client);
            await db.SaveChangesAsync();
        }

        var stored = await LoadAsync(business, client.Id);
        Assert.Equal(client.CreatedAt, stored.CreatedAt);
        Assert.Equal(client.UpdatedAt, stored.UpdatedAt);
    }

    [Fact]
    public async Task Ids_are_uuid_v7_and_sort_in_the_order_rows_were_made()
    {
        var business = await database.NewBusinessAsync();
        var startedMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var clients = new List<Client>();
        for (var i = 0; i < 5; i++)
            clients.Add(await AddClientAsync(business, $"Client {i}"));
        var finishedMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        Assert.All(clients, c => Assert.Equal(7, c.Id.Version));
        var madeAt = clients.Select(c => UnixMilliseconds(c.Id)).ToList();
        Assert.All(madeAt, ms => Assert.InRange(ms, startedMs, finishedMs));
        Assert.Equal(madeAt.Order(), madeAt);

        // The database orders ids as .NET does, so ordering by id is ordering by creation time.
        await using var db = business.Context();
        var stored = await db.Clients.OrderBy(c => c.Id).Select(c => c.Id).ToListAsync();
        Assert.Equal(clients.Select(c => c.Id).Order(), stored);
        Assert.Equal(madeAt.Order(), stored.Select(UnixMilliseconds));
    }

    private static void AssertUtc(DateTime expected, DateTime? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(DateTimeKind.Utc, actual.Value.Kind);
        Assert.Equal(expected, actual.Value);
    }

    /// <summary>A UUIDv7 starts with its creation time: 48 bits of Unix milliseconds.</summary>
    private static long UnixMilliseconds(Guid id) => Convert.ToInt64(id.ToString("N")[..12], 16);

    private static async Task<User> AddMemberAsync(TestBusiness business)
    {
        var member = new User { Email = $"{Guid.NewGuid():N}@example.test", DisplayName = "Someone else" };
        await using var db = business.Context();
        db.Users.Add(member);
        await db.SaveChangesAsync();
        return member;
    }

    private static async Task<Client> AddClientAsync(TestBusiness business, string name)
    {
        var client = new Client { Name = name };
        await using var db = business.Context(new FixedClock(Created));
        db.Clients.Add(client);
        await db.SaveChangesAsync();
        return client;
    }

    private static async Task<Client> LoadAsync(TestBusiness business, Guid id)
    {
        await using var db = business.Context();
        return await db.Clients.AsNoTracking().SingleAsync(c => c.Id == id);
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}

public sealed class StampingTests_Sqlite(SqliteDatabase db) : StampingTests(db), IClassFixture<SqliteDatabase>;
public sealed class StampingTests_Postgres(PostgresDatabase db) : StampingTests(db), IClassFixture<PostgresDatabase>;
