using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Tidings.Businesses;
using Tidings.Clients;
using Tidings.Data.Auditing;
using Tidings.Events;
using Tidings.Notifications;
using Tidings.Tests.Infrastructure;
using Tidings.Users;

// Not Tidings.Tests.Businesses: that would shadow Tidings.Businesses in tests that write Businesses.Business.
namespace Tidings.Tests.Businesses;

public abstract class BusinessApiTests<TDatabase>(TidingsServer<TDatabase> server) where TDatabase : TestDatabase, new()
{
    [Fact]
    public async Task Every_role_reads_its_own_business_with_an_etag()
    {
        var owner = await server.SignUpAsync("Readable Ltd");
        foreach (var role in UserRoles.All)
        {
            var caller = role == UserRoles.Owner ? owner : await server.AddUserAsync(owner, role);
            var response = await caller.Http.GetAsync("/api/business");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.NotNull(response.Headers.ETag);
            var business = (await response.Content.ReadFromJsonAsync<BusinessDto>())!;
            Assert.Equal((owner.BusinessId, "Readable Ltd", 0.8), (business.Id, business.Name, business.NotificationRelevanceThreshold));
            Assert.StartsWith("readable-ltd", business.Slug);
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Anonymous().GetAsync("/api/business")).StatusCode);
    }

    [Fact]
    public async Task An_admin_changes_the_name_and_threshold_which_the_notifier_then_uses()
    {
        var owner = await server.SignUpAsync();
        var admin = await server.AddUserAsync(owner, UserRoles.Admin);
        var before = await StoredAsync(owner);
        var etag = (await admin.Http.GetAsync("/api/business")).Headers.ETag!.Tag;

        var response = await Send(admin, HttpMethod.Patch, """{"name":"  Renamed Co  ","notificationRelevanceThreshold":0.95}""", etag);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var changed = (await response.Content.ReadFromJsonAsync<BusinessDto>())!;
        Assert.Equal(("Renamed Co", 0.95, before.Slug), (changed.Name, changed.NotificationRelevanceThreshold, changed.Slug));
        Assert.NotEqual(etag, response.Headers.ETag!.Tag);
        Assert.Equal("Renamed Co", (await owner.Http.GetFromJsonAsync<MeDto>("/api/me"))!.Business.Name);

        await using (var db = server.Database.Context(owner.BusinessId))
        {
            var log = await db.AuditLogs.Where(a => a.TableName == "businesses").OrderByDescending(a => a.CreatedAt).FirstAsync();
            Assert.Equal((AuditActions.Update, admin.Id), (log.Action, log.UserId));
        }

        // Events at 0.9 no longer notify; at 0.97 they do.
        Assert.Equal(0, await NotifiedByEventAsync(owner, 0.9));
        Assert.Equal(1, await NotifiedByEventAsync(owner, 0.97));
    }

    [Fact]
    public async Task An_admin_sets_the_longest_lifetime_of_personal_tokens_from_1_to_365_days()
    {
        var owner = await server.SignUpAsync();
        var admin = await server.AddUserAsync(owner, UserRoles.Admin);
        Assert.Equal(90, (await admin.Http.GetFromJsonAsync<BusinessDto>("/api/business"))!.MaxTokenLifetimeDays);

        foreach (var days in new[] { 1, 365, 30 })
        {
            var response = await Send(admin, HttpMethod.Patch, $$"""{"maxTokenLifetimeDays":{{days}}}""");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(days, (await response.Content.ReadFromJsonAsync<BusinessDto>())!.MaxTokenLifetimeDays);
        }
        Assert.Equal(30, (await StoredAsync(owner)).MaxTokenLifetimeDays);
        Assert.Equal(30, (await owner.Http.GetFromJsonAsync<MeDto>("/api/me"))!.Business.MaxTokenLifetimeDays);
    }

    [Fact]
    public async Task An_admin_sets_the_review_confidence_threshold_from_0_to_1()
    {
        var owner = await server.SignUpAsync();
        var admin = await server.AddUserAsync(owner, UserRoles.Admin);
        Assert.Equal(Business.DefaultReviewConfidenceThreshold, (await admin.Http.GetFromJsonAsync<BusinessDto>("/api/business"))!.ReviewConfidenceThreshold);

        foreach (var threshold in new[] { 0.0, 1.0, 0.75 })
        {
            var response = await Send(admin, HttpMethod.Patch, $$"""{"reviewConfidenceThreshold":{{threshold.ToString(System.Globalization.CultureInfo.InvariantCulture)}}}""");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(threshold, (await response.Content.ReadFromJsonAsync<BusinessDto>())!.ReviewConfidenceThreshold);
        }
        Assert.Equal(0.75, (await StoredAsync(owner)).ReviewConfidenceThreshold);
        Assert.Equal(0.75, (await owner.Http.GetFromJsonAsync<MeDto>("/api/me"))!.Business.ReviewConfidenceThreshold);
    }

    [Fact]
    public async Task Members_and_viewers_cannot_change_the_business()
    {
        var owner = await server.SignUpAsync();
        var member = await server.AddUserAsync(owner, UserRoles.Member);
        var viewer = await server.AddUserAsync(owner, UserRoles.Viewer);
        var before = EntitySets.Values(await StoredAsync(owner));

        foreach (var caller in new[] { member, viewer })
            Assert.Equal(HttpStatusCode.Forbidden, (await Send(caller, HttpMethod.Patch, """{"name":"Hijacked"}""")).StatusCode);
        Assert.Equal(before, EntitySets.Values(await StoredAsync(owner)));
    }

    [Fact]
    public async Task A_stale_if_match_is_412_and_changes_nothing()
    {
        var owner = await server.SignUpAsync();
        var etag = (await owner.Http.GetAsync("/api/business")).Headers.ETag!.Tag;
        Assert.Equal(HttpStatusCode.OK, (await Send(owner, HttpMethod.Patch, """{"name":"First"}""", etag)).StatusCode);

        Assert.Equal(HttpStatusCode.PreconditionFailed, (await Send(owner, HttpMethod.Patch, """{"name":"Second"}""", etag)).StatusCode);
        Assert.Equal("First", (await StoredAsync(owner)).Name);
    }

    [Fact]
    public async Task Changing_one_business_leaves_another_untouched()
    {
        var a = await server.SignUpAsync();
        var b = await server.SignUpAsync("Untouched Inc");
        var before = EntitySets.Values(await StoredAsync(b));

        // The business is the caller's own; an id in the body is refused, not followed.
        Assert.Equal(HttpStatusCode.BadRequest, (await Send(a, HttpMethod.Patch, $$"""{"id":"{{b.BusinessId}}","name":"Taken"}""")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Send(a, HttpMethod.Patch, """{"name":"A's new name","notificationRelevanceThreshold":0.1}""")).StatusCode);

        Assert.Equal(before, EntitySets.Values(await StoredAsync(b)));
        Assert.Equal("Untouched Inc", (await b.Http.GetFromJsonAsync<BusinessDto>("/api/business"))!.Name);
        Assert.Equal(a.BusinessId, (await a.Http.GetFromJsonAsync<BusinessDto>("/api/business"))!.Id);
    }

    public static TheoryData<string?> BadBodies => new()
    {
        """{"name":""}""",
        """{"name":"   "}""",
        """{"name":null}""",
        $$"""{"name":"{{new string('n', 201)}}"}""",
        """{"name":5}""",
        """{"notificationRelevanceThreshold":1.5}""",
        """{"notificationRelevanceThreshold":-0.1}""",
        """{"notificationRelevanceThreshold":"high"}""",
        """{"notificationRelevanceThreshold":null}""",
        """{"maxTokenLifetimeDays":0}""",
        """{"maxTokenLifetimeDays":366}""",
        """{"maxTokenLifetimeDays":1.5}""",
        """{"maxTokenLifetimeDays":"ten"}""",
        """{"maxTokenLifetimeDays":null}""",
        """{"reviewConfidenceThreshold":1.5}""",
        """{"reviewConfidenceThreshold":-0.1}""",
        """{"reviewConfidenceThreshold":"high"}""",
        """{"reviewConfidenceThreshold":null}""",
        """{"healthScoreFromNews":"yes"}""",
        """{"healthScoreFromNews":null}""",
        """{"slug":"mine"}""",
        """{"name":"Fine","color":"#ffffff"}""",
        """["name"]""",
        """{"name":""",
        null,
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task A_bad_patch_answers_400_and_writes_nothing(string? body)
    {
        var owner = await server.SignUpAsync();
        Assert.Equal(HttpStatusCode.OK, (await owner.Http.GetAsync("/api/me")).StatusCode); // the token's first use is a write
        var before = (EntitySets.Values(await StoredAsync(owner)), await AuditCountAsync(owner));

        var response = await Send(owner, HttpMethod.Patch, body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(before, (EntitySets.Values(await StoredAsync(owner)), await AuditCountAsync(owner)));
    }

    private static async Task<HttpResponseMessage> Send(ApiUser caller, HttpMethod method, string? body, string? ifMatch = null)
    {
        using var request = new HttpRequestMessage(method, "/api/business");
        if (body is not null)
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        if (ifMatch is not null)
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return await caller.Http.SendAsync(request);
    }

    /// <summary>Adds an event of <paramref name="relevance"/> for a client assigned to a new colleague; answers how many notifications it made.</summary>
    private async Task<int> NotifiedByEventAsync(ApiUser owner, double relevance)
    {
        await using var db = server.Database.Context(owner.BusinessId, TestActors.User(owner.Id, owner.BusinessId));
        var assignee = new User { Email = $"assignee-{Guid.NewGuid():N}@example.test", DisplayName = "Assignee", Role = UserRoles.Member };
        var client = new Client { Name = "Watched", AssignedToUserId = assignee.Id };
        db.AddRange(assignee, client);
        await db.SaveChangesAsync();
        var ev = new Event { ClientId = client.Id, Title = "Big news", Category = "funding", EventDate = DateTime.UtcNow, RelevanceScore = relevance };
        db.Events.Add(ev);
        await Notifier.HighRelevanceEventsAsync(db, [(ev, client.Name, client.AssignedToUserId)], CancellationToken.None);
        await db.SaveChangesAsync();
        return await db.Notifications.CountAsync(n => n.UserId == assignee.Id);
    }

    private async Task<Business> StoredAsync(ApiUser anyone)
    {
        await using var db = server.Database.Context(anyone.BusinessId);
        return await db.Businesses.AsNoTracking().SingleAsync();
    }

    private async Task<int> AuditCountAsync(ApiUser anyone)
    {
        await using var db = server.Database.Context(anyone.BusinessId);
        return await db.AuditLogs.CountAsync();
    }
}

public sealed class BusinessApiTests_Sqlite(SqliteApi server) : BusinessApiTests<SqliteDatabase>(server), IClassFixture<SqliteApi>;
public sealed class BusinessApiTests_Postgres(PostgresApi server) : BusinessApiTests<PostgresDatabase>(server), IClassFixture<PostgresApi>;
