using System.Collections.Concurrent;
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
        Endpoints
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? []).Select(m => (m, "/" + e.RoutePattern.RawText!.TrimStart('/'))))
            .Distinct().OrderBy(r => r.Item2).ThenBy(r => r.m).ToList();
    public IReadOnlyList<RouteEndpoint> Endpoints =>
        _app!.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();

    public IServiceProvider Services => _app!.Services;

    /// <summary>What the service logged at Error or above (an unhandled exception behind a 500), for a failing assertion to show.</summary>
    public ConcurrentQueue<string> Errors { get; } = new();

    private string ErrorsSoFar() => Errors.IsEmpty ? "(the service logged no error)" : string.Join("\n", Errors.TakeLast(3));

    public Uri BaseAddress { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Database.InitializeAsync();
        _app = TidingsWeb.Build([], builder =>
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Configuration["Database:Provider"] = Database.Provider == DatabaseProvider.Sqlite ? "sqlite" : "postgres";
            builder.Configuration["ConnectionStrings:Tidings"] = Database.Settings.ConnectionString;
            // Every test signs up and in from 127.0.0.1: only the tests about limits (ProxiedApi) meet them.
            builder.Configuration["SignIn:AttemptsPerAddressPerMinute"] = "100000";
            builder.Configuration["SignIn:SignupsPerAddressPerHour"] = "100000";
            builder.Configuration["SignIn:TokensPerAddressPerHour"] = "100000";
            // Tests that count rows and audit entries must not meet a cleanup pass; ExpiredTokenCleanupTests run one directly.
            builder.Configuration["Sessions:CleanupInterval"] = "00:00:00";
            // Clients made by tests have made-up domains: no monitor loop goes looking for them; monitor tests run rounds themselves.
            builder.Configuration["Monitoring:Enabled"] = "false";
            // Delivery tests run dispatch rounds themselves, so what a test sees does not depend on a loop's timing.
            builder.Configuration["Delivery:Enabled"] = "false";
            builder.Logging.ClearProviders();
            builder.Logging.AddProvider(new ErrorLog(Errors));
            Configure(builder);
        });
        Map(_app);
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        BaseAddress = new Uri(address);
    }

    /// <summary>What a server of a test class sets on top of the usual (its limits, proxies, services).</summary>
    protected virtual void Configure(WebApplicationBuilder builder)
    {
    }

    /// <summary>Routes a test class adds to the real ones.</summary>
    protected virtual void Map(WebApplication app)
    {
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
            await _app.DisposeAsync();
        await Database.DisposeAsync();
    }

    /// <summary>A client with no credentials.</summary>
    public virtual HttpClient Anonymous(string userAgent = "Tidings.Tests") =>
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
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"sign-up answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}\n{ErrorsSoFar()}");
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
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"sign-in answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}\n{ErrorsSoFar()}");
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
public sealed class CitusApi : TidingsServer<CitusDatabase>;

/// <summary>A signed-in user of one business, and their HTTP client.</summary>
public sealed record ApiUser(HttpClient Http, Guid Id, Guid BusinessId, string Email, string Role)
{
    public const string Password = "correct horse battery";
}

/// <summary>Keeps the service's Error and Critical entries, with their exceptions.</summary>
internal sealed class ErrorLog(ConcurrentQueue<string> errors) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(errors, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(ConcurrentQueue<string> errors, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
                errors.Enqueue($"{category}: {formatter(state, exception)} {exception}");
        }
    }
}
