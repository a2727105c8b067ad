using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Tidings.Delivery.Email;
using Tidings.Delivery.Outbox;
using Tidings.Notifications;
using Tidings.Tests.Infrastructure;

namespace Tidings.Tests.Delivery.Email;

/// <summary>
/// Digests: which are due and what period each covers (from the end of the last one to the due time), the schedule
/// moved on in the person's time zone, nothing enqueued for an empty period, and the digest as it arrives: clients
/// by their most relevant notification, most relevant first.
/// </summary>
public abstract class DigestsTests<TDatabase>(EmailApi<TDatabase> server) where TDatabase : TestDatabase, new()
{
    private const string NewYork = "America/New_York";
    // A winter day: New York is UTC-5, so 08:00 there is 13:00 UTC (DigestSchedule says which, not this comment).
    private static readonly DateTime Winter = new(2026, 1, 15, 0, 0, 0, DateTimeKind.Utc);

    protected static DateTime DueAt(string channel, int hour, string zone) => DigestSchedule.Next(channel, hour, 1, zone, Winter)!.Value;

    protected static async Task<int> EnqueueAsync(TestBusiness business, DateTime now)
    {
        await using var db = business.Context();
        return await Digests.EnqueueDueAsync(db, now, CancellationToken.None);
    }

    protected static async Task<List<OutboxMessage>> DigestsOfAsync(TestBusiness business, Guid userId)
    {
        await using var db = business.Context();
        return await db.OutboxMessages.AsNoTracking().Where(m => m.UserId == userId && m.Type == EmailMessageTypes.Digest).ToListAsync();
    }

    [Fact]
    public async Task A_due_daily_digest_covers_the_period_since_the_last_one_groups_by_client_and_moves_to_the_next_local_hour()
    {
        var business = await server.Database.NewBusinessAsync();
        var due = DueAt(NotificationChannels.DailyDigest, 8, NewYork);
        var from = due.AddDays(-1);
        var ada = await EmailTestData.PersonAsync(business, NotificationChannels.DailyDigest, NewYork, p =>
        {
            p.DigestHour = 8;
            p.NextDigestAt = due;
            p.LastDigestAt = from;
        });
        var acme = await EmailTestData.ClientAsync(business, "Acme");
        var globex = await EmailTestData.ClientAsync(business, "Globex");
        await EmailTestData.NotificationAsync(business, ada.Id, "Before the period", acme, 0.99, from.AddSeconds(-1));
        await EmailTestData.NotificationAsync(business, ada.Id, "Acme opens an office", acme, 0.4, from);
        await EmailTestData.NotificationAsync(business, ada.Id, "Globex hires a CEO", globex, 0.7, from.AddHours(3));
        await EmailTestData.NotificationAsync(business, ada.Id, "Acme raises $50M", acme, 0.95, due.AddHours(-1));
        await EmailTestData.NotificationAsync(business, ada.Id, "A feed stopped", null, 0, due.AddMinutes(-5));
        await EmailTestData.NotificationAsync(business, ada.Id, "At the due time", globex, 0.99, due);
        var now = due.AddMinutes(2);

        Assert.Equal(1, await EnqueueAsync(business, now));

        var outbox = Assert.Single(await DigestsOfAsync(business, ada.Id));
        Assert.Equal((OutboxChannels.Email, OutboxStates.Pending, now), (outbox.Channel, outbox.State, outbox.NextAttemptAt));
        var period = EmailMessageTypes.Read<EmailMessageTypes.DigestPeriod>(outbox.Payload);
        Assert.Equal((from, due, Digests.Daily), (period.From, period.To, period.Period));
        var preference = await EmailTestData.PreferenceAsync(business, ada.Id);
        var next = DigestSchedule.Next(NotificationChannels.DailyDigest, 8, 1, NewYork, now)!.Value;
        Assert.Equal((due, next), (preference.LastDigestAt, preference.NextDigestAt));
        Assert.Equal(8, TimeZoneInfo.ConvertTimeFromUtc(next, DigestSchedule.Zone(NewYork)).Hour);
        Assert.Equal(due.AddDays(1), next);

        await using (var db = business.Context())
            Assert.True((await server.Services.GetRequiredService<EmailDelivery>().SendAsync(db, outbox, CancellationToken.None)).Delivered);
        var mail = Assert.Single(server.ReceivedBy(ada.Email));
        var text = mail.TextBody ?? "";
        Assert.DoesNotContain("Before the period", text);
        Assert.DoesNotContain("At the due time", text);
        var order = new[] { "== Acme (2) ==", "Acme raises $50M", "Acme opens an office", "== Globex (1) ==", "Globex hires a CEO", $"== {EmailComposer.OtherNotifications} (1) ==", "A feed stopped" }
            .Select(s => text.IndexOf(s, StringComparison.Ordinal)).ToList();
        Assert.DoesNotContain(-1, order);
        Assert.Equal(order.Order().ToList(), order);
        var localDay = TimeZoneInfo.ConvertTimeFromUtc(due, DigestSchedule.Zone(NewYork));
        Assert.Contains($"daily Tidings digest for {localDay:d MMMM yyyy}", mail.Subject);
        Assert.StartsWith($"<{EmailApi<TDatabase>.AppAddress}/unsubscribe?b={business.Id}&u={ada.Id}&t=", mail.Headers["List-Unsubscribe"]);
    }

