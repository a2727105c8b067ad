using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Tidings.Data;
using Tidings.Tests.Infrastructure;
using Tidings.Users;
using Tidings.Web;

namespace Tidings.Tests.Users;

public abstract class SessionsApiTests<TDatabase>(TidingsServer<TDatabase> server) where TDatabase : TestDatabase, new()
{
    [Fact]
    public async Task The_session_list_shows_where_each_live_session_was_signed_in_from_and_which_is_current()
    {
        var owner = await server.SignUpAsync();
        var laptop = await SignInAsync(owner.Email, "Laptop/1.0");
        var phone = await SignInAsync(owner.Email, "Phone/2.0");
        Assert.Equal(HttpStatusCode.Created, (await laptop.PostAsJsonAsync("/api/me/tokens", new { name = "script" })).StatusCode);
        await ExpiredSessionAsync(owner);

        var sessions = await ListAsync(laptop);
        Assert.Equal(3, sessions.Count); // sign-up, laptop, phone; neither the token nor the expired session
        Assert.Equal(["Phone/2.0", "Laptop/1.0", "Tidings.Tests"], sessions.Select(s => s.UserAgent));
        Assert.All(sessions, s => Assert.Equal("127.0.0.1", s.IpAddress));
        Assert.All(sessions, s => Assert.True(s.ExpiresAt > s.CreatedAt));
        Assert.Equal([false, true, false], sessions.Select(s => s.Current));
        Assert.Equal([true, false, false], (await ListAsync(phone)).Select(s => s.Current));

        // One row per page, following the cursor, gives the same list.
        var page = (await laptop.GetFromJsonAsync<Page<ActiveSessionDto>>("/api/me/sessions?limit=1"))!;
        var second = (await laptop.GetFromJsonAsync<Page<ActiveSessionDto>>($"/api/me/sessions?limit=1&cursor={page.NextCursor}"))!;
        Assert.Equal(sessions.Take(2).Select(s => s.Id), page.Items.Concat(second.Items).Select(s => s.Id));

        // A colleague sees only their own.
        var member = await server.AddUserAsync(owner, UserRoles.Member);
        Assert.Equal([true], (await ListAsync(member.Http)).Select(s => s.Current));
    }

