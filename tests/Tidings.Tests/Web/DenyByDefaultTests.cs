using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Routing;
using Tidings.Tests.Infrastructure;

namespace Tidings.Tests.Web;

/// <summary>
/// A route is anonymous only when it says so (AllowAnonymous); any other needs a signed-in user, whether
/// or not its author remembered RequireAuthorization. The routes are read from the running service, so a
/// new one is checked the day it is mapped.
/// </summary>
public abstract partial class DenyByDefaultTests<TDatabase>(TestRoutesApi<TDatabase> server) where TDatabase : TestDatabase, new()
{
    /// <summary>What may be reached without signing in: health, the API description, signing up and in (API and pages), an e-mail's unsubscribe link.</summary>
    private static readonly string[] AnonymousPrefixes = ["/health/", "/openapi/", "/docs", "/api/auth/signup", "/api/auth/login", "/unsubscribe", "/signup", "/signin", "/error/"];

    [Fact]
    public async Task A_route_mapped_without_authorization_refuses_an_anonymous_caller()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Anonymous().GetAsync(TestRoutesApi<TDatabase>.Unmarked)).StatusCode);
        var owner = await server.SignUpAsync();
        Assert.Equal(HttpStatusCode.OK, (await owner.Http.GetAsync(TestRoutesApi<TDatabase>.Unmarked)).StatusCode);
    }

    [Fact]
    public async Task Every_route_is_explicitly_anonymous_or_refuses_an_anonymous_caller()
    {
        var failures = new List<string>();
        var anonymous = new List<string>();
        var endpoints = server.Endpoints.Where(e => !e.RoutePattern.RawText!.TrimStart('/').StartsWith("test/", StringComparison.Ordinal)).ToList();
        foreach (var endpoint in endpoints)
        {
            var pattern = "/" + endpoint.RoutePattern.RawText!.TrimStart('/');
            var isAnonymous = endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null;
            if (isAnonymous)
            {
                anonymous.Add(pattern);
                if (!AnonymousPrefixes.Any(p => pattern.StartsWith(p, StringComparison.Ordinal)))
                    failures.Add($"{pattern} is anonymous but not one of the routes that may be");
            }
            // A page sends an anonymous person to the sign-in page instead of answering 401.
            if (endpoint.Metadata.GetMetadata<PageActionDescriptor>() is not null)
            {
                using var page = await NotFollowingRedirects().GetAsync(Fill(pattern));
                var toSignIn = page.StatusCode == HttpStatusCode.Found && page.Headers.Location?.OriginalString.StartsWith("/signin", StringComparison.Ordinal) == true;
                // The error page answers with the status it describes (Fill asks it for a 404); the unsubscribe page, asked
                // without its link's parts, says the link is not whole (400, UnsubscribeApiTests).
                var expected = pattern.StartsWith("/error/", StringComparison.Ordinal) ? HttpStatusCode.NotFound
                    : pattern.StartsWith("/unsubscribe", StringComparison.Ordinal) ? HttpStatusCode.BadRequest : HttpStatusCode.OK;
                if (isAnonymous ? page.StatusCode != expected : !toSignIn)
                    failures.Add($"page {pattern}: {(int)page.StatusCode} {page.Headers.Location} to an anonymous caller");
                continue;
            }
            foreach (var method in endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"])
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), Fill(pattern));
                if (method is "POST" or "PUT" or "PATCH")
                    request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
                var status = (await server.Anonymous().SendAsync(request)).StatusCode;
                if (isAnonymous ? status == HttpStatusCode.Unauthorized : status != HttpStatusCode.Unauthorized)
                    failures.Add($"{method} {pattern}: {(int)status} to an anonymous caller");
            }
        }

        Assert.True(endpoints.Count >= 20, $"Only {endpoints.Count} routes: are they mapped?");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Contains("/health/live", anonymous);
        Assert.Contains("/api/auth/login", anonymous);
        Assert.Contains(anonymous, p => p.StartsWith("/openapi/", StringComparison.Ordinal));
        Assert.Contains(anonymous, p => p.StartsWith("/docs", StringComparison.Ordinal));
        Assert.Contains("/signin", anonymous);
        Assert.Contains(endpoints, e => e.RoutePattern.RawText!.TrimStart('/') == "" && e.Metadata.GetMetadata<IAllowAnonymous>() is null);
    }

    private HttpClient NotFollowingRedirects() => new(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = server.BaseAddress };

    private static string Fill(string pattern) => RouteParameter().Replace(pattern, m => m.Groups["name"].Value switch
    {
        "documentName" => "v1",
        "kind" => "client",
        "code" => "404",
        _ when m.Value.Contains("guid", StringComparison.Ordinal) || m.Groups["name"].Value.EndsWith("id", StringComparison.OrdinalIgnoreCase) => Guid.NewGuid().ToString(),
        _ => "x",
    }).Replace("//", "/");

    [GeneratedRegex(@"\{\**(?<name>[A-Za-z]+)[^}]*\}")]
    private static partial Regex RouteParameter();
}

public sealed class DenyByDefaultTests_Sqlite(SqliteTestRoutesApi server) : DenyByDefaultTests<SqliteDatabase>(server), IClassFixture<SqliteTestRoutesApi>;
public sealed class DenyByDefaultTests_Postgres(PostgresTestRoutesApi server) : DenyByDefaultTests<PostgresDatabase>(server), IClassFixture<PostgresTestRoutesApi>;
