using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Tidings.Audit;
using Tidings.Businesses;
using Tidings.Data.Auditing;
using Tidings.Tests.Infrastructure;
using Tidings.Users;
using Tidings.Web;

namespace Tidings.Tests.Audit;

public abstract class AuditApiTests<TDatabase>(TidingsServer<TDatabase> server) where TDatabase : TestDatabase, new()
{
    [Fact]
    public async Task An_admin_sees_each_change_with_the_ip_address_and_user_agent_of_its_request()
    {
        var owner = await server.SignUpAsync();
        var colleague = await server.AddUserAsync(owner, UserRoles.Admin, "Ada Admin");
        var probe = await SignInWithUserAgentAsync(colleague.Email, "AuditProbe/2.0 (tests)");
        var oldName = (await owner.Http.GetFromJsonAsync<BusinessDto>("/api/business"))!.Name;

        Assert.Equal(HttpStatusCode.OK, (await probe.PatchAsJsonAsync("/api/business", new { name = "Audited Name" })).StatusCode);

        var page = (await owner.Http.GetFromJsonAsync<Page<AuditEntryDto>>($"/api/audit?table=businesses&recordId={owner.BusinessId}&action=UPDATE"))!;
        var entry = Assert.Single(page.Items, e => e.UserId == colleague.Id);
        Assert.Equal(("127.0.0.1", "AuditProbe/2.0 (tests)", "Ada Admin"), (entry.IpAddress, entry.UserAgent, entry.ActorName));
        Assert.Equal((JsonValueKind.Array, JsonValueKind.Object, JsonValueKind.Object),
            (entry.ChangedFields!.Value.ValueKind, entry.OldValues!.Value.ValueKind, entry.NewValues!.Value.ValueKind));
        Assert.Equal(["name"], entry.ChangedFields.Value.EnumerateArray().Select(f => f.GetString()));
        Assert.Equal(oldName, entry.OldValues.Value.GetProperty("name").GetString());
        Assert.Equal("Audited Name", entry.NewValues.Value.GetProperty("name").GetString());

        // The admin reads it too, and the raw JSON carries values, not strings of JSON.
        var raw = await probe.GetStringAsync($"/api/audit?recordId={owner.BusinessId}&action=UPDATE&userId={colleague.Id}");
        Assert.Contains("\"changedFields\":[\"name\"]", raw);
        Assert.Contains("\"newValues\":{\"name\":\"Audited Name\"}", raw);
    }