    [Fact]
    public async Task A_period_without_notifications_enqueues_nothing_but_the_schedule_moves_on()
    {
        var business = await server.Database.NewBusinessAsync();
        var due = DueAt(NotificationChannels.DailyDigest, 7, "UTC");
        var ada = await EmailTestData.PersonAsync(business, NotificationChannels.DailyDigest, configure: p => { p.DigestHour = 7; p.NextDigestAt = due; });
        await EmailTestData.NotificationAsync(business, ada.Id, "Long before", await EmailTestData.ClientAsync(business, "Acme"), 0.9, due.AddDays(-2));

        Assert.Equal(0, await EnqueueAsync(business, due.AddSeconds(1)));

        Assert.Empty(await DigestsOfAsync(business, ada.Id));
        var preference = await EmailTestData.PreferenceAsync(business, ada.Id);
        Assert.Equal((due, due.AddDays(1)), (preference.LastDigestAt, preference.NextDigestAt));
    }

    [Fact]
    public async Task A_digest_not_yet_due_is_left_alone()
    {
        var business = await server.Database.NewBusinessAsync();
        var due = DueAt(NotificationChannels.DailyDigest, 9, "UTC");
        var ada = await EmailTestData.PersonAsync(business, NotificationChannels.DailyDigest, configure: p => { p.DigestHour = 9; p.NextDigestAt = due; });
        await EmailTestData.NotificationAsync(business, ada.Id, "Recent", await EmailTestData.ClientAsync(business, "Acme"), 0.9, due.AddHours(-2));
        var before = await EmailTestData.PreferenceAsync(business, ada.Id);

        Assert.Equal(0, await EnqueueAsync(business, due.AddSeconds(-1)));

        Assert.Empty(await DigestsOfAsync(business, ada.Id));
        var after = await EmailTestData.PreferenceAsync(business, ada.Id);
        Assert.Equal((before.NextDigestAt, before.LastDigestAt, before.UpdatedAt), (after.NextDigestAt, after.LastDigestAt, after.UpdatedAt));
    }

    [Fact]
    public async Task After_three_days_down_one_digest_covers_them_and_the_next_is_after_now()
    {
        var business = await server.Database.NewBusinessAsync();
        var due = DueAt(NotificationChannels.DailyDigest, 8, NewYork);
        var ada = await EmailTestData.PersonAsync(business, NotificationChannels.DailyDigest, NewYork, p => { p.DigestHour = 8; p.NextDigestAt = due; p.LastDigestAt = due.AddDays(-1); });
        await EmailTestData.NotificationAsync(business, ada.Id, "In the missed period", await EmailTestData.ClientAsync(business, "Acme"), 0.9, due.AddHours(-1));
        var now = due.AddDays(3).AddHours(1);

        Assert.Equal(1, await EnqueueAsync(business, now));
        Assert.Equal(0, await EnqueueAsync(business, now));

        var period = EmailMessageTypes.Read<EmailMessageTypes.DigestPeriod>(Assert.Single(await DigestsOfAsync(business, ada.Id)).Payload);
        Assert.Equal((due.AddDays(-1), due), (period.From, period.To));
        var preference = await EmailTestData.PreferenceAsync(business, ada.Id);
        Assert.Equal((due, DigestSchedule.Next(NotificationChannels.DailyDigest, 8, 1, NewYork, now)), (preference.LastDigestAt, preference.NextDigestAt));
        Assert.True(preference.NextDigestAt > now);
    }

    [Fact]
    public async Task A_first_weekly_digest_covers_the_week_before_it()
    {
        var business = await server.Database.NewBusinessAsync();
        var due = DigestSchedule.Next(NotificationChannels.WeeklyDigest, 8, 1, "Europe/Paris", Winter)!.Value;
        var ada = await EmailTestData.PersonAsync(business, NotificationChannels.WeeklyDigest, "Europe/Paris", p => { p.DigestHour = 8; p.DigestDay = 1; p.NextDigestAt = due; });
        await EmailTestData.NotificationAsync(business, ada.Id, "Six days ago", await EmailTestData.ClientAsync(business, "Acme"), 0.9, due.AddDays(-6));

        Assert.Equal(1, await EnqueueAsync(business, due));

        var period = EmailMessageTypes.Read<EmailMessageTypes.DigestPeriod>(Assert.Single(await DigestsOfAsync(business, ada.Id)).Payload);
        Assert.Equal((due.AddDays(-7), due, Digests.Weekly), (period.From, period.To, period.Period));
        Assert.Equal(due.AddDays(7), (await EmailTestData.PreferenceAsync(business, ada.Id)).NextDigestAt);
    }

