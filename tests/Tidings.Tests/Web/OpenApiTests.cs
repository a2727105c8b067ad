using System.Text.Json;
using System.Text.RegularExpressions;
using Tidings.Tests.Infrastructure;

namespace Tidings.Tests.Web;

public abstract partial class OpenApiTests<TDatabase>(TidingsServer<TDatabase> server) where TDatabase : TestDatabase, new()
{
    [Fact]
    public async Task The_OpenAPI_document_lists_every_route_of_the_service()
    {
        var document = JsonDocument.Parse(await server.Anonymous().GetStringAsync("/openapi/v1.json")).RootElement;
        var documented = document.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Select(op => $"{op.Name.ToUpperInvariant()} {path.Name.TrimEnd('/')}"))
            .ToHashSet();

        var routes = server.Routes
            .Where(r => r.Pattern.StartsWith("/api/", StringComparison.Ordinal) || r.Pattern.StartsWith("/health/", StringComparison.Ordinal))
            .Select(r => $"{r.Method} {Constraint().Replace(r.Pattern, "}").TrimEnd('/')}")
            .ToList();
        Assert.True(routes.Count >= 10);
        var missing = routes.Where(r => !documented.Contains(r)).ToList();
        Assert.True(missing.Count == 0, "Not in the OpenAPI document: " + string.Join(", ", missing));
    }

    [Fact]
    public async Task The_API_reference_is_served()
    {
        var response = await server.Anonymous().GetAsync("/docs/");
        response.EnsureSuccessStatusCode();
        Assert.Contains("openapi/v1.json", await response.Content.ReadAsStringAsync());
    }

    [GeneratedRegex(":[^}]+}")]
    private static partial Regex Constraint();
}

public sealed class OpenApiTests_Sqlite(SqliteApi server) : OpenApiTests<SqliteDatabase>(server), IClassFixture<SqliteApi>;
public sealed class OpenApiTests_Postgres(PostgresApi server) : OpenApiTests<PostgresDatabase>(server), IClassFixture<PostgresApi>;
