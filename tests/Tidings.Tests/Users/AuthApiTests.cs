using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Tidings.Tests.Infrastructure;
using Tidings.Users;

namespace Tidings.Tests.Users;

public abstract class AuthApiTests<TDatabase>(TidingsServer<TDatabase> server) where TDatabase : TestDatabase, new()
{
    [Fact]
    public async Task Signing_up_creates_a_business_and_its_owner_who_can_sign_in()
    {
        var owner = await server.SignUpAsync("Acme Widgets");
        var me = await owner.Http.GetFromJsonAsync<MeDto>("/api/me");
        Assert.Equal(UserRoles.Owner, me!.Role);
        Assert.Equal("Acme Widgets", me.Business.Name);
        Assert.Equal(0.8, me.Business.NotificationRelevanceThreshold);

        var again = await server.LogInAsync(owner.Email.ToUpperInvariant(), UserRoles.Owner);
        Assert.Equal(owner.Id, again.Id);
    }

    [Fact]
    public async Task A_wrong_password_and_an_unknown_email_look_the_same()
    {
        var owner = await server.SignUpAsync();
        var wrong = await server.Anonymous().PostAsJsonAsync("/api/auth/login", new { email = owner.Email, password = "not the password" });
        var unknown = await server.Anonymous().PostAsJsonAsync("/api/auth/login", new { email = "nobody-" + owner.Email, password = "not the password" });
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        Assert.Equal(Problem(await wrong.Content.ReadAsStringAsync()), Problem(await unknown.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task Repeated_failed_sign_ins_for_one_email_from_one_address_are_throttled_even_with_the_right_password()
    {
        var owner = await server.SignUpAsync();
        for (var i = 0; i < 10; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await server.Anonymous().PostAsJsonAsync("/api/auth/login", new { email = owner.Email, password = "guess " + i })).StatusCode);
        var throttled = await server.Anonymous().PostAsJsonAsync("/api/auth/login", new { email = owner.Email, password = ApiUser.Password });
        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        Assert.Equal("application/problem+json", throttled.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Signing_up_twice_with_one_email_is_a_conflict_and_writes_nothing()
    {
        var owner = await server.SignUpAsync();
        var response = await server.Anonymous().PostAsJsonAsync("/api/auth/signup",
            new { businessName = "Copycat", email = owner.Email.ToUpperInvariant(), password = ApiUser.Password, displayName = "Copy" });
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        await using var db = server.Database.Context(null);
        using (await db.BeginPlatformScopeAsync("test-check"))
            Assert.False(await db.AcrossBusinesses<Tidings.Businesses.Business>().AnyAsync(b => b.Name == "Copycat"));
    }

    [Fact]
    public async Task Logging_out_ends_the_session()
    {
        var owner = await server.SignUpAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Http.PostAsync("/api/auth/logout", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await owner.Http.GetAsync("/api/me")).StatusCode);
    }

    [Fact]
    public async Task A_personal_token_is_shown_once_works_and_can_be_revoked()
    {
        var owner = await server.SignUpAsync();
        var created = await owner.Http.PostAsJsonAsync("/api/me/tokens", new { name = "nightly script", expiresInDays = 30 });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var token = (await created.Content.ReadFromJsonAsync<TokenCreatedDto>())!;
        var script = server.Authorized(token.Token);
        Assert.Equal(owner.Id, (await script.GetFromJsonAsync<MeDto>("/api/me"))!.Id);

        var list = await owner.Http.GetStringAsync("/api/me/tokens");
        Assert.Contains("nightly script", list);
        Assert.DoesNotContain(token.Token, list);

        Assert.Equal(HttpStatusCode.NoContent, (await owner.Http.DeleteAsync($"/api/me/tokens/{token.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await script.GetAsync("/api/me")).StatusCode);
    }

    [Fact]
    public async Task A_personal_token_lives_no_longer_than_its_business_allows()
    {
        var owner = await server.SignUpAsync();
        var tooLong = await owner.Http.PostAsJsonAsync("/api/me/tokens", new { name = "forever", expiresInDays = 91 });
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.True(JsonDocument.Parse(await tooLong.Content.ReadAsStringAsync()).RootElement.GetProperty("errors").TryGetProperty("expiresInDays", out _));
        var longest = await CreateTokenAsync(owner, 90);
        Assert.InRange(longest.ExpiresAt, DateTime.UtcNow.AddDays(90).AddMinutes(-5), DateTime.UtcNow.AddDays(90));
        var byDefault = await CreateTokenAsync(owner, null);
        Assert.InRange(byDefault.ExpiresAt, DateTime.UtcNow.AddDays(90).AddMinutes(-5), DateTime.UtcNow.AddDays(90));

        using var patch = new HttpRequestMessage(HttpMethod.Patch, "/api/business") { Content = JsonContent.Create(new { maxTokenLifetimeDays = 30 }) };
        Assert.Equal(HttpStatusCode.OK, (await owner.Http.SendAsync(patch)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await owner.Http.PostAsJsonAsync("/api/me/tokens", new { name = "too long now", expiresInDays = 31 })).StatusCode);
        var shorter = await CreateTokenAsync(owner, null);
        Assert.InRange(shorter.ExpiresAt, DateTime.UtcNow.AddDays(30).AddMinutes(-5), DateTime.UtcNow.AddDays(30));
        await using var db = server.Database.Context(owner.BusinessId);
        Assert.Equal(3, await db.ApiTokens.CountAsync(t => t.Kind == ApiToken.PersonalKind));
    }

    [Fact]
    public async Task A_token_left_behind_by_a_removed_or_deactivated_user_is_refused()
    {
        var owner = await server.SignUpAsync();
        foreach (var removed in new[] { true, false })
        {
            var member = await server.AddUserAsync(owner, UserRoles.Member);
            var script = server.Authorized((await CreateTokenAsync(member, null)).Token);
            Assert.Equal(HttpStatusCode.OK, (await script.GetAsync("/api/me")).StatusCode);

            // Through the data layer, around the API that would also end the tokens.
            await using (var db = server.Database.Context(owner.BusinessId, TestActors.User(owner.Id, owner.BusinessId)))
            {
                var user = await db.Users.SingleAsync(u => u.Id == member.Id);
                if (removed)
                    db.Users.Remove(user); // a soft delete: the row stays, still active
                else
                    user.IsActive = false;
                await db.SaveChangesAsync();
                Assert.Equal(2, await db.ApiTokens.CountAsync(t => t.UserId == member.Id));
            }

            Assert.Equal(HttpStatusCode.Unauthorized, (await script.GetAsync("/api/me")).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await member.Http.GetAsync("/api/me")).StatusCode);
        }
    }

    [Fact]
    public async Task A_forged_or_foreign_token_is_refused()
    {
        var a = await server.SignUpAsync();
        var b = await server.SignUpAsync();
        var forged = ApiToken.NewSecret(a.BusinessId);
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Authorized(forged).GetAsync("/api/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Authorized("garbage").GetAsync("/api/me")).StatusCode);
        // B's token with A's business spliced in does not exist in A.
        var created = await b.Http.PostAsJsonAsync("/api/me/tokens", new { name = "b" });
        var bToken = (await created.Content.ReadFromJsonAsync<TokenCreatedDto>())!.Token;
        var spliced = $"tdg_{a.BusinessId:N}_{bToken[37..]}";
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Authorized(spliced).GetAsync("/api/me")).StatusCode);
    }

    [Fact]
    public async Task Bad_sign_up_input_answers_400_with_field_errors_and_writes_nothing()
    {
        var response = await server.Anonymous().PostAsJsonAsync("/api/auth/signup", new { businessName = "", email = "not-an-email", password = "short", displayName = "" });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors");
        foreach (var field in new[] { "businessName", "email", "password", "displayName" })
            Assert.True(errors.TryGetProperty(field, out _), field);

        var malformed = await server.Anonymous().PostAsync("/api/auth/signup", new StringContent("{\"businessName\":", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.DoesNotContain("   at ", await malformed.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_failed_sign_in_writes_no_audit_row_and_a_successful_one_is_audited_in_its_business()
    {
        var owner = await server.SignUpAsync();
        await using var sql = new RawSql(server.Database);
        var before = await AuditRowsAsync(sql);

        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Anonymous().PostAsJsonAsync("/api/auth/login", new { email = owner.Email, password = "not the password" })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Anonymous().PostAsJsonAsync("/api/auth/login", new { email = "nobody-" + owner.Email, password = "not the password" })).StatusCode);
        Assert.Equal(before, await AuditRowsAsync(sql));

        await server.LogInAsync(owner.Email, UserRoles.Owner);
        var sessions = await sql.ScalarAsync(
            "SELECT count(*) FROM audit_logs WHERE table_name = 'api_tokens' AND action = 'CREATE' AND business_id = @business AND user_id = @user",
            ("business", owner.BusinessId), ("user", owner.Id));
        Assert.Equal(2L, Convert.ToInt64(sessions)); // the sign-up's session and this one
    }

    [Fact]
    public async Task A_refused_sign_up_writes_no_audit_row()
    {
        var owner = await server.SignUpAsync();
        await using var sql = new RawSql(server.Database);
        var before = await AuditRowsAsync(sql);

        var taken = await server.Anonymous().PostAsJsonAsync("/api/auth/signup",
            new { businessName = "Copycat", email = owner.Email, password = ApiUser.Password, displayName = "Copy" });
        var invalid = await server.Anonymous().PostAsJsonAsync("/api/auth/signup",
            new { businessName = "Copycat", email = "not-an-email", password = ApiUser.Password, displayName = "Copy" });

        Assert.Equal(HttpStatusCode.Conflict, taken.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Equal(before, await AuditRowsAsync(sql));
    }

    [Fact]
    public async Task Signing_up_with_another_business_bearer_token_starts_the_new_business_session()
    {
        var other = await server.SignUpAsync();
        await using var sql = new RawSql(server.Database);
        var otherAudit = await AuditRowsAsync(sql, other.BusinessId);

        var response = await other.Http.PostAsJsonAsync("/api/auth/signup",
            new { businessName = "Second business", email = $"second-{Guid.NewGuid():N}@example.test", password = ApiUser.Password, displayName = "Second" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var session = (await response.Content.ReadFromJsonAsync<SessionDto>())!;
        Assert.NotEqual(other.BusinessId, session.User.Business.Id);
        Assert.Equal("Second business", (await server.Authorized(session.Token).GetFromJsonAsync<MeDto>("/api/me"))!.Business.Name);
        Assert.Equal(otherAudit, await AuditRowsAsync(sql, other.BusinessId));
    }

    [Fact]
    public async Task Signing_up_in_a_browser_holding_another_business_session_replaces_the_session_cookie()
    {
        var browser = server.Anonymous();
        var first = await browser.PostAsJsonAsync("/api/auth/signup",
            new { businessName = "First business", email = $"first-{Guid.NewGuid():N}@example.test", password = ApiUser.Password, displayName = "First" });
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);

        var second = await browser.PostAsJsonAsync("/api/auth/signup",
            new { businessName = "Second business", email = $"second-{Guid.NewGuid():N}@example.test", password = ApiUser.Password, displayName = "Second" });

        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        var session = (await second.Content.ReadFromJsonAsync<SessionDto>())!;
        var me = (await browser.GetFromJsonAsync<MeDto>("/api/me"))!;
        Assert.Equal((session.User.Id, "Second business"), (me.Id, me.Business.Name));
    }

    [Fact]
    public async Task Signing_in_while_holding_another_business_session_switches_to_the_new_one()
    {
        var first = await server.SignUpAsync();
        var second = await server.SignUpAsync();
        var browser = server.Anonymous();
        Assert.Equal(HttpStatusCode.OK, (await browser.PostAsJsonAsync("/api/auth/login", new { email = first.Email, password = ApiUser.Password })).StatusCode);

        var response = await browser.PostAsJsonAsync("/api/auth/login", new { email = second.Email, password = ApiUser.Password });
        var withBearer = await first.Http.PostAsJsonAsync("/api/auth/login", new { email = second.Email, password = ApiUser.Password });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, withBearer.StatusCode);
        Assert.Equal(second.BusinessId, (await browser.GetFromJsonAsync<MeDto>("/api/me"))!.Business.Id);
    }

    private static async Task<long> AuditRowsAsync(RawSql sql, Guid? businessId = null) => Convert.ToInt64(businessId is { } id
        ? await sql.ScalarAsync("SELECT count(*) FROM audit_logs WHERE business_id = @business", ("business", id))
        : await sql.ScalarAsync("SELECT count(*) FROM audit_logs"));

    private static async Task<TokenCreatedDto> CreateTokenAsync(ApiUser user, int? expiresInDays)
    {
        var created = await user.Http.PostAsJsonAsync("/api/me/tokens", new { name = "script", expiresInDays });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<TokenCreatedDto>())!;
    }

    private static string Problem(string json)
    {
        var root = JsonDocument.Parse(json).RootElement;
        return $"{root.GetProperty("status")} {root.GetProperty("title")}";
    }
}

public sealed class AuthApiTests_Sqlite(SqliteApi server) : AuthApiTests<SqliteDatabase>(server), IClassFixture<SqliteApi>;
public sealed class AuthApiTests_Postgres(PostgresApi server) : AuthApiTests<PostgresDatabase>(server), IClassFixture<PostgresApi>;
public sealed class AuthApiTests_Citus(CitusApi server) : AuthApiTests<CitusDatabase>(server), IClassFixture<CitusApi>;
