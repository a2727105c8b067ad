using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Tidings.Clients;
using Tidings.Notifications;
using Tidings.Tests.Infrastructure;
using Tidings.Users;
using Tidings.Web;

// Not Tidings.Tests.Notifications: that would shadow Tidings.Notifications in tests that write Notifications.Notification.
namespace Tidings.Tests.Notifications;

public abstract class NotificationsApiTests<TDatabase>(TidingsServer<TDatabase> server) where TDatabase : TestDatabase, new()
{
    [Fact]
    public async Task Each_user_sees_only_their_own_notifications_newest_first_across_pages()
    {
        var owner = await server.SignUpAsync();
        var viewer = await server.AddUserAsync(owner, UserRoles.Viewer);
        var mine = await NotifyAsync(owner, viewer.Id, 5);
        var theirs = await NotifyAsync(owner, owner.Id, 2);

        var seen = await PagesAsync(viewer, "/api/notifications?limit=2");
        Assert.Equal(mine.AsEnumerable().Reverse(), seen.Select(n => n.Id));
        Assert.All(seen, n => Assert.False(n.IsRead));
        Assert.Equal(theirs.AsEnumerable().Reverse(), (await PagesAsync(owner, "/api/notifications")).Select(n => n.Id));
    }

    [Fact]
    public async Task A_client_assignment_notification_reaches_the_assignee()
    {
        var owner = await server.SignUpAsync();
        var member = await server.AddUserAsync(owner, UserRoles.Member);
        Guid clientId;
        await using (var db = server.Database.Context(owner.BusinessId, TestActors.User(owner.Id, owner.BusinessId)))
        {
            var client = new Client { Name = "Globex", AssignedToUserId = member.Id };
            db.Clients.Add(client);
            await Notifier.ClientAssignedAsync(db, client, member.Id, CancellationToken.None);
            await db.SaveChangesAsync();
            clientId = client.Id;
        }

        var notification = Assert.Single((await member.Http.GetFromJsonAsync<Page<NotificationDto>>("/api/notifications"))!.Items);
        Assert.Equal((NotificationTypes.ClientAssigned, clientId, $"/clients/{clientId}"), (notification.Type, notification.RelatedClientId, notification.LinkUrl));
        Assert.Empty((await owner.Http.GetFromJsonAsync<Page<NotificationDto>>("/api/notifications"))!.Items);
    }

    [Fact]
    public async Task Reading_one_or_all_moves_the_unread_count_and_is_idempotent()
    {
        var owner = await server.SignUpAsync();
        var member = await server.AddUserAsync(owner, UserRoles.Member);
        var ids = await NotifyAsync(owner, member.Id, 3);
        await NotifyAsync(owner, owner.Id, 1);
        Assert.Equal(3, await UnreadCountAsync(member));

        var read = await member.Http.PostAsync($"/api/notifications/{ids[0]}/read", null);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        var first = (await read.Content.ReadFromJsonAsync<NotificationDto>())!;
        Assert.True(first.IsRead);
        Assert.NotNull(first.ReadAt);
        var again = (await (await member.Http.PostAsync($"/api/notifications/{ids[0]}/read", null)).Content.ReadFromJsonAsync<NotificationDto>())!;
        Assert.Equal(first.ReadAt, again.ReadAt);
        Assert.Equal(2, await UnreadCountAsync(member));
        Assert.Equal(ids.Skip(1).Reverse(), (await PagesAsync(member, "/api/notifications?unread=true")).Select(n => n.Id));
        Assert.Equal([ids[0]], (await PagesAsync(member, "/api/notifications?unread=false")).Select(n => n.Id));

        var all = await member.Http.PostAsync("/api/notifications/read-all", null);
        Assert.Equal(2, (await all.Content.ReadFromJsonAsync<MarkedDto>())!.Marked);
        Assert.Equal(0, await UnreadCountAsync(member));
        Assert.Equal(0, (await (await member.Http.PostAsync("/api/notifications/read-all", null)).Content.ReadFromJsonAsync<MarkedDto>())!.Marked);
        Assert.Equal(1, await UnreadCountAsync(owner)); // a colleague's stay unread

        await using var db = server.Database.Context(owner.BusinessId);
        var stored = await db.Notifications.SingleAsync(n => n.Id == ids[0]);
        Assert.Equal(first.ReadAt, stored.ReadAt);
    }