    [Fact]
    public async Task A_digest_enqueued_for_someone_who_then_chose_email_at_once_sends_nothing()
    {
        var business = await server.Database.NewBusinessAsync();
        var due = DueAt(NotificationChannels.DailyDigest, 8, "UTC");
        var ada = await EmailTestData.PersonAsync(business, NotificationChannels.DailyDigest, configure: p => { p.DigestHour = 8; p.NextDigestAt = due; });
        await EmailTestData.NotificationAsync(business, ada.Id, "Recent", await EmailTestData.ClientAsync(business, "Acme"), 0.9, due.AddHours(-1));
        Assert.Equal(1, await EnqueueAsync(business, due));
        await using (var db = business.Context())
        {
            var preference = await db.NotificationPreferences.SingleAsync(p => p.UserId == ada.Id);
            preference.Channel = NotificationChannels.Email;
            preference.NextDigestAt = null;
            await db.SaveChangesAsync();
        }

        DeliveryResult result;
        await using (var db = business.Context())
            result = await server.Services.GetRequiredService<EmailDelivery>().SendAsync(db, Assert.Single(await DigestsOfAsync(business, ada.Id)), CancellationToken.None);

        Assert.Equal((true, true), (result.Delivered, result.Dropped));
        Assert.Empty(server.ReceivedBy(ada.Email));
    }
}

public sealed class DigestsTests_Sqlite(EmailSqliteApi server) : DigestsTests<SqliteDatabase>(server), IClassFixture<EmailSqliteApi>;

public sealed class DigestsTests_Postgres(EmailPostgresApi server) : DigestsTests<PostgresDatabase>(server), IClassFixture<EmailPostgresApi>
{
    private readonly EmailPostgresApi _server = server;

    /// <summary>
    /// Two dispatchers read the same due digest, then both try to save while a third transaction holds the row: the
    /// first to get it enqueues, the other finds the row changed since it read it and leaves the digest to the first.
    /// </summary>
    [Fact]
    public async Task Two_dispatchers_at_once_enqueue_a_digest_once()
    {
        var business = await _server.Database.NewBusinessAsync();
        var due = DueAt(NotificationChannels.DailyDigest, 8, "UTC");
        var ada = await EmailTestData.PersonAsync(business, NotificationChannels.DailyDigest, configure: p => { p.DigestHour = 8; p.NextDigestAt = due; });
        await EmailTestData.NotificationAsync(business, ada.Id, "Recent", await EmailTestData.ClientAsync(business, "Acme"), 0.9, due.AddHours(-1));
        var preferenceId = (await EmailTestData.PreferenceAsync(business, ada.Id)).Id;

        await using var holder = (NpgsqlConnection)_server.Database.OpenBypassConnection();
        await using var hold = await holder.BeginTransactionAsync();
        await using (var lockRow = new NpgsqlCommand("SELECT 1 FROM notification_preferences WHERE id = @id FOR UPDATE", holder, hold))
        {
            lockRow.Parameters.AddWithValue("id", preferenceId);
            await lockRow.ExecuteScalarAsync();
        }
        var first = EnqueueAsync(business, due.AddMinutes(1));
        var second = EnqueueAsync(business, due.AddMinutes(1));
        await BothWaitingAsync(holder, first, second);
        await hold.CommitAsync();

        var enqueued = await Task.WhenAll(first, second);

        Assert.Equal(new[] { 0, 1 }, enqueued.Order().ToArray());
        Assert.Single(await DigestsOfAsync(business, ada.Id));
        Assert.Equal(due.AddDays(1), (await EmailTestData.PreferenceAsync(business, ada.Id)).NextDigestAt);
    }

    /// <summary>
    /// Until both dispatchers have read the row and wait for its lock (the server says when), or a while has passed: on
    /// a machine loaded by the whole suite one may not get there in time, and the outcome asserted holds whatever the
    /// interleaving (one finding the row moved on, or its save refused), so the test waits for the race, not on it.
    /// </summary>
    private static async Task BothWaitingAsync(NpgsqlConnection holder, params Task[] work)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            await using var count = new NpgsqlCommand(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()", holder);
            if ((long)(await count.ExecuteScalarAsync())! >= 2)
                return;
            if (work.FirstOrDefault(t => t.IsCompleted) is { } done)
                await done; // a failure shows here rather than as a wait that never ends
            await Task.Delay(50);
        }
    }
}
