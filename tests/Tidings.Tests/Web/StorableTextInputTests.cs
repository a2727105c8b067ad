using System.Buffers.Text;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Tidings.Data;
using Tidings.Tests.Clients;
using Tidings.Tests.Infrastructure;

namespace Tidings.Tests.Web;

/// <summary>
/// Text the database cannot store (NUL, other control characters, a lone surrogate) is refused in every
/// string field of every request, as a 400 naming the field, the same on both providers, and writes nothing.
/// </summary>
public abstract class StorableTextInputTests<TDatabase>(TidingsServer<TDatabase> server) where TDatabase : TestDatabase, new()
{
    /// <summary>Put in place of BAD inside a JSON string: NUL, another control character, a lone surrogate.</summary>
    private static readonly string[] InJson = [@"a\u0000b", @"a\u0001b", @"a\ud800b"];

    /// <summary>Put in place of BAD in a query: NUL, another control character, a C1 control. (A lone surrogate has no UTF-8 to percent-encode.)</summary>
    private static readonly string[] InQuery = ["a%00b", "a%01b", "a%C2%85b"];

    /// <summary>In a path Kestrel itself refuses %00 before routing, so route values get the others.</summary>
    private static readonly string[] InRoute = ["a%01b", "a%C2%85b", "a%7Fb"];

    private static readonly Dictionary<string, object> Event = new()
    {
        ["clientId"] = "{client}", ["title"] = "Fine", ["category"] = "funding", ["eventDate"] = "2026-01-01T00:00:00Z",
    };

    public static TheoryData<string, string, string?, string> Fields()
    {
        var data = new TheoryData<string, string, string?, string>();
        void Body(string method, string path, object body, string field) => data.Add(method, path, Json(body), field);

        var client = new Dictionary<string, object> { ["name"] = "Fine" };
        foreach (var field in new[] { "name", "domain", "industry", "description", "companySize", "revenueRange", "headquartersLocation", "monitoringFrequency", "tier", "notes" })
        {
            Body("POST", "/api/clients", With(client, field, "BAD"), field);
            Body("PATCH", "/api/clients/{client}", With([], field, "BAD"), field);
        }
        Body("POST", "/api/clients", With(client, "searchKeywords", new[] { "fine", "BAD" }), "searchKeywords[1]");
        Body("PATCH", "/api/clients/{client}", With([], "searchKeywords", new[] { "fine", "BAD" }), "searchKeywords[1]");

        foreach (var field in new[] { "title", "description", "url", "source", "sourceType", "category", "subcategory" })
        {
            Body("POST", "/api/events", With(Event, field, "BAD"), field);
            Body("PATCH", "/api/events/{event}", With([], field, "BAD"), field);
        }
        Body("POST", "/api/events", With(Event, "tags", new[] { "fine", "BAD" }), "tags[1]");
        Body("PATCH", "/api/events/{event}", With([], "tags", new[] { "BAD" }), "tags[0]");
        Body("POST", "/api/events/batch", new { events = new[] { Event, With(Event, "title", "BAD") } }, "events[1].title");
        Body("POST", "/api/events/batch", new { events = new[] { With(Event, "tags", new[] { "BAD" }) } }, "events[0].tags[0]");
        Body("POST", "/api/events/{event}/review", new { category = "BAD" }, "category");
        Body("POST", "/api/events/{event}/review", new { category = "funding", subcategory = "BAD" }, "subcategory");
        Body("PUT", "/api/events/{event}/interaction", new { notes = "BAD" }, "notes");
        Body("POST", "/api/events/mark-read", new { filter = new { text = "BAD" } }, "filter.text");

        var tag = new Dictionary<string, object> { ["name"] = "Fine", ["color"] = "#336699" };
        foreach (var field in new[] { "name", "color" })
        {
            Body("POST", "/api/tags", With(tag, field, "BAD"), field);
            Body("PATCH", "/api/tags/{tag}", With([], field, "BAD"), field);
        }

        var category = new Dictionary<string, object> { ["key"] = "zz_fine", ["name"] = "Fine", ["description"] = "Fine", ["signal"] = "neutral" };
        foreach (var field in category.Keys)
        {
            Body("POST", "/api/categories", With(category, field, "BAD"), field);
            Body("PATCH", "/api/categories/{category}", With([], field, "BAD"), field);
        }

        var user = new Dictionary<string, object> { ["email"] = "{email}", ["displayName"] = "Fine", ["role"] = "viewer", ["password"] = "a fine password" };
        foreach (var field in new[] { "email", "displayName", "role", "password" })
        {
            Body("POST", "/api/users", With(user, field, "BAD"), field);
            if (field != "email")
                Body("PATCH", "/api/users/{user}", With([], field, "BAD"), field);
        }

        Body("PATCH", "/api/business", new { name = "BAD" }, "name");
        Body("POST", "/api/me/tokens", new { name = "BAD" }, "name");
        var signup = new Dictionary<string, object> { ["businessName"] = "Fine", ["email"] = "{email}", ["password"] = "a fine password", ["displayName"] = "Fine" };
        foreach (var field in signup.Keys)
            Body("POST", "/api/auth/signup", With(signup, field, "BAD"), field);
        var login = new Dictionary<string, object> { ["email"] = "{email}", ["password"] = "a fine password" };
        foreach (var field in login.Keys)
            Body("POST", "/api/auth/login", With(login, field, "BAD"), field);

        data.Add("GET", "/api/clients?q=BAD", null, "q");
        data.Add("GET", "/api/clients?tier=fine&tier=BAD", null, "tier");
        data.Add("GET", "/api/events?category=fine&text=BAD", null, "text");
        data.Add("GET", "/api/audit?table=BAD", null, "table");
        data.Add("DELETE", "/api/trash/BAD/{client}", null, "kind");
        return data;
    }