    [Fact]
    public async Task A_colleague_or_another_business_notification_answers_404_and_stays_unread()
    {
        var owner = await server.SignUpAsync();
        var viewer = await server.AddUserAsync(owner, UserRoles.Viewer);
        var other = await server.SignUpAsync();
        var colleagues = await NotifyAsync(owner, owner.Id, 1);
        var foreign = await NotifyAsync(other, other.Id, 1);

        foreach (var id in colleagues.Concat(foreign))
            Assert.Equal(HttpStatusCode.NotFound, (await viewer.Http.PostAsync($"/api/notifications/{id}/read", null)).StatusCode);
        Assert.Equal(0, (await (await viewer.Http.PostAsync("/api/notifications/read-all", null)).Content.ReadFromJsonAsync<MarkedDto>())!.Marked);
        Assert.Empty((await viewer.Http.GetFromJsonAsync<Page<NotificationDto>>("/api/notifications"))!.Items);

        Assert.Equal(1, await UnreadCountAsync(owner));
        Assert.Equal(1, await UnreadCountAsync(other));
        await using var db = server.Database.Context(other.BusinessId);
        Assert.False((await db.Notifications.SingleAsync(n => n.Id == foreign[0])).IsRead);
    }

    [Fact]
    public async Task Read_all_marks_every_unread_notification_in_batches_each_audited_by_one_row_naming_its_ids()
    {
        var owner = await server.SignUpAsync();
        var viewer = await server.AddUserAsync(owner, UserRoles.Viewer);
        var other = await server.SignUpAsync();
        var count = 2 * NotificationsApi.MarkAllBatchSize + 500;
        var unread = await NotifyManyAsync(owner, viewer.Id, count);
        var alreadyRead = (await NotifyAsync(owner, viewer.Id, 1))[0];
        Assert.Equal(HttpStatusCode.OK, (await viewer.Http.PostAsync($"/api/notifications/{alreadyRead}/read", null)).StatusCode);
        await NotifyAsync(owner, owner.Id, 3);
        await NotifyAsync(other, other.Id, 2);

        var response = await viewer.Http.PostAsync("/api/notifications/read-all", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(count, (await response.Content.ReadFromJsonAsync<MarkedDto>())!.Marked);
        Assert.Equal(0, await UnreadCountAsync(viewer));
        Assert.Equal(3, await UnreadCountAsync(owner));
        Assert.Equal(2, await UnreadCountAsync(other));
        await using var db = server.Database.Context(owner.BusinessId);
        Assert.Equal(0, await db.Notifications.CountAsync(n => n.UserId == viewer.Id && (!n.IsRead || n.ReadAt == null)));
        var batches = await db.AuditLogs.Where(a => a.TableName == "notifications" && a.Action == "UPDATE" && a.UserId == viewer.Id).ToListAsync();
        Assert.Equal(3, batches.Count - 1); // and the single read of alreadyRead, audited as its own row
        var listed = batches.Where(a => a.RecordId.StartsWith("read-all batch ", StringComparison.Ordinal))
            .SelectMany(a => JsonDocument.Parse(a.NewValues!).RootElement.GetProperty("ids").EnumerateArray().Select(id => id.GetGuid())).ToList();
        Assert.Equal(unread.Order(), listed.Order());
    }

    [Fact]
    public async Task Two_read_alls_at_once_mark_each_notification_once_and_audit_it_once()
    {
        var owner = await server.SignUpAsync();
        var unread = await NotifyManyAsync(owner, owner.Id, NotificationsApi.MarkAllBatchSize + 200);

        var answers = await Task.WhenAll(Enumerable.Range(0, 3).Select(async _ =>
        {
            var response = await owner.Http.PostAsync("/api/notifications/read-all", null);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return (await response.Content.ReadFromJsonAsync<MarkedDto>())!.Marked;
        }));

        Assert.Equal(unread.Count, answers.Sum());
        Assert.Equal(0, await UnreadCountAsync(owner));
        await using var db = server.Database.Context(owner.BusinessId);
        var listed = (await db.AuditLogs.Where(a => a.TableName == "notifications" && a.RecordId.StartsWith("read-all batch ")).ToListAsync())
            .SelectMany(a => JsonDocument.Parse(a.NewValues!).RootElement.GetProperty("ids").EnumerateArray().Select(id => id.GetGuid())).ToList();
        Assert.Equal(unread.Order(), listed.Order());
    }

    [Fact]
    public async Task Strangers_get_401()
    {
        var anonymous = server.Anonymous();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/notifications")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/notifications/unread-count")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("/api/notifications/read-all", null)).StatusCode);
    }

    [Theory]
    [InlineData("GET", "/api/notifications?limit=0")]
    [InlineData("GET", "/api/notifications?limit=201")]
    [InlineData("GET", "/api/notifications?cursor=!!!")]
    [InlineData("GET", "/api/notifications?cursor=bm90IGpzb24")]
    [InlineData("GET", "/api/notifications?unread=maybe")]
    [InlineData("POST", "/api/notifications/not-a-uuid/read")]
    public async Task Bad_input_answers_400_and_writes_nothing(string method, string path)
    {
        var owner = await server.SignUpAsync();
        var ids = await NotifyAsync(owner, owner.Id, 1);
        Assert.Equal(HttpStatusCode.OK, (await owner.Http.GetAsync("/api/me")).StatusCode); // the token's first use is a write
        var before = await AuditCountAsync(owner);

        var response = await owner.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(before, await AuditCountAsync(owner));
        Assert.Equal(1, await UnreadCountAsync(owner));
        Assert.Equal(ids, (await PagesAsync(owner, "/api/notifications?unread=true")).Select(n => n.Id));
    }

    /// <summary>Adds <paramref name="count"/> notifications for <paramref name="userId"/>, one save each so each has its own time; oldest first.</summary>
    private async Task<List<Guid>> NotifyAsync(ApiUser colleague, Guid userId, int count)
    {
        var ids = new List<Guid>();
        await using var db = server.Database.Context(colleague.BusinessId);
        for (var i = 0; i < count; i++)
        {
            var notification = new Notification { UserId = userId, Type = NotificationTypes.HighRelevanceEvent, Title = $"Look {i}", Message = "Something happened" };
            db.Notifications.Add(notification);
            await db.SaveChangesAsync();
            ids.Add(notification.Id);
        }
        return ids;
    }

    /// <summary>Adds <paramref name="count"/> notifications for <paramref name="userId"/> in one bulk save.</summary>
    private async Task<List<Guid>> NotifyManyAsync(ApiUser colleague, Guid userId, int count)
    {
        await using var db = server.Database.Context(colleague.BusinessId);
        var rows = Enumerable.Range(0, count).Select(i => new Notification
            { UserId = userId, Type = NotificationTypes.HighRelevanceEvent, Title = $"Look {i}", Message = "Something happened" }).ToList();
        db.Notifications.AddRange(rows);
        await db.SaveInsertsInBulkAsync();
        return rows.Select(n => n.Id).ToList();
    }

    private static async Task<int> UnreadCountAsync(ApiUser user) =>
        (await user.Http.GetFromJsonAsync<UnreadCountDto>("/api/notifications/unread-count"))!.Count;

    private static async Task<List<NotificationDto>> PagesAsync(ApiUser caller, string path)
    {
        var all = new List<NotificationDto>();
        string? cursor = null;
        do
        {
            var separator = path.Contains('?') ? '&' : '?';
            var page = (await caller.Http.GetFromJsonAsync<Page<NotificationDto>>(cursor is null ? path : $"{path}{separator}cursor={cursor}"))!;
            all.AddRange(page.Items);
            cursor = page.NextCursor;
        } while (cursor is not null && all.Count < 100);
        return all;
    }

    private async Task<int> AuditCountAsync(ApiUser anyone)
    {
        await using var db = server.Database.Context(anyone.BusinessId);
        return await db.AuditLogs.CountAsync();
    }
}

public sealed class NotificationsApiTests_Sqlite(SqliteApi server) : NotificationsApiTests<SqliteDatabase>(server), IClassFixture<SqliteApi>;
public sealed class NotificationsApiTests_Postgres(PostgresApi server) : NotificationsApiTests<PostgresDatabase>(server), IClassFixture<PostgresApi>;
