using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Tidings.Data.Auditing;
using Tidings.Notifications;
using Tidings.Tags;
using Tidings.Tests.Clients;
using Tidings.Tests.Events;
using Tidings.Tests.Infrastructure;
using Tidings.Users;

namespace Tidings.Tests.Notifications;

/// <summary>
/// A person's notification preferences and time zone (issue 15): their own row only, the defaults without one, a PUT
/// that replaces the row or writes nothing, and the next digest following the channel, the hour and the time zone.
/// </summary>
public abstract class NotificationPreferencesApiTests<TDatabase>(TidingsServer<TDatabase> server) where TDatabase : TestDatabase, new()
{
    private const string Path = "/api/me/notification-preferences";

    [Fact]
    public async Task Without_a_row_the_answer_is_the_defaults_and_nothing_is_written()
    {
        var owner = await server.SignUpAsync();
        var viewer = await server.AddUserAsync(owner, UserRoles.Viewer);

        var answer = await viewer.Http.CallAsync("GET", Path).ExpectAsync();

        Assert.Equal(NotificationTypes.Default, Strings(answer, "kinds"));
        Assert.Equal(("mine", "in_app", 8, 1), (answer.GetProperty("clients").GetString(), answer.GetProperty("channel").GetString(),
            answer.GetProperty("digestHour").GetInt32(), answer.GetProperty("digestDay").GetInt32()));
        Assert.Empty(answer.GetProperty("tagIds").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, answer.GetProperty("minRelevance").ValueKind);
        Assert.Equal(JsonValueKind.Null, answer.GetProperty("categories").ValueKind);
        Assert.Equal(JsonValueKind.Null, answer.GetProperty("nextDigestAt").ValueKind);
        Assert.Equal(0.8, answer.GetProperty("effectiveMinRelevance").GetDouble());
        Assert.Equal("UTC", answer.GetProperty("timeZone").GetString());
        await using var db = server.Database.Context(owner.BusinessId);
        Assert.Equal(0, await db.NotificationPreferences.CountAsync());
    }

    [Fact]
    public async Task A_viewer_saves_their_preferences_reads_them_back_and_a_later_put_replaces_them_keeping_the_unsubscribe_key()
    {
        var owner = await server.SignUpAsync();
        var viewer = await server.AddUserAsync(owner, UserRoles.Viewer);
        var tag = await AddTagAsync(owner, "Key accounts");

        var before = DateTime.UtcNow;
        var saved = await viewer.Http.CallAsync("PUT", Path, new
        {
            kinds = new[] { "high_relevance_event", "source_stopped", "high_relevance_event" }, clients = "tagged", tagIds = new[] { tag },
            minRelevance = 0.3, categories = new[] { "funding", "acquisition" }, channel = "weekly_digest", digestHour = 7, digestDay = 5,
        }).ExpectAsync();
        var after = DateTime.UtcNow;

        Assert.Equal(["high_relevance_event", "source_stopped"], Strings(saved, "kinds"));
        Assert.Equal(tag, Assert.Single(saved.GetProperty("tagIds").EnumerateArray()).GetGuid());
        Assert.Equal((0.3, 0.3), (saved.GetProperty("minRelevance").GetDouble(), saved.GetProperty("effectiveMinRelevance").GetDouble()));
        Assert.Equal(["funding", "acquisition"], Strings(saved, "categories"));
        AssertNextDigest(saved, "weekly_digest", 7, 5, "UTC", before, after);
        Assert.Equal(saved.ToString(), (await viewer.Http.CallAsync("GET", Path).ExpectAsync()).ToString());

        string token;
        await using (var db = server.Database.Context(owner.BusinessId))
        {
            var row = await db.NotificationPreferences.SingleAsync();
            Assert.Equal(viewer.Id, row.UserId);
            token = row.UnsubscribeToken;
            Assert.Equal(32, System.Buffers.Text.Base64Url.DecodeFromChars(token).Length);
            Assert.Equal(1, await db.AuditLogs.CountAsync(a => a.TableName == "notification_preferences" && a.Action == AuditActions.Create));
            Assert.DoesNotContain(token, string.Join(" ", await db.AuditLogs.Where(a => a.TableName == "notification_preferences").Select(a => a.NewValues).ToListAsync()));
        }

        // Round trip: the answer sent back without its read-only fields saves the same preferences; then a smaller body takes the defaults.
        var writable = System.Text.Json.Nodes.JsonNode.Parse(saved.ToString())!.AsObject();
        foreach (var readOnly in new[] { "effectiveMinRelevance", "nextDigestAt", "timeZone" })
            writable.Remove(readOnly);
        Assert.Equal(saved.ToString(), (await viewer.Http.CallAsync("PUT", Path, writable.ToJsonString()).ExpectAsync()).ToString());
        await EventsTestData.AssertProblemAsync(await viewer.Http.CallAsync("PUT", Path, saved.ToString()), 400, null, "read-only fields are not sent back");
        var replaced = await viewer.Http.CallAsync("PUT", Path, new { channel = "email" }).ExpectAsync();
        Assert.Equal(NotificationTypes.Default, Strings(replaced, "kinds"));
        Assert.Equal(("mine", JsonValueKind.Null, JsonValueKind.Null, JsonValueKind.Null), (replaced.GetProperty("clients").GetString(),
            replaced.GetProperty("minRelevance").ValueKind, replaced.GetProperty("categories").ValueKind, replaced.GetProperty("nextDigestAt").ValueKind));
        Assert.Empty(replaced.GetProperty("tagIds").EnumerateArray());
        Assert.Equal(0.8, replaced.GetProperty("effectiveMinRelevance").GetDouble());

        await using (var db = server.Database.Context(owner.BusinessId))
        {
            var row = await db.NotificationPreferences.SingleAsync();
            Assert.Equal((token, NotificationChannels.Email, (DateTime?)null), (row.UnsubscribeToken, row.Channel, row.NextDigestAt));
        }
        // The owner's own preferences are still the defaults: a person sees and changes their own row only.
        Assert.Equal("in_app", (await owner.Http.CallAsync("GET", Path).ExpectAsync()).GetProperty("channel").GetString());
    }

