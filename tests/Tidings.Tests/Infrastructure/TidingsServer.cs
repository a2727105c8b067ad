using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.DependencyInjection;
using Tidings.Data;
using Tidings.Users;
using Tidings.Web;

namespace Tidings.Tests.Infrastructure;

/// <summary>
/// The real web service on a real socket (Kestrel on a free loopback port), on a fresh migrated
/// database of one provider. Tests talk to it over HTTP like any client.
/// </summary>
public abstract class TidingsServer<TDatabase> : IAsyncLifetime where TDatabase : TestDatabase, new()
{
    private WebApplication? _app;

    public TDatabase Database { get; } = new();

    /// <summary>Every route the service maps: what the matrix and OpenAPI tests walk.</summary>
    public IReadOnlyList<(string Method, string Pattern)> Routes =>
        _app!.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? []).Select(m => (m, "/" + e.RoutePattern.RawText!.TrimStart('/'))))
            .Distinct().OrderBy(r => r.Item2).ThenBy(r => r.m).ToList();
    public Uri BaseAddress { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Database.InitializeAsync();
        _app = TidingsWeb.Build([], builder =>
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Configuration["Database:Provider"] = Database.Provider == DatabaseProvider.Sqlite ? "sqlite" : "postgres";
            builder.Configuration["ConnectionStrings:Tidings"] = Database.Settings.ConnectionString;
            // Every test signs in from 127.0.0.1; the per-email limit is what the tests exercise.
            builder.Configuration["SignIn:AttemptsPerAddressPerMinute"] = "100000";
            builder.Logging.ClearProviders();
            Configure(builder);
        });
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        BaseAddress = new Uri(address);
    }

    /// <summary>What a fixture configures beyond the defaults (settings, a log capture), before the service is built.</summary>
    protected virtual void Configure(WebApplicationBuilder builder)
    {
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
            await _app.DisposeAsync();
        await Database.DisposeAsync();
    }

    /// <summary>A client with no credentials.</summary>
    public HttpClient Anonymous(string userAgent = "Tidings.Tests") =>
        new() { BaseAddress = BaseAddress, DefaultRequestHeaders = { { "User-Agent", userAgent } } };

    /// <summary>Signs up a new business and answers its owner's client.</summary>
    public async Task<ApiUser> SignUpAsync(string? businessName = null)
    {
        var email = $"owner-{Guid.NewGuid():N}@example.test";
        var response = await Anonymous().PostAsJsonAsync("/api/auth/signup", new
        {
            businessName = businessName ?? "Business " + Guid.NewGuid().ToString("N")[..8],
            email, password = ApiUser.Password, displayName = "Owner",
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var session = (await response.Content.ReadFromJsonAsync<SessionDto>())!;
        return new ApiUser(this.Authorized(session.Token), session.User.Id, session.User.Business.Id, email, UserRoles.Owner);
    }

    /// <summary>Adds a user of <paramref name="role"/> to the business (through the data layer) and signs them in over HTTP.</summary>
    public async Task<ApiUser> AddUserAsync(ApiUser colleague, string role, string displayName = "Colleague")
    {
        var email = $"{role}-{Guid.NewGuid():N}@example.test";
        await using (var db = Database.Context(colleague.BusinessId, TestActors.User(colleague.Id, colleague.BusinessId)))
        {
            var user = new User { Email = email, DisplayName = displayName, Role = role };
            user.PasswordHash = Passwords.Hash(user, ApiUser.Password);
            db.Users.Add(user);
            await db.SaveChangesAsync();
        }
        return await LogInAsync(email, role);
    }

    public async Task<ApiUser> LogInAsync(string email, string role)
    {
        var response = await Anonymous().PostAsJsonAsync("/api/auth/login", new { email, password = ApiUser.Password });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var session = (await response.Content.ReadFromJsonAsync<SessionDto>())!;
        return new ApiUser(Authorized(session.Token), session.User.Id, session.User.Business.Id, email, role);
    }

    public HttpClient Authorized(string token)
    {
        var client = Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}

public sealed class SqliteApi : TidingsServer<SqliteDatabase>;
public sealed class PostgresApi : TidingsServer<PostgresDatabase>;

/// <summary>A signed-in user of one business, and their HTTP client.</summary>
public sealed record ApiUser(HttpClient Http, Guid Id, Guid BusinessId, string Email, string Role)
{
    public const string Password = "correct horse battery";
}