    private static Dictionary<string, object> With(Dictionary<string, object> body, string field, object value) => new(body) { [field] = value };

    private static string Json(object body) => JsonSerializer.Serialize(body, JsonSerializerOptions.Web);

    [Theory]
    [MemberData(nameof(Fields))]
    public async Task Unstorable_text_answers_400_naming_the_field_and_writes_nothing(string method, string path, string? body, string field)
    {
        var owner = await server.SignUpAsync();
        var ids = await ResourcesAsync(owner);
        var variants = body is not null ? InJson : path.StartsWith("/api/trash/", StringComparison.Ordinal) ? InRoute : InQuery;
        foreach (var bad in variants)
        {
            var before = await RowsAsync();
            var response = await owner.Http.CallAsync(method, Fill(path.Replace("BAD", bad), ids), body is null ? null : Fill(body.Replace("BAD", bad), ids));

            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{bad}: expected 400, got {(int)response.StatusCode}: {text}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var errors = JsonDocument.Parse(text).RootElement.GetProperty("errors");
            Assert.True(errors.TryGetProperty(field, out var messages), $"{bad}: no error for {field}: {text}");
            Assert.Contains(StorableText.Rule, messages.EnumerateArray().Select(m => m.GetString()));
            Assert.Equal(before, await RowsAsync());
        }
    }

    [Fact]
    public async Task A_description_keeps_tab_and_line_breaks_as_sent_and_refuses_other_control_characters()
    {
        var owner = await server.SignUpAsync();
        const string description = "First line\tcolumn\nsecond line\r\nthird 😀";
        var id = (await owner.Http.CallAsync("POST", "/api/clients", new { name = "Layout", description }).ExpectAsync(HttpStatusCode.Created)).Id();
        await owner.Http.CallAsync("PATCH", $"/api/clients/{id}", """{"description":"tab\tthen\u0007bell"}""").ExpectAsync(HttpStatusCode.BadRequest);

        Assert.Equal(description, (await owner.Http.GetAsync($"/api/clients/{id}").ExpectAsync()).GetProperty("description").GetString());
        await using var db = server.Database.Context(owner.BusinessId);
        Assert.Equal(description, (await db.Clients.SingleAsync(c => c.Id == id)).Description);
    }

    [Fact]
    public async Task A_forged_cursor_carrying_unstorable_text_is_a_malformed_cursor()
    {
        var owner = await server.SignUpAsync();
        foreach (var name in new[] { @"a\u0000", @"a\u0001", @"a\ud800" })
        {
            var cursor = Base64Url.EncodeToString(Encoding.UTF8.GetBytes($$"""{"Name":"{{name}}","Id":"{{Guid.NewGuid()}}"}"""));
            var problem = await owner.Http.GetAsync($"/api/clients?cursor={cursor}").ExpectAsync(HttpStatusCode.BadRequest);
            Assert.Equal("Malformed cursor", problem.GetProperty("title").GetString());
        }
    }

    /// <summary>A business's client, event, tag, category and user, each one's id by placeholder; the token's first use (a write) done.</summary>
    private async Task<Dictionary<string, string>> ResourcesAsync(ApiUser owner)
    {
        var client = (await owner.Http.CallAsync("POST", "/api/clients", new { name = "Client" }).ExpectAsync(HttpStatusCode.Created)).Id();
        var ev = (await owner.Http.CallAsync("POST", "/api/events", Json(With(Event, "clientId", client))).ExpectAsync(HttpStatusCode.Created)).Id();
        var tag = (await owner.Http.CallAsync("POST", "/api/tags", new { name = "Tag", color = "#336699" }).ExpectAsync(HttpStatusCode.Created)).Id();
        var user = (await owner.Http.CallAsync("POST", "/api/users",
            new { email = $"u-{Guid.NewGuid():N}@example.test", displayName = "User", role = "viewer", password = "a fine password" }).ExpectAsync(HttpStatusCode.Created)).Id();
        var category = (await owner.Http.CallAsync("POST", "/api/categories", new { key = "zz_category", name = "Category" }).ExpectAsync(HttpStatusCode.Created)).Id();
        await owner.Http.GetAsync("/api/me").ExpectAsync();
        return new() { ["{client}"] = client.ToString(), ["{event}"] = ev.ToString(), ["{tag}"] = tag.ToString(), ["{category}"] = category.ToString(), ["{user}"] = user.ToString(), ["{email}"] = $"new-{Guid.NewGuid():N}@example.test" };
    }

    private static string Fill(string text, Dictionary<string, string> ids) => ids.Aggregate(text, (t, id) => t.Replace(id.Key, id.Value));

    /// <summary>The row count of every table, read around the data layer: equal before and after means nothing was written.</summary>
    private async Task<string> RowsAsync()
    {
        string[] tables;
        await using (var db = server.Database.Context())
            tables = db.Model.GetEntityTypes().Select(t => t.GetTableName()!).Distinct().Order().ToArray();
        await using var sql = new RawSql(server.Database);
        var counts = new List<string>();
        foreach (var table in tables)
            counts.Add($"{table}={await sql.ScalarAsync($"SELECT COUNT(*) FROM {table}")}");
        return string.Join(" ", counts);
    }
}

public sealed class StorableTextInputTests_Sqlite(SqliteApi server) : StorableTextInputTests<SqliteDatabase>(server), IClassFixture<SqliteApi>;
public sealed class StorableTextInputTests_Postgres(PostgresApi server) : StorableTextInputTests<PostgresDatabase>(server), IClassFixture<PostgresApi>;