    [Theory]
    [InlineData("""{"kinds":["everything"]}""", 400, "kinds")]
    [InlineData("""{"clients":"some"}""", 400, "clients")]
    [InlineData("""{"clients":"tagged"}""", 400, "tagIds")]
    [InlineData("""{"clients":"tagged","tagIds":[]}""", 400, "tagIds")]
    [InlineData("""{"clients":"all","tagIds":["TAG"]}""", 400, "tagIds")]
    [InlineData("""{"channel":"pigeon"}""", 400, "channel")]
    [InlineData("""{"digestHour":24}""", 400, "digestHour")]
    [InlineData("""{"digestHour":-1}""", 400, "digestHour")]
    [InlineData("""{"digestDay":7}""", 400, "digestDay")]
    [InlineData("""{"minRelevance":1.5}""", 400, "minRelevance")]
    [InlineData("""{"minRelevance":-0.1}""", 400, "minRelevance")]
    [InlineData("""{"categories":[""]}""", 400, "categories")]
    [InlineData("""{"digestHour":"eight"}""", 400, null)]
    [InlineData("""not json""", 400, null)]
    [InlineData("""{"clients":"tagged","tagIds":["00000000-0000-0000-0000-000000000001"]}""", 422, null)]
    [InlineData("""{"clients":"tagged","tagIds":["DELETED"]}""", 422, null)]
    [InlineData("""{"clients":"tagged","tagIds":["FOREIGN"]}""", 422, null)]
    [InlineData("""{"categories":["weather"]}""", 422, null)]
    [InlineData("""{"categories":["acquirer"]}""", 422, null)]
    public async Task Bad_preferences_are_refused_and_change_nothing(string body, int status, string? field)
    {
        var owner = await server.SignUpAsync();
        var member = await server.AddUserAsync(owner, UserRoles.Member);
        var tag = await AddTagAsync(owner, "Live");
        var deleted = await AddTagAsync(owner, "Gone", delete: true);
        var foreign = await AddTagAsync(await server.SignUpAsync(), "Theirs");
        await member.Http.CallAsync("PUT", Path, new { clients = "tagged", tagIds = new[] { tag }, channel = "daily_digest", minRelevance = 0.5 }).ExpectAsync();
        var saved = (await member.Http.CallAsync("GET", Path).ExpectAsync()).ToString();
        var writes = await ApiCalls.WritesAsync(server.Database, owner.BusinessId);

        var response = await member.Http.CallAsync("PUT", Path,
            body.Replace("TAG", tag.ToString()).Replace("DELETED", deleted.ToString()).Replace("FOREIGN", foreign.ToString()));

        await EventsTestData.AssertProblemAsync(response, status, field, body);
        Assert.Equal(saved, (await member.Http.CallAsync("GET", Path).ExpectAsync()).ToString());
        Assert.Equal(writes, await ApiCalls.WritesAsync(server.Database, owner.BusinessId));
    }

    [Fact]
    public async Task A_new_time_zone_shows_in_me_and_moves_the_next_digest_to_its_local_hour()
    {
        var owner = await server.SignUpAsync();
        var member = await server.AddUserAsync(owner, UserRoles.Member);
        var before = DateTime.UtcNow;
        var saved = await member.Http.CallAsync("PUT", Path, new { channel = "daily_digest", digestHour = 8 }).ExpectAsync();
        AssertNextDigest(saved, "daily_digest", 8, 1, "UTC", before, DateTime.UtcNow);

        before = DateTime.UtcNow;
        var me = await member.Http.CallAsync("PATCH", "/api/me", new { timeZone = "Asia/Tokyo", displayName = " Kumi " }).ExpectAsync();
        var after = DateTime.UtcNow;

        Assert.Equal(("Asia/Tokyo", "Kumi"), (me.GetProperty("timeZone").GetString(), me.GetProperty("displayName").GetString()));
        Assert.Equal("Asia/Tokyo", (await member.Http.CallAsync("GET", "/api/me").ExpectAsync()).GetProperty("timeZone").GetString());
        var moved = await member.Http.CallAsync("GET", Path).ExpectAsync();
        Assert.Equal("Asia/Tokyo", moved.GetProperty("timeZone").GetString());
        AssertNextDigest(moved, "daily_digest", 8, 1, "Asia/Tokyo", before, after);
        Assert.NotEqual(saved.GetProperty("nextDigestAt").GetDateTime(), moved.GetProperty("nextDigestAt").GetDateTime());
        await using var db = server.Database.Context(owner.BusinessId);
        var changes = await db.AuditLogs.Where(a => a.TableName == "users" && a.Action == AuditActions.Update && a.RecordId == member.Id.ToString())
            .Select(a => a.NewValues).ToListAsync();
        Assert.Single(changes, c => c!.Contains("Asia/Tokyo"));
    }

