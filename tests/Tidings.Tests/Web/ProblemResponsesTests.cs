using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Tidings.Tests.Infrastructure;
using Tidings.Web;

namespace Tidings.Tests.Web;

/// <summary>Failures that no single feature owns still answer as problem documents and write nothing.</summary>
public abstract class ProblemResponsesTests<TDatabase>(TidingsServer<TDatabase> server) where TDatabase : TestDatabase, new()
{
    [Fact]
    public async Task An_oversized_body_answers_413_and_writes_nothing()
    {
        var owner = await server.SignUpAsync();
        var notes = new string('x', (int)TidingsWeb.MaxRequestBodyBytes + 1);
        var response = await owner.Http.PostAsync("/api/clients",
            new StringContent($$"""{"name":"Huge","notes":"{{notes}}"}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        await using var db = server.Database.Context(owner.BusinessId);
        Assert.Equal(0, await db.Clients.CountAsync());
    }

    [Fact]
    public async Task A_patch_that_is_not_UTF_8_answers_400_and_changes_nothing()
    {
        var owner = await server.SignUpAsync();
        var created = await owner.Http.PostAsync("/api/tags", new StringContent("""{"name":"Plain"}""", Encoding.UTF8, "application/json"));
        var tag = System.Text.Json.JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetGuid();

        var body = new ByteArrayContent([.. "{\"name\": \""u8, 0xff, 0xfe, .. "\"}"u8]);
        body.Headers.ContentType = new("application/json");
        var response = await owner.Http.PatchAsync($"/api/tags/{tag}", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        await using var db = server.Database.Context(owner.BusinessId);
        Assert.Equal("Plain", (await db.Tags.SingleAsync(t => t.Id == tag)).Name);
    }

    [Theory]
    [InlineData("GET", "/api/nothing-here", HttpStatusCode.NotFound)]
    [InlineData("DELETE", "/api/me", HttpStatusCode.MethodNotAllowed)]
    [InlineData("GET", "/api/clients?limit=abc", HttpStatusCode.BadRequest)]
    [InlineData("GET", "/api/events?cursor=not-a-cursor", HttpStatusCode.BadRequest)]
    [InlineData("GET", "/api/me/sessions?cursor=not-a-cursor", HttpStatusCode.BadRequest)]
    [InlineData("DELETE", "/api/me/sessions/not-a-uuid", HttpStatusCode.NotFound)]
    [InlineData("POST", "/api/me/password", HttpStatusCode.BadRequest)]
    public async Task Routing_and_binding_failures_are_problem_documents_without_internals(string method, string path, HttpStatusCode status)
    {
        var owner = await server.SignUpAsync();
        var response = await owner.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("   at ", await response.Content.ReadAsStringAsync());
    }
}

public sealed class ProblemResponsesTests_Sqlite(SqliteApi server) : ProblemResponsesTests<SqliteDatabase>(server), IClassFixture<SqliteApi>;
public sealed class ProblemResponsesTests_Postgres(PostgresApi server) : ProblemResponsesTests<PostgresDatabase>(server), IClassFixture<PostgresApi>;
