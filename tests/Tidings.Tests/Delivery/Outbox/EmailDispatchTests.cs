using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tidings.Data;
using Tidings.Delivery.Email;
using Tidings.Delivery.Outbox;
using Tidings.Notifications;
using Tidings.Tests.Clients;
using Tidings.Tests.Delivery.Email;
using Tidings.Tests.Infrastructure;
using Tidings.Users;

namespace Tidings.Tests.Delivery.Outbox;

/// <summary>
/// E-mail end to end: a change made through the API notifies a person, the notification queues an e-mail when their
/// preference says so, and a round of the dispatcher sends it (at once, or in the digest due) to the in-process SMTP server.
/// </summary>
public abstract class EmailDispatchTests<TDatabase>(EmailApi<TDatabase> server) where TDatabase : TestDatabase, new()
{
    private DispatchRound Dispatcher => server.Services.GetRequiredService<DispatchRound>();

    private async Task<ApiUser> PersonAsync(ApiUser owner, string channel, DateTime? nextDigestAt = null)
    {
        var member = await server.AddUserAsync(owner, UserRoles.Member);
        await using var db = server.Database.Context(owner.BusinessId);
        db.NotificationPreferences.Add(new NotificationPreference
        {
            UserId = member.Id, Channel = channel, UnsubscribeToken = UnsubscribeLinks.NewToken(),
            NextDigestAt = nextDigestAt is { } at ? StoredTime.Of(at) : null,
        });
        await db.SaveChangesAsync();
        return member;
    }

    [Fact]
    public async Task A_client_assigned_to_someone_who_chose_email_at_once_reaches_their_inbox_from_the_outbox()
    {
        var owner = await server.SignUpAsync();
        var member = await PersonAsync(owner, NotificationChannels.Email);
        var inApp = await PersonAsync(owner, NotificationChannels.InApp);

        await owner.Http.CallAsync("POST", "/api/clients", new { name = "Mailed Corp", assignedToUserId = member.Id }).ExpectAsync(HttpStatusCode.Created);
        await owner.Http.CallAsync("POST", "/api/clients", new { name = "Quiet Corp", assignedToUserId = inApp.Id }).ExpectAsync(HttpStatusCode.Created);
        Assert.Empty(server.ReceivedBy(member.Email));

        var totals = await Dispatcher.RunAsync(default);

        var mail = Assert.Single(server.ReceivedBy(member.Email));
        Assert.Contains("Mailed Corp", mail.Subject);
        Assert.Contains(EmailApi<TDatabase>.AppAddress + "/clients/", mail.TextBody);
        Assert.Empty(server.ReceivedBy(inApp.Email));
        Assert.True(totals.Delivered >= 1);
        await using var db = server.Database.Context(owner.BusinessId);
        var message = await db.OutboxMessages.AsNoTracking().SingleAsync(m => m.UserId == member.Id);
        Assert.Equal((OutboxStates.Delivered, OutboxChannels.Email, EmailMessageTypes.Notification), (message.State, message.Channel, message.Type));
        Assert.False(await db.OutboxMessages.AnyAsync(m => m.UserId == inApp.Id));

        await Dispatcher.RunAsync(default);
        Assert.Single(server.ReceivedBy(member.Email));
    }

    [Fact]
    public async Task A_due_daily_digest_is_queued_and_sent_in_the_same_round_with_what_came_since_the_last()
    {
        var owner = await server.SignUpAsync();
        var member = await PersonAsync(owner, NotificationChannels.DailyDigest, nextDigestAt: DateTime.UtcNow.AddDays(1));
        await owner.Http.CallAsync("POST", "/api/clients", new { name = "Digest One", assignedToUserId = member.Id }).ExpectAsync(HttpStatusCode.Created);
        await owner.Http.CallAsync("POST", "/api/clients", new { name = "Digest Two", assignedToUserId = member.Id }).ExpectAsync(HttpStatusCode.Created);

        await Dispatcher.RunAsync(default);
        Assert.Empty(server.ReceivedBy(member.Email));

        // The digest's hour comes: the period it covers is the day before it.
        await using (var db = server.Database.Context(owner.BusinessId))
        {
            var preference = await db.NotificationPreferences.SingleAsync(p => p.UserId == member.Id);
            preference.NextDigestAt = StoredTime.Of(DateTime.UtcNow.AddSeconds(1));
            await db.SaveChangesAsync();
        }
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var totals = await Dispatcher.RunAsync(default);

        Assert.Equal(1, totals.Digests);
        var digest = Assert.Single(server.ReceivedBy(member.Email));
        Assert.Contains("Digest One", digest.TextBody);
        Assert.Contains("Digest Two", digest.TextBody);
        await using (var db = server.Database.Context(owner.BusinessId))
            Assert.True((await db.NotificationPreferences.AsNoTracking().SingleAsync(p => p.UserId == member.Id)).NextDigestAt > DateTime.UtcNow);
    }
}

public sealed class EmailDispatchTests_Sqlite(EmailSqliteApi server) : EmailDispatchTests<SqliteDatabase>(server), IClassFixture<EmailSqliteApi>;
public sealed class EmailDispatchTests_Postgres(EmailPostgresApi server) : EmailDispatchTests<PostgresDatabase>(server), IClassFixture<EmailPostgresApi>;
