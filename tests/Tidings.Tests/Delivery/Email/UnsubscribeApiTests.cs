using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tidings.Data.Auditing;
using Tidings.Delivery.Email;
using Tidings.Delivery.Outbox;
using Tidings.Notifications;
using Tidings.Tests.Infrastructure;

namespace Tidings.Tests.Delivery.Email;

/// <summary>
/// The unsubscribe link, without signing in: GET shows a page and changes nothing, POST (the page's button or a mail
/// client's one-click request) turns e-mail off and nothing else, audited as the unsubscribe link; any wrong part of
/// the link is the same 404.
/// </summary>
public abstract partial class UnsubscribeApiTests<TDatabase>(EmailApi<TDatabase> server) where TDatabase : TestDatabase, new()
{
    private static readonly DateTime NextDigest = new(2026, 3, 2, 8, 0, 0, DateTimeKind.Utc);

    private async Task<(TestBusiness Business, Guid UserId, NotificationPreference Preference)> DigestReaderAsync()
    {
        var business = await server.Database.NewBusinessAsync();
        var user = await EmailTestData.PersonAsync(business, NotificationChannels.WeeklyDigest, "Europe/Paris", p =>
        {
            p.Kinds = [NotificationTypes.HighRelevanceEvent, NotificationTypes.ClientAssigned];
            p.Clients = NotificationScopes.All;
            p.MinRelevance = 0.75;
            p.Categories = ["funding"];
            p.DigestHour = 7;
            p.DigestDay = 1;
            p.NextDigestAt = NextDigest;
            p.LastDigestAt = NextDigest.AddDays(-7);
        });
        return (business, user.Id, await EmailTestData.PreferenceAsync(business, user.Id));
    }

    private static string Link(TestBusiness business, Guid userId, string token) =>
        $"/unsubscribe?b={business.Id}&u={userId}&t={Uri.EscapeDataString(token)}";

    private static HttpContent OneClick() => new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")]);

    [Fact]
    public async Task Opening_the_link_shows_a_button_and_changes_nothing()
    {
        var (business, userId, before) = await DigestReaderAsync();

        var response = await server.Anonymous().GetAsync(Link(business, userId, before.UnsubscribeToken));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        var page = await response.Content.ReadAsStringAsync();
        var action = WebUtility.HtmlDecode(FormAction().Match(page).Groups[1].Value);
        Assert.Equal(Link(business, userId, before.UnsubscribeToken), action);
        var after = await EmailTestData.PreferenceAsync(business, userId);
        Assert.Equal((before.Channel, before.NextDigestAt, before.UpdatedAt), (after.Channel, after.NextDigestAt, after.UpdatedAt));
    }

    [Fact]
    public async Task A_one_click_post_turns_email_off_and_nothing_else_audited_as_the_link()
    {
        var (business, userId, before) = await DigestReaderAsync();

        var response = await server.Anonymous().PostAsync(Link(business, userId, before.UnsubscribeToken), OneClick());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("You are unsubscribed", await response.Content.ReadAsStringAsync());
        var after = await EmailTestData.PreferenceAsync(business, userId);
        Assert.Equal((NotificationChannels.InApp, (DateTime?)null), (after.Channel, after.NextDigestAt));
        Assert.Equal(before.Kinds, after.Kinds);
        Assert.Equal(before.Categories, after.Categories);
        Assert.Equal(
            (before.Clients, before.MinRelevance, before.DigestHour, before.DigestDay, before.LastDigestAt, before.UnsubscribeToken),
            (after.Clients, after.MinRelevance, after.DigestHour, after.DigestDay, after.LastDigestAt, after.UnsubscribeToken));
        await using var db = business.Context();
        var audit = await db.AuditLogs.AsNoTracking()
            .SingleAsync(a => a.TableName == "notification_preferences" && a.RecordId == before.Id.ToString() && a.Action == AuditActions.Update);
        Assert.Equal(("system:" + UnsubscribeLinks.ActorName, (Guid?)null), (audit.ActorName, audit.UserId));
        Assert.DoesNotContain(before.UnsubscribeToken, (audit.OldValues ?? "") + audit.NewValues);

        var again = await server.Anonymous().PostAsync(Link(business, userId, before.UnsubscribeToken), OneClick());
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Contains("e-mails are off", await (await server.Anonymous().GetAsync(Link(business, userId, before.UnsubscribeToken))).Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_button_works_for_someone_signed_in_to_another_business()
    {
        var (business, userId, before) = await DigestReaderAsync();
        var elsewhere = await server.SignUpAsync();

        var response = await elsewhere.Http.PostAsync(Link(business, userId, before.UnsubscribeToken), new FormUrlEncodedContent([]));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(NotificationChannels.InApp, (await EmailTestData.PreferenceAsync(business, userId)).Channel);
    }

    [Fact]
    public async Task A_wrong_token_person_or_business_is_the_same_404_and_changes_nothing()
    {
        var (business, userId, before) = await DigestReaderAsync();
        var other = await server.Database.NewBusinessAsync();
        var token = before.UnsubscribeToken;
        string[] links =
        [
            Link(business, userId, UnsubscribeLinks.NewToken()),
            Link(business, userId, token[..^1]),
            Link(business, Guid.NewGuid(), token),
            Link(business, business.OwnerId, token),
            Link(other, userId, token),
            $"/unsubscribe?b={Guid.NewGuid()}&u={userId}&t={Uri.EscapeDataString(token)}",
        ];

        foreach (var link in links)
        {
            var get = await server.Anonymous().GetAsync(link);
            var post = await server.Anonymous().PostAsync(link, OneClick());
            Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.NotFound), (get.StatusCode, post.StatusCode));
            Assert.Equal("application/problem+json", post.Content.Headers.ContentType?.MediaType);
        }

        var after = await EmailTestData.PreferenceAsync(business, userId);
        Assert.Equal((before.Channel, before.NextDigestAt, before.UpdatedAt), (after.Channel, after.NextDigestAt, after.UpdatedAt));
    }

