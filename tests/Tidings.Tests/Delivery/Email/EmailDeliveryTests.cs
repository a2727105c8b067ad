using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using MimeKit;
using Tidings.Delivery.Email;
using Tidings.Delivery.Outbox;
using Tidings.Notifications;
using Tidings.Tests.Infrastructure;

namespace Tidings.Tests.Delivery.Email;

/// <summary>
/// One outbox e-mail composed and sent as the dispatcher would (EmailDelivery.SendAsync inside the business), received
/// by a loopback SMTP server; and what is not sent: a recipient who left or unsubscribed, a notification gone, e-mail off.
/// </summary>
public abstract partial class EmailDeliveryTests<TDatabase>(EmailApi<TDatabase> server) where TDatabase : TestDatabase, new()
{
    private const string App = EmailApi<TDatabase>.AppAddress;

    private EmailDelivery Delivery => server.Services.GetRequiredService<EmailDelivery>();

    private static async Task<OutboxMessage> OutboxEmailAsync(TestBusiness business, Guid userId, string type)
    {
        await using var db = business.Context();
        return await db.OutboxMessages.AsNoTracking().SingleAsync(m => m.UserId == userId && m.Channel == OutboxChannels.Email && m.Type == type);
    }

    private async Task<DeliveryResult> SendAsync(TestBusiness business, OutboxMessage message, EmailDelivery? delivery = null)
    {
        await using var db = business.Context();
        return await (delivery ?? Delivery).SendAsync(db, message, CancellationToken.None);
    }

    [Fact]
    public async Task A_notification_email_arrives_with_its_subject_both_parts_absolute_links_and_one_click_unsubscribe()
    {
        var business = await server.Database.NewBusinessAsync();
        var ada = await EmailTestData.PersonAsync(business, NotificationChannels.Email);
        var acme = await EmailTestData.ClientAsync(business, "Acme <Corp>");
        var notification = await EmailTestData.NotificationAsync(business, ada.Id, "Acme raises $20M", acme, 0.91);
        var outbox = await OutboxEmailAsync(business, ada.Id, EmailMessageTypes.Notification);

        var result = await SendAsync(business, outbox);

        Assert.Equal((true, false, (string?)null), (result.Delivered, result.Dropped, result.Error));
        var mail = Assert.Single(server.ReceivedBy(ada.Email));
        Assert.Equal("Acme <Corp>: Acme raises $20M", mail.Subject);
        Assert.Equal("Ada Lovelace", Assert.IsType<MailboxAddress>(Assert.Single(mail.To)).Name);
        var eventLink = $"{App}{notification.LinkUrl}";
        Assert.Contains("Acme raises $20M", mail.TextBody);
        Assert.Contains(eventLink, mail.TextBody);
        Assert.Contains("Relevance: 0.91", mail.TextBody);
        Assert.Contains("Acme &lt;Corp&gt;", mail.HtmlBody);
        Assert.Contains($"href=\"{eventLink}\"", mail.HtmlBody);
        Assert.All(Href().Matches(mail.HtmlBody ?? "").Select(m => m.Groups[1].Value), href => Assert.StartsWith(App + "/", href));

        var preference = await EmailTestData.PreferenceAsync(business, ada.Id);
        var unsubscribe = $"{App}/unsubscribe?b={business.Id}&u={ada.Id}&t={Uri.EscapeDataString(preference.UnsubscribeToken)}";
        Assert.Equal($"<{unsubscribe}>", mail.Headers["List-Unsubscribe"]);
        Assert.Equal("List-Unsubscribe=One-Click", mail.Headers["List-Unsubscribe-Post"]);
        Assert.Contains(unsubscribe, mail.TextBody);
    }

    [Fact]
    public async Task Sending_the_same_outbox_email_again_carries_the_same_message_id()
    {
        var business = await server.Database.NewBusinessAsync();
        var ada = await EmailTestData.PersonAsync(business, NotificationChannels.Email);
        await EmailTestData.NotificationAsync(business, ada.Id, "Globex is acquired", await EmailTestData.ClientAsync(business, "Globex"), 0.8);
        var outbox = await OutboxEmailAsync(business, ada.Id, EmailMessageTypes.Notification);

        Assert.True((await SendAsync(business, outbox)).Delivered);
        Assert.True((await SendAsync(business, outbox)).Delivered);

        var sent = server.ReceivedBy(ada.Email);
        Assert.Equal(2, sent.Count);
        Assert.False(string.IsNullOrEmpty(sent[0].MessageId));
        Assert.Equal(sent[0].MessageId, sent[1].MessageId);
    }

