using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Tidings.Data.Auditing;
using Tidings.Tests.Infrastructure;
using Tidings.Users;

namespace Tidings.Tests.Users;

public abstract class PasswordApiTests<TDatabase>(TidingsServer<TDatabase> server) where TDatabase : TestDatabase, new()
{
    private const string NewPassword = "a much better password";

    [Fact]
    public async Task Changing_ones_password_ends_every_other_session_and_keeps_this_one_and_the_tokens()
    {
        var owner = await server.SignUpAsync();
        var other = await server.LogInAsync(owner.Email, UserRoles.Owner);
        var created = await other.Http.PostAsJsonAsync("/api/me/tokens", new { name = "script" });
        var script = server.Authorized((await created.Content.ReadFromJsonAsync<TokenCreatedDto>())!.Token);
        var member = await server.AddUserAsync(owner, UserRoles.Member);

        var response = await owner.Http.PostAsJsonAsync("/api/me/password", new { currentPassword = ApiUser.Password, newPassword = NewPassword });

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await owner.Http.GetAsync("/api/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await other.Http.GetAsync("/api/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await script.GetAsync("/api/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await member.Http.GetAsync("/api/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await LogInAsync(owner.Email, ApiUser.Password)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await LogInAsync(owner.Email, NewPassword)).StatusCode);

        // Audited, with the hash masked.
        await using var db = server.Database.Context(owner.BusinessId);
        var id = owner.Id.ToString();
        var updates = await db.AuditLogs.Where(a => a.TableName == "users" && a.RecordId == id && a.Action == AuditActions.Update).ToListAsync();
        var update = updates.Single(a => a.ChangedFields!.Contains("password_hash"));
        Assert.Equal(owner.Id, update.UserId);
        Assert.Equal("***", JsonDocument.Parse(update.NewValues!).RootElement.GetProperty("password_hash").GetString());
        Assert.DoesNotContain(NewPassword, update.NewValues + update.OldValues);
        Assert.Equal(1, await db.AuditLogs.CountAsync(a => a.TableName == "api_tokens" && a.Action == AuditActions.Delete));
    }

    [Fact]
    public async Task Guessing_the_current_password_meets_the_sign_in_limit_and_then_even_the_right_one_is_refused()
    {
        var owner = await server.SignUpAsync();
        for (var i = 0; i < 10; i++)
            Assert.Equal(HttpStatusCode.BadRequest, (await owner.Http.PostAsJsonAsync("/api/me/password", new { currentPassword = "guess " + i, newPassword = NewPassword })).StatusCode);

        var throttled = await owner.Http.PostAsJsonAsync("/api/me/password", new { currentPassword = ApiUser.Password, newPassword = NewPassword });

        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        Assert.Equal("application/problem+json", throttled.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(throttled.Headers.RetryAfter);
        await using var db = server.Database.Context(owner.BusinessId);
        var user = await db.Users.SingleAsync(u => u.Id == owner.Id);
        Assert.True(Passwords.Verify(user, ApiUser.Password, out _));
    }

    [Fact]
    public async Task A_wrong_current_password_answers_400_naming_it_and_changes_nothing()
    {
        var owner = await server.SignUpAsync();
        var other = await server.LogInAsync(owner.Email, UserRoles.Owner);
        Assert.Equal(HttpStatusCode.OK, (await owner.Http.GetAsync("/api/me")).StatusCode); // the first use stamps last_used_at
        var before = await StateAsync(owner);

        var response = await owner.Http.PostAsJsonAsync("/api/me/password", new { currentPassword = "not my password", newPassword = NewPassword });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors");
        Assert.Equal(["currentPassword"], errors.EnumerateObject().Select(e => e.Name));
        Assert.Equal(before, await StateAsync(owner));
        Assert.Equal(HttpStatusCode.OK, (await other.Http.GetAsync("/api/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await LogInAsync(owner.Email, ApiUser.Password)).StatusCode);
    }

    public static TheoryData<string?, string> BadBodies => new()
    {
        { """{"newPassword":"a much better password"}""", "currentPassword" },
        { """{"currentPassword":"","newPassword":"a much better password"}""", "currentPassword" },
        { $$"""{"currentPassword":"{{new string('p', 201)}}","newPassword":"a much better password"}""", "currentPassword" },
        { $$"""{"currentPassword":"{{ApiUser.Password}}"}""", "newPassword" },
        { $$"""{"currentPassword":"{{ApiUser.Password}}","newPassword":"short"}""", "newPassword" },
        { $$"""{"currentPassword":"{{ApiUser.Password}}","newPassword":"{{new string('n', 201)}}"}""", "newPassword" },
        { $$"""{"currentPassword":"{{ApiUser.Password}}","newPassword":12345678901}""", "" },
        { $$"""{"currentPassword":"{{ApiUser.Password}}","newPassword":"a much better password","email":"x@example.test"}""", "" },
        { """{"currentPassword":""", "" },
        { null, "" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Bad_input_answers_400_and_changes_nothing(string? body, string field)
    {
        var owner = await server.SignUpAsync();
        var other = await server.LogInAsync(owner.Email, UserRoles.Owner);
        Assert.Equal(HttpStatusCode.OK, (await owner.Http.GetAsync("/api/me")).StatusCode);
        var before = await StateAsync(owner);

        var response = await owner.Http.PostAsync("/api/me/password", body is null ? null : new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        if (field.Length > 0)
            Assert.True(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors").TryGetProperty(field, out _), field);
        Assert.Equal(before, await StateAsync(owner));
        Assert.Equal(HttpStatusCode.OK, (await other.Http.GetAsync("/api/me")).StatusCode);
    }

    private Task<HttpResponseMessage> LogInAsync(string email, string password) =>
        server.Anonymous().PostAsJsonAsync("/api/auth/login", new { email, password });

    /// <summary>The stored hash, the number of credentials and audit entries: equal states mean nothing was written.</summary>
    private async Task<(string?, int, int)> StateAsync(ApiUser user)
    {
        await using var db = server.Database.Context(user.BusinessId);
        var hash = await db.Users.Where(u => u.Id == user.Id).Select(u => u.PasswordHash).SingleAsync();
        return (hash, await db.ApiTokens.CountAsync(), await db.AuditLogs.CountAsync());
    }
}

public sealed class PasswordApiTests_Sqlite(SqliteApi server) : PasswordApiTests<SqliteDatabase>(server), IClassFixture<SqliteApi>;
public sealed class PasswordApiTests_Postgres(PostgresApi server) : PasswordApiTests<PostgresDatabase>(server), IClassFixture<PostgresApi>;