    [Theory]
    [InlineData("/unsubscribe")]
    [InlineData("/unsubscribe?b=not-an-id&u=00000000-0000-0000-0000-000000000001&t=abc")]
    [InlineData("/unsubscribe?b=00000000-0000-0000-0000-000000000001&u=x&t=abc")]
    [InlineData("/unsubscribe?b=00000000-0000-0000-0000-000000000001&u=00000000-0000-0000-0000-000000000001")]
    public async Task A_malformed_link_is_a_400(string link)
    {
        Assert.Equal(HttpStatusCode.BadRequest, (await server.Anonymous().GetAsync(link)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await server.Anonymous().PostAsync(link, OneClick())).StatusCode);
    }

    [Fact]
    public async Task The_link_in_a_sent_email_unsubscribes_with_its_one_click_post()
    {
        var business = await server.Database.NewBusinessAsync();
        var ada = await EmailTestData.PersonAsync(business, NotificationChannels.Email);
        await EmailTestData.NotificationAsync(business, ada.Id, "Acme raises $20M", await EmailTestData.ClientAsync(business, "Acme"), 0.9);
        await using (var db = business.Context())
        {
            var outbox = await db.OutboxMessages.AsNoTracking().SingleAsync(m => m.UserId == ada.Id && m.Type == EmailMessageTypes.Notification);
            Assert.True((await server.Services.GetRequiredService<EmailDelivery>().SendAsync(db, outbox, CancellationToken.None)).Delivered);
        }
        var header = Assert.Single(server.ReceivedBy(ada.Email)).Headers["List-Unsubscribe"]!.Trim('<', '>');
        var link = new Uri(header).PathAndQuery;

        using var request = new HttpRequestMessage(HttpMethod.Post, link) { Content = OneClick() };
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("MailProvider", "1.0"));
        var response = await server.Anonymous().SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(NotificationChannels.InApp, (await EmailTestData.PreferenceAsync(business, ada.Id)).Channel);
        await EmailTestData.NotificationAsync(business, ada.Id, "Acme raises more", await EmailTestData.ClientAsync(business, "Acme 2"), 0.9);
        await using (var db = business.Context())
            Assert.Equal(1, await db.OutboxMessages.CountAsync(m => m.UserId == ada.Id && m.Channel == OutboxChannels.Email));
    }

    [GeneratedRegex("<form method=\"post\" action=\"([^\"]*)\"")]
    private static partial Regex FormAction();
}

public sealed class UnsubscribeApiTests_Sqlite(EmailSqliteApi server) : UnsubscribeApiTests<SqliteDatabase>(server), IClassFixture<EmailSqliteApi>;
public sealed class UnsubscribeApiTests_Postgres(EmailPostgresApi server) : UnsubscribeApiTests<PostgresDatabase>(server), IClassFixture<EmailPostgresApi>;