    [Fact]
    public async Task A_deleted_recipient_gets_nothing_and_the_message_is_done()
    {
        var business = await server.Database.NewBusinessAsync();
        var ada = await EmailTestData.PersonAsync(business, NotificationChannels.Email);
        await EmailTestData.NotificationAsync(business, ada.Id, "Initech sued", await EmailTestData.ClientAsync(business, "Initech"), 0.9);
        var outbox = await OutboxEmailAsync(business, ada.Id, EmailMessageTypes.Notification);
        await using (var db = business.Context())
        {
            db.Users.Remove(await db.Users.SingleAsync(u => u.Id == ada.Id));
            await db.SaveChangesAsync();
        }

        var result = await SendAsync(business, outbox);

        Assert.Equal((true, true), (result.Delivered, result.Dropped));
        Assert.Contains("deleted", result.Error);
        Assert.Empty(server.ReceivedBy(ada.Email));
    }

    [Fact]
    public async Task A_recipient_who_switched_email_off_gets_nothing()
    {
        var business = await server.Database.NewBusinessAsync();
        var ada = await EmailTestData.PersonAsync(business, NotificationChannels.Email);
        await EmailTestData.NotificationAsync(business, ada.Id, "Hooli merges", await EmailTestData.ClientAsync(business, "Hooli"), 0.9);
        var outbox = await OutboxEmailAsync(business, ada.Id, EmailMessageTypes.Notification);
        await using (var db = business.Context())
        {
            (await db.NotificationPreferences.SingleAsync(p => p.UserId == ada.Id)).Channel = NotificationChannels.InApp;
            await db.SaveChangesAsync();
        }

        var result = await SendAsync(business, outbox);

        Assert.Equal((true, true), (result.Delivered, result.Dropped));
        Assert.StartsWith("unsubscribed", result.Error);
        Assert.Empty(server.ReceivedBy(ada.Email));
    }

    [Fact]
    public async Task A_notification_deleted_since_sends_nothing()
    {
        var business = await server.Database.NewBusinessAsync();
        var ada = await EmailTestData.PersonAsync(business, NotificationChannels.Email);
        var notification = await EmailTestData.NotificationAsync(business, ada.Id, "Vandelay imports", await EmailTestData.ClientAsync(business, "Vandelay"), 0.9);
        var outbox = await OutboxEmailAsync(business, ada.Id, EmailMessageTypes.Notification);
        await using (var db = business.Context())
        {
            db.Notifications.Remove(await db.Notifications.SingleAsync(n => n.Id == notification.Id));
            await db.SaveChangesAsync();
        }

        var result = await SendAsync(business, outbox);

        Assert.Equal((true, true, "the notification is gone"), (result.Delivered, result.Dropped, result.Error));
        Assert.Empty(server.ReceivedBy(ada.Email));
    }

    [Fact]
    public async Task With_email_off_nothing_is_sent_and_the_message_is_done()
    {
        var business = await server.Database.NewBusinessAsync();
        var ada = await EmailTestData.PersonAsync(business, NotificationChannels.Email);
        await EmailTestData.NotificationAsync(business, ada.Id, "Umbrella recalls", await EmailTestData.ClientAsync(business, "Umbrella"), 0.9);
        var outbox = await OutboxEmailAsync(business, ada.Id, EmailMessageTypes.Notification);
        var off = new EmailDelivery(new MailSender(null, NullLogger<MailSender>.Instance));

        var result = await SendAsync(business, outbox, off);

        Assert.False(off.IsOn);
        Assert.Equal((true, true, "e-mail is not configured"), (result.Delivered, result.Dropped, result.Error));
        Assert.Empty(server.ReceivedBy(ada.Email));
    }

    [Fact]
    public async Task A_refused_recipient_is_a_permanent_failure()
    {
        var business = await server.Database.NewBusinessAsync();
        var ada = await EmailTestData.PersonAsync(business, NotificationChannels.Email);
        await using (var db = business.Context())
        {
            (await db.Users.SingleAsync(u => u.Id == ada.Id)).Email = $"refused@{Guid.NewGuid():N}.example.test";
            await db.SaveChangesAsync();
        }
        await EmailTestData.NotificationAsync(business, ada.Id, "Soylent expands", await EmailTestData.ClientAsync(business, "Soylent"), 0.9);
        var outbox = await OutboxEmailAsync(business, ada.Id, EmailMessageTypes.Notification);

        var result = await SendAsync(business, outbox);

        Assert.Equal((false, true, false), (result.Delivered, result.Permanent, result.Dropped));
        Assert.Contains("550", result.Error);
    }

    [GeneratedRegex("href=\"([^\"]*)\"")]
    private static partial Regex Href();
}

public sealed class EmailDeliveryTests_Sqlite(EmailSqliteApi server) : EmailDeliveryTests<SqliteDatabase>(server), IClassFixture<EmailSqliteApi>;
public sealed class EmailDeliveryTests_Postgres(EmailPostgresApi server) : EmailDeliveryTests<PostgresDatabase>(server), IClassFixture<EmailPostgresApi>;
