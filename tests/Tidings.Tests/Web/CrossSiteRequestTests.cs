using System.Net;
using System.Net.Http.Json;
using Tidings.Notifications;
using Tidings.Tests.Infrastructure;
using Tidings.Users;
using Tidings.Web;

namespace Tidings.Tests.Web;

/// <summary>
/// Changes signed in by the session cookie come from Tidings' own pages or not at all: a foreign Origin or
/// Sec-Fetch-Site, or a missing X-Tidings-Request header, is a 403 that writes nothing. Bearer tokens are
/// not sent by browsers on their own and need none of it.
/// </summary>
public abstract class CrossSiteRequestTests<TDatabase>(TestRoutesApi<TDatabase> server) where TDatabase : TestDatabase, new()
{
    private const string Foreign = "https://evil.example";

    [Fact]
    public async Task Cookie_changes_from_a_foreign_site_are_refused_and_write_nothing()
    {
        var (browser, owner) = await SignUpInBrowserAsync();
        var clientId = await DeletedClientAsync(owner);
        await NotifyAsync(owner);
        await using var sql = new RawSql(server.Database);
        var audit = await AuditRowsAsync(sql);

        var attempts = new[]
        {
            Send(HttpMethod.Post, $"/api/clients/{clientId}/restore", ("Origin", Foreign), (CrossSiteRequests.RequestHeader, "1")),
            Send(HttpMethod.Post, "/api/notifications/read-all", ("Sec-Fetch-Site", "cross-site"), (CrossSiteRequests.RequestHeader, "1")),
            Send(HttpMethod.Post, "/api/auth/logout", ("Origin", Foreign), (CrossSiteRequests.HtmxHeader, "true")),
            Send(HttpMethod.Post, "/api/clients", new { name = "Forged" }, ("Origin", Foreign), (CrossSiteRequests.RequestHeader, "1")),
            Send(HttpMethod.Post, "/api/auth/logout", ("Origin", "null"), (CrossSiteRequests.RequestHeader, "1")),
        };
        foreach (var attempt in attempts)
        {
            var response = await browser.SendAsync(attempt);
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{attempt.Method} {attempt.RequestUri}: {(int)response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        Assert.Equal(audit, await AuditRowsAsync(sql));
        Assert.Equal(1, (await owner.Http.GetFromJsonAsync<UnreadCountDto>("/api/notifications/unread-count"))!.Count);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/me")).StatusCode);
    }

    [Fact]
    public async Task Cookie_changes_from_the_site_itself_need_the_request_header()
    {
        var (browser, owner) = await SignUpInBrowserAsync();
        var clientId = await DeletedClientAsync(owner);
        await NotifyAsync(owner);

        // What a cross-site form can send: no custom header (and a browser may leave Origin out).
        Assert.Equal(HttpStatusCode.Forbidden, (await browser.SendAsync(Send(HttpMethod.Post, $"/api/clients/{clientId}/restore", ("Origin", Own)))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await browser.SendAsync(Send(HttpMethod.Post, "/api/notifications/read-all"))).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await browser.SendAsync(Send(HttpMethod.Post, $"/api/clients/{clientId}/restore",
            ("Origin", Own), ("Sec-Fetch-Site", "same-origin"), (CrossSiteRequests.RequestHeader, "1")))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.SendAsync(Send(HttpMethod.Post, "/api/notifications/read-all",
            (CrossSiteRequests.HtmxHeader, "true")))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await browser.SendAsync(Send(HttpMethod.Post, "/api/clients", new { name = "Fine" },
            ("Origin", Own), (CrossSiteRequests.RequestHeader, "1")))).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await browser.SendAsync(Send(HttpMethod.Post, "/api/auth/logout",
            (CrossSiteRequests.RequestHeader, "1")))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/api/me")).StatusCode);
    }

    [Fact]
    public async Task A_foreign_origin_is_refused_with_the_cookie_and_ignored_with_a_bearer_token()
    {
        var (browser, owner) = await SignUpInBrowserAsync();
        var clientId = await DeletedClientAsync(owner);
        var restore = $"/api/clients/{clientId}/restore";

        Assert.Equal(HttpStatusCode.Forbidden, (await browser.SendAsync(Send(HttpMethod.Post, restore, ("Origin", Foreign)))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await owner.Http.SendAsync(Send(HttpMethod.Post, restore, ("Origin", Foreign)))).StatusCode);
        // A bearer token wins over the cookie the same client carries.
        var both = Send(HttpMethod.Post, "/api/clients", new { name = "Scripted" }, ("Origin", Foreign), ("Sec-Fetch-Site", "cross-site"));
        both.Headers.Authorization = owner.Http.DefaultRequestHeaders.Authorization;
        Assert.Equal(HttpStatusCode.Created, (await browser.SendAsync(both)).StatusCode);
    }

    [Fact]
    public async Task A_route_with_antiforgery_metadata_is_left_to_its_own_token()
    {
        var (browser, _) = await SignUpInBrowserAsync();
        var token = await browser.GetStringAsync(TestRoutesApi<TDatabase>.AntiforgeryToken);

        var withToken = Send(HttpMethod.Post, TestRoutesApi<TDatabase>.Form, ("RequestVerificationToken", token));
        Assert.Equal(HttpStatusCode.OK, (await browser.SendAsync(withToken)).StatusCode);
        var withoutToken = Send(HttpMethod.Post, TestRoutesApi<TDatabase>.Form, (CrossSiteRequests.RequestHeader, "1"));
        Assert.Equal(HttpStatusCode.BadRequest, (await browser.SendAsync(withoutToken)).StatusCode);
    }

    private string Own => server.BaseAddress.GetLeftPart(UriPartial.Authority);

    /// <summary>A browser holding a new owner's session cookie, and the same session as a bearer client.</summary>
    private async Task<(HttpClient Browser, ApiUser Owner)> SignUpInBrowserAsync()
    {
        var browser = server.Anonymous();
        var email = $"owner-{Guid.NewGuid():N}@example.test";
        var response = await browser.PostAsJsonAsync("/api/auth/signup", new { businessName = "Cookie business", email, password = ApiUser.Password, displayName = "Owner" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var session = (await response.Content.ReadFromJsonAsync<SessionDto>())!;
        return (browser, new ApiUser(server.Authorized(session.Token), session.User.Id, session.User.Business.Id, email, UserRoles.Owner));
    }

    private static async Task<Guid> DeletedClientAsync(ApiUser owner)
    {
        var created = await owner.Http.PostAsJsonAsync("/api/clients", new { name = "Deleted Co" });
        var id = (await created.Content.ReadFromJsonAsync<Tidings.Clients.ClientDto>())!.Id;
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Http.DeleteAsync($"/api/clients/{id}")).StatusCode);
        return id;
    }

    private async Task NotifyAsync(ApiUser owner)
    {
        await using var db = server.Database.Context(owner.BusinessId, TestActors.User(owner.Id, owner.BusinessId));
        db.Notifications.Add(new Notification { UserId = owner.Id, Type = NotificationTypes.HighRelevanceEvent, Title = "Look", Message = "News" });
        await db.SaveChangesAsync();
    }

    private static HttpRequestMessage Send(HttpMethod method, string path, params (string Name, string Value)[] headers) => Send(method, path, null, headers);

    private static HttpRequestMessage Send(HttpMethod method, string path, object? json, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(method, path) { Content = json is null ? null : JsonContent.Create(json) };
        foreach (var (name, value) in headers)
            request.Headers.TryAddWithoutValidation(name, value);
        return request;
    }

    private static async Task<long> AuditRowsAsync(RawSql sql) => Convert.ToInt64(await sql.ScalarAsync("SELECT count(*) FROM audit_logs"));
}

public sealed class CrossSiteRequestTests_Sqlite(SqliteTestRoutesApi server) : CrossSiteRequestTests<SqliteDatabase>(server), IClassFixture<SqliteTestRoutesApi>;
public sealed class CrossSiteRequestTests_Postgres(PostgresTestRoutesApi server) : CrossSiteRequestTests<PostgresDatabase>(server), IClassFixture<PostgresTestRoutesApi>;