    [Fact]
    public async Task A_time_zone_without_a_digest_changes_no_preferences_and_writes_no_row()
    {
        var owner = await server.SignUpAsync();
        await owner.Http.CallAsync("PATCH", "/api/me", new { timeZone = "Europe/Paris" }).ExpectAsync();
        var answer = await owner.Http.CallAsync("GET", Path).ExpectAsync();
        Assert.Equal(("Europe/Paris", JsonValueKind.Null), (answer.GetProperty("timeZone").GetString(), answer.GetProperty("nextDigestAt").ValueKind));
        await using var db = server.Database.Context(owner.BusinessId);
        Assert.Equal(0, await db.NotificationPreferences.CountAsync());
    }

    [Theory]
    [InlineData("""{"timeZone":"Mars/Olympus_Mons"}""", "timeZone")]
    [InlineData("""{"timeZone":""}""", "timeZone")]
    [InlineData("""{"timeZone":null}""", "timeZone")]
    [InlineData("""{"displayName":"  "}""", "displayName")]
    [InlineData("""{"role":"owner"}""", "role")]
    [InlineData("""{"timeZone":"Europe/Paris","email":"x@example.test"}""", "email")]
    public async Task A_bad_profile_patch_is_refused_and_changes_nothing(string body, string field)
    {
        var owner = await server.SignUpAsync();
        var member = await server.AddUserAsync(owner, UserRoles.Member);
        await member.Http.CallAsync("PUT", Path, new { channel = "weekly_digest" }).ExpectAsync();
        var saved = (await member.Http.CallAsync("GET", Path).ExpectAsync()).ToString();
        var me = (await member.Http.CallAsync("GET", "/api/me").ExpectAsync()).ToString();
        var writes = await ApiCalls.WritesAsync(server.Database, owner.BusinessId);

        await EventsTestData.AssertProblemAsync(await member.Http.CallAsync("PATCH", "/api/me", body), 400, field, body);

        Assert.Equal(me, (await member.Http.CallAsync("GET", "/api/me").ExpectAsync()).ToString());
        Assert.Equal(saved, (await member.Http.CallAsync("GET", Path).ExpectAsync()).ToString());
        Assert.Equal(writes, await ApiCalls.WritesAsync(server.Database, owner.BusinessId));
    }

    [Fact]
    public async Task Strangers_get_401()
    {
        var anonymous = server.Anonymous();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(Path)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.CallAsync("PUT", Path, new { channel = "email" })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.CallAsync("PATCH", "/api/me", new { timeZone = "UTC" })).StatusCode);
    }

    private static void AssertNextDigest(JsonElement answer, string channel, int hour, int day, string zone, DateTime before, DateTime after)
    {
        var next = answer.GetProperty("nextDigestAt").GetDateTime().ToUniversalTime();
        Assert.Contains(next, new[] { DigestSchedule.Next(channel, hour, day, zone, before), DigestSchedule.Next(channel, hour, day, zone, after) });
        var local = TimeZoneInfo.ConvertTimeFromUtc(next, TimeZoneInfo.FindSystemTimeZoneById(zone));
        Assert.Equal(hour, local.Hour);
    }

    private static List<string> Strings(JsonElement answer, string field) =>
        answer.GetProperty(field).EnumerateArray().Select(e => e.GetString()!).ToList();

    private async Task<Guid> AddTagAsync(ApiUser by, string name, bool delete = false)
    {
        await using var db = server.Database.Context(by.BusinessId, TestActors.User(by.Id, by.BusinessId));
        var tag = new Tag { Name = name };
        db.Tags.Add(tag);
        await db.SaveChangesAsync();
        if (delete)
        {
            db.Tags.Remove(tag);
            await db.SaveChangesAsync();
        }
        return tag.Id;
    }
}

public sealed class NotificationPreferencesApiTests_Sqlite(SqliteApi server) : NotificationPreferencesApiTests<SqliteDatabase>(server), IClassFixture<SqliteApi>;
public sealed class NotificationPreferencesApiTests_Postgres(PostgresApi server) : NotificationPreferencesApiTests<PostgresDatabase>(server), IClassFixture<PostgresApi>;
public sealed class NotificationPreferencesApiTests_Citus(CitusApi server) : NotificationPreferencesApiTests<CitusDatabase>(server), IClassFixture<CitusApi>;