    [Fact]
    public async Task Revoking_a_session_ends_it_and_a_colleague_or_another_business_session_answers_404()
    {
        var owner = await server.SignUpAsync();
        var laptop = await SignInAsync(owner.Email, "Laptop/1.0");
        var phone = await SignInAsync(owner.Email, "Phone/2.0");
        var phoneId = (await ListAsync(phone)).Single(s => s.Current).Id;
        var member = await server.AddUserAsync(owner, UserRoles.Member);
        var memberSession = (await ListAsync(member.Http)).Single().Id;
        var stranger = await server.SignUpAsync();
        var strangerSession = (await ListAsync(stranger.Http)).Single().Id;
        Assert.Equal(HttpStatusCode.OK, (await laptop.GetAsync("/api/me")).StatusCode); // the first use stamps last_used_at
        var auditBefore = await AuditCountAsync(owner);

        Assert.Equal(HttpStatusCode.NotFound, (await laptop.DeleteAsync($"/api/me/sessions/{memberSession}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await laptop.DeleteAsync($"/api/me/sessions/{strangerSession}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await laptop.DeleteAsync($"/api/me/sessions/{Guid.NewGuid()}")).StatusCode);
        Assert.Equal(auditBefore, await AuditCountAsync(owner));
        Assert.Equal(HttpStatusCode.OK, (await member.Http.GetAsync("/api/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await stranger.Http.GetAsync("/api/me")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await laptop.DeleteAsync($"/api/me/sessions/{phoneId}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await phone.GetAsync("/api/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await laptop.GetAsync("/api/me")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await laptop.DeleteAsync($"/api/me/sessions/{phoneId}")).StatusCode);

        // Ending the session you are using is signing out.
        var laptopId = (await ListAsync(laptop)).Single(s => s.Current).Id;
        Assert.Equal(HttpStatusCode.NoContent, (await laptop.DeleteAsync($"/api/me/sessions/{laptopId}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await laptop.GetAsync("/api/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await owner.Http.GetAsync("/api/me")).StatusCode);
    }

    [Fact]
    public async Task Signing_out_everywhere_ends_every_session_and_personal_tokens_only_when_asked()
    {
        var owner = await server.SignUpAsync();
        var laptop = await SignInAsync(owner.Email, "Laptop/1.0");
        var script = await TokenAsync(laptop);
        var member = await server.AddUserAsync(owner, UserRoles.Member);

        Assert.Equal(HttpStatusCode.NoContent, (await laptop.PostAsync("/api/me/sessions/revoke-all", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await laptop.GetAsync("/api/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await owner.Http.GetAsync("/api/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await script.GetAsync("/api/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await member.Http.GetAsync("/api/me")).StatusCode);

        var again = await SignInAsync(owner.Email, "Laptop/1.0");
        Assert.Equal(HttpStatusCode.NoContent, (await again.PostAsJsonAsync("/api/me/sessions/revoke-all", new { includeTokens = true })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await again.GetAsync("/api/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await script.GetAsync("/api/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await member.Http.GetAsync("/api/me")).StatusCode);
        await using var db = server.Database.Context(owner.BusinessId);
        Assert.Equal(0, await db.ApiTokens.CountAsync(t => t.UserId == owner.Id));
    }

    [Theory]
    [InlineData("GET", "/api/me/sessions?limit=0", null)]
    [InlineData("GET", "/api/me/sessions?limit=201", null)]
    [InlineData("GET", "/api/me/sessions?cursor=not-a-cursor", null)]
    [InlineData("POST", "/api/me/sessions/revoke-all", """{"includeTokens":"yes"}""")]
    [InlineData("POST", "/api/me/sessions/revoke-all", """{"includeTokens":true,"everyone":true}""")]
    [InlineData("POST", "/api/me/sessions/revoke-all", """[true]""")]
    [InlineData("POST", "/api/me/sessions/revoke-all", """{"includeTokens":""")]
    public async Task Bad_input_answers_400_and_ends_nothing(string method, string path, string? body)
    {
        var owner = await server.SignUpAsync();
        var laptop = await SignInAsync(owner.Email, "Laptop/1.0");
        Assert.Equal(HttpStatusCode.OK, (await owner.Http.GetAsync("/api/me")).StatusCode); // the first use stamps last_used_at
        var before = await AuditCountAsync(owner);

        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null)
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        var response = await owner.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(before, await AuditCountAsync(owner));
        Assert.Equal(HttpStatusCode.OK, (await laptop.GetAsync("/api/me")).StatusCode);
    }

    /// <summary>Signs in over HTTP from a client that says it is <paramref name="userAgent"/>.</summary>
    private async Task<HttpClient> SignInAsync(string email, string userAgent)
    {
        var response = await server.Anonymous(userAgent).PostAsJsonAsync("/api/auth/login", new { email, password = ApiUser.Password });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var client = server.Authorized((await response.Content.ReadFromJsonAsync<SessionDto>())!.Token);
        client.DefaultRequestHeaders.UserAgent.Clear();
        client.DefaultRequestHeaders.UserAgent.ParseAdd(userAgent);
        return client;
    }

    private async Task<HttpClient> TokenAsync(HttpClient caller)
    {
        var created = await caller.PostAsJsonAsync("/api/me/tokens", new { name = "script" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return server.Authorized((await created.Content.ReadFromJsonAsync<TokenCreatedDto>())!.Token);
    }

    private async Task ExpiredSessionAsync(ApiUser user)
    {
        await using var db = server.Database.Context(user.BusinessId, TestActors.User(user.Id, user.BusinessId));
        db.ApiTokens.Add(new ApiToken
        {
            UserId = user.Id, Kind = ApiToken.SessionKind, Name = "sign-in", TokenHash = ApiToken.Hash(ApiToken.NewSecret(user.BusinessId)),
            ExpiresAt = StoredTime.Of(DateTime.UtcNow.AddMinutes(-1)), UserAgent = "Expired/0.1",
        });
        await db.SaveChangesAsync();
    }

    private static async Task<List<ActiveSessionDto>> ListAsync(HttpClient caller)
    {
        var response = await caller.GetAsync("/api/me/sessions");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = JsonSerializer.Deserialize<Page<ActiveSessionDto>>(await response.Content.ReadAsStringAsync(), JsonSerializerOptions.Web)!;
        Assert.Null(page.NextCursor);
        return page.Items.ToList();
    }

    private async Task<int> AuditCountAsync(ApiUser anyone)
    {
        await using var db = server.Database.Context(anyone.BusinessId);
        return await db.AuditLogs.CountAsync();
    }
}

public sealed class SessionsApiTests_Sqlite(SqliteApi server) : SessionsApiTests<SqliteDatabase>(server), IClassFixture<SqliteApi>;
public sealed class SessionsApiTests_Postgres(PostgresApi server) : SessionsApiTests<PostgresDatabase>(server), IClassFixture<PostgresApi>;
public sealed class SessionsApiTests_Citus(CitusApi server) : SessionsApiTests<CitusDatabase>(server), IClassFixture<CitusApi>;