    [Fact]
    public async Task Filters_narrow_the_log_and_pages_cover_it_exactly_once_newest_first()
    {
        var owner = await server.SignUpAsync();
        var admin = await server.AddUserAsync(owner, UserRoles.Admin);
        var created = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            var response = await owner.Http.PostAsJsonAsync("/api/users", new { email = $"u{i}-{Guid.NewGuid():N}@example.test", displayName = $"User {i}", role = UserRoles.Viewer, password = "an initial password" });
            created.Add((await response.Content.ReadFromJsonAsync<UserDto>())!.Id);
        }
        Assert.Equal(HttpStatusCode.OK, (await owner.Http.PatchAsJsonAsync($"/api/users/{created[1]}", new { displayName = "Renamed" })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Http.DeleteAsync($"/api/users/{created[2]}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.Http.PatchAsJsonAsync("/api/business", new { notificationRelevanceThreshold = 0.5 })).StatusCode);

        var all = await PagesAsync(owner, "/api/audit?limit=200");
        var paged = await PagesAsync(owner, "/api/audit?limit=3");
        Assert.Equal(all.Select(e => e.Id), paged.Select(e => e.Id));
        Assert.Equal(all.Count, all.Select(e => e.Id).Distinct().Count());
        Assert.Equal(all.Select(e => e.CreatedAt).OrderDescending(), all.Select(e => e.CreatedAt));

        var creates = await PagesAsync(owner, "/api/audit?table=users&action=CREATE");
        Assert.All(creates, e => Assert.Equal(("users", AuditActions.Create), (e.TableName, e.Action)));
        Assert.Subset(creates.Select(e => e.RecordId).ToHashSet(), created.Select(id => id.ToString()).ToHashSet());

        var removed = await PagesAsync(owner, $"/api/audit?recordId={created[2]}");
        Assert.Equal([AuditActions.Delete, AuditActions.Update, AuditActions.Create], removed.Select(e => e.Action));
        Assert.Equal([AuditActions.Delete], (await PagesAsync(owner, $"/api/audit?recordId={created[2]}&action=delete")).Select(e => e.Action));

        var byAdmin = await PagesAsync(owner, $"/api/audit?userId={admin.Id}");
        Assert.NotEmpty(byAdmin);
        Assert.All(byAdmin, e => Assert.Equal(admin.Id, e.UserId));
        Assert.Contains(byAdmin, e => e.TableName == "businesses");

        var pivot = all[all.Count / 2].CreatedAt;
        var since = await PagesAsync(owner, $"/api/audit?from={Iso(pivot)}");
        var before = await PagesAsync(owner, $"/api/audit?to={Iso(pivot)}");
        Assert.All(since, e => Assert.True(e.CreatedAt >= pivot));
        Assert.All(before, e => Assert.True(e.CreatedAt < pivot));
        Assert.Equal(all.Select(e => e.Id).Order(), since.Concat(before).Select(e => e.Id).Order());
        Assert.Empty(await PagesAsync(owner, $"/api/audit?from={Iso(DateTime.UtcNow.AddDays(1))}"));
    }

    [Fact]
    public async Task Members_and_viewers_get_403_and_strangers_401()
    {
        var owner = await server.SignUpAsync();
        foreach (var role in new[] { UserRoles.Member, UserRoles.Viewer })
        {
            var caller = await server.AddUserAsync(owner, role);
            Assert.Equal(HttpStatusCode.Forbidden, (await caller.Http.GetAsync("/api/audit")).StatusCode);
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Anonymous().GetAsync("/api/audit")).StatusCode);
    }

    [Fact]
    public async Task Another_business_entries_never_show()
    {
        var a = await server.SignUpAsync();
        var b = await server.SignUpAsync();
        var bMember = await server.AddUserAsync(b, UserRoles.Member);
        Assert.Equal(HttpStatusCode.OK, (await b.Http.PatchAsJsonAsync("/api/business", new { name = "B renamed" })).StatusCode);

        Assert.Empty(await PagesAsync(a, $"/api/audit?recordId={b.BusinessId}"));
        Assert.Empty(await PagesAsync(a, $"/api/audit?recordId={bMember.Id}"));
        Assert.Empty(await PagesAsync(a, $"/api/audit?userId={b.Id}"));
        var foreignIds = new[] { b.BusinessId, b.Id, bMember.Id }.Select(id => id.ToString()).ToHashSet();
        Assert.DoesNotContain(await PagesAsync(a, "/api/audit"), e => foreignIds.Contains(e.RecordId) || e.UserId == b.Id);
        Assert.NotEmpty(await PagesAsync(b, $"/api/audit?recordId={b.BusinessId}"));
    }

    public static TheoryData<string> BadQueries => new()
    {
        "/api/audit?action=EXPLODE",
        "/api/audit?from=yesterday",
        "/api/audit?to=2025-13-45T00:00:00Z",
        "/api/audit?from=2025-01-02T00:00:00Z&to=2025-01-01T00:00:00Z",
        "/api/audit?table=" + new string('t', 101),
        "/api/audit?recordId=" + new string('r', 101),
        "/api/audit?userId=not-a-uuid",
        "/api/audit?limit=0",
        "/api/audit?limit=201",
        "/api/audit?cursor=bad-cursor",
    };

    [Theory]
    [MemberData(nameof(BadQueries))]
    public async Task Bad_filters_answer_400_and_write_nothing(string path)
    {
        var owner = await server.SignUpAsync();
        Assert.Equal(HttpStatusCode.OK, (await owner.Http.GetAsync("/api/me")).StatusCode); // the token's first use is a write
        var before = await AuditCountAsync(owner);

        var response = await owner.Http.GetAsync(path);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(before, await AuditCountAsync(owner));
    }

    /// <summary>Signs in from a client that sends <paramref name="userAgent"/>, and answers that client with its token.</summary>
    private async Task<HttpClient> SignInWithUserAgentAsync(string email, string userAgent)
    {
        var login = await server.Anonymous(userAgent).PostAsJsonAsync("/api/auth/login", new { email, password = ApiUser.Password });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var client = server.Anonymous(userAgent);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await login.Content.ReadFromJsonAsync<SessionDto>())!.Token);
        return client;
    }

    private static string Iso(DateTime time) => Uri.EscapeDataString(time.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));

    private static async Task<List<AuditEntryDto>> PagesAsync(ApiUser caller, string path)
    {
        var all = new List<AuditEntryDto>();
        string? cursor = null;
        do
        {
            var separator = path.Contains('?') ? '&' : '?';
            var page = (await caller.Http.GetFromJsonAsync<Page<AuditEntryDto>>(cursor is null ? path : $"{path}{separator}cursor={cursor}"))!;
            all.AddRange(page.Items);
            cursor = page.NextCursor;
        } while (cursor is not null && all.Count < 1000);
        return all;
    }

    private async Task<int> AuditCountAsync(ApiUser anyone)
    {
        await using var db = server.Database.Context(anyone.BusinessId);
        return await db.AuditLogs.CountAsync();
    }
}

public sealed class AuditApiTests_Sqlite(SqliteApi server) : AuditApiTests<SqliteDatabase>(server), IClassFixture<SqliteApi>;
public sealed class AuditApiTests_Postgres(PostgresApi server) : AuditApiTests<PostgresDatabase>(server), IClassFixture<PostgresApi>;
