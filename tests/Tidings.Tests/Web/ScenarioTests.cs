using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Tidings.Tests.Infrastructure;
using Tidings.Users;

namespace Tidings.Tests.Web;

/// <summary>Two businesses used end to end through HTTP, the way their people would, side by side.</summary>
public abstract class ScenarioTests<TDatabase>(TidingsServer<TDatabase> server) where TDatabase : TestDatabase, new()
{
    [Fact]
    public async Task Two_businesses_work_side_by_side_through_the_API_and_never_see_each_other()
    {
        var acme = await RunBusinessAsync("Acme");
        var globex = await RunBusinessAsync("Globex");

        foreach (var (mine, theirs) in new[] { (acme, globex), (globex, acme) })
        {
            var clients = await ItemsAsync(mine.Owner, "/api/clients");
            Assert.Equal([mine.ClientId], clients.Select(c => (string)c!["id"]!));
            var events = await ItemsAsync(mine.Owner, "/api/events");
            Assert.Equal([mine.EventId], events.Select(e => (string)e!["id"]!));
            var users = await ItemsAsync(mine.Owner, "/api/users");
            Assert.Equal(4, users.Count);
            Assert.DoesNotContain(users, u => (string)u!["id"]! == theirs.Owner.Id.ToString());
            Assert.Equal(HttpStatusCode.NotFound, (await mine.Owner.Http.GetAsync($"/api/clients/{theirs.ClientId}")).StatusCode);
        }
    }

    private sealed record BusinessRun(ApiUser Owner, string ClientId, string EventId);

    private async Task<BusinessRun> RunBusinessAsync(string name)
    {
        var owner = await server.SignUpAsync(name);
        var people = new Dictionary<string, ApiUser>();
        foreach (var role in new[] { UserRoles.Admin, UserRoles.Member, UserRoles.Viewer })
        {
            var email = $"{role}-{Guid.NewGuid():N}@{name.ToLowerInvariant()}.test";
            var created = await owner.Http.PostAsJsonAsync("/api/users", new { email, displayName = $"{name} {role}", role, password = ApiUser.Password });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            people[role] = await server.LogInAsync(email, role);
        }
        var (admin, member, viewer) = (people[UserRoles.Admin], people[UserRoles.Member], people[UserRoles.Viewer]);

        // The member adds a client for the admin to look after: the admin is told.
        var client = await PostAsync(member, "/api/clients", new { name = $"{name} Customer", domain = $"{name.ToLowerInvariant()}-customer.example", searchKeywords = new[] { name }, tier = "Enterprise", healthScore = 72.5, monitoringFrequency = "daily", assignedToUserId = admin.Id });
        var clientId = (string)client["id"]!;
        var tag = await PostAsync(member, "/api/tags", new { name = "Renewal", color = "#AA3300" });
        Assert.Equal(HttpStatusCode.NoContent, (await member.Http.PutAsync($"/api/clients/{clientId}/tags/{tag["id"]}", null)).StatusCode);

        // A high-relevance event for that client reaches the admin as a notification.
        var ev = await PostAsync(member, "/api/events", new { clientId, title = $"{name} Customer raises $40M", category = "funding", relevanceScore = 0.95, eventDate = DateTime.UtcNow.AddHours(-2), url = $"https://news.example/{name}/funding" });
        var eventId = (string)ev["id"]!;
        Assert.Equal(HttpStatusCode.NoContent, (await member.Http.PutAsync($"/api/events/{eventId}/tags/{tag["id"]}", null)).StatusCode);
        var notifications = await ItemsAsync(admin, "/api/notifications");
        Assert.Contains(notifications, n => (string)n!["type"]! == "client_assigned");
        Assert.Contains(notifications, n => (string)n!["type"]! == "high_relevance_event");

        // The viewer reads and stars; the member's own state stays unread.
        var put = await viewer.Http.PutAsJsonAsync($"/api/events/{eventId}/interaction", new { isRead = true, isStarred = true, notes = "call them" });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Empty(await ItemsAsync(viewer, "/api/events?unread=true"));
        Assert.Single(await ItemsAsync(viewer, "/api/events?starred=true"));
        Assert.Single(await ItemsAsync(member, "/api/events?unread=true"));

        // The viewer cannot change shared data; the admin sees who did what, from where.
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.Http.PostAsJsonAsync("/api/clients", new { name = "Not allowed" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await member.Http.GetAsync("/api/audit")).StatusCode);
        var audit = await ItemsAsync(admin, $"/api/audit?table=clients&recordId={clientId}");
        Assert.Contains(audit, entry => (string)entry!["action"]! == "CREATE" && (string?)entry["ipAddress"] == "127.0.0.1" && (string?)entry["userAgent"] == "Tidings.Tests");
        return new BusinessRun(owner, clientId, eventId);
    }

    private static async Task<JsonObject> PostAsync(ApiUser user, string path, object body)
    {
        var response = await user.Http.PostAsJsonAsync(path, body);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
    }

    private static async Task<JsonArray> ItemsAsync(ApiUser user, string path)
    {
        var response = await user.Http.GetAsync(path);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!["items"]!.AsArray();
    }
}

public sealed class ScenarioTests_Sqlite(SqliteApi server) : ScenarioTests<SqliteDatabase>(server), IClassFixture<SqliteApi>;
public sealed class ScenarioTests_Postgres(PostgresApi server) : ScenarioTests<PostgresDatabase>(server), IClassFixture<PostgresApi>;
