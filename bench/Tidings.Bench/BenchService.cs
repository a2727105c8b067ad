using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Tidings.Data;
using Tidings.Web;

namespace Tidings.Bench;

/// <summary>
/// The real Tidings web service (the same composition `tidings serve` runs) on a free loopback port over a
/// bench database, for figures measured through HTTP. It shares the machine's cores with the bench, as a
/// service shares them with its database on a small server.
/// </summary>
public sealed class BenchService : IAsyncDisposable
{
    private readonly WebApplication _app;

    public Uri BaseAddress { get; }

    private BenchService(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    public static async Task<BenchService> StartAsync(DatabaseSettings settings, CancellationToken ct)
    {
        var app = TidingsWeb.Build([], builder =>
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Configuration["Database:Provider"] = settings.Provider == DatabaseProvider.Sqlite ? "sqlite" : "postgres";
            builder.Configuration["ConnectionStrings:Tidings"] = settings.ConnectionString;
            // Every bench client signs in from 127.0.0.1.
            builder.Configuration["SignIn:AttemptsPerAddressPerMinute"] = "100000";
            builder.Logging.ClearProviders();
        });
        try
        {
            await app.StartAsync(ct);
            var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
            return new BenchService(app, new Uri(address));
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    /// <summary>Signs in over HTTP and answers a client carrying that session's bearer token.</summary>
    public async Task<HttpClient> SignInAsync(string email, string password, CancellationToken ct)
    {
        var http = new HttpClient { BaseAddress = BaseAddress };
        http.DefaultRequestHeaders.UserAgent.ParseAdd("Tidings.Bench");
        using var response = await http.PostAsJsonAsync("/api/auth/login", new { email, password }, ct);
        if (!response.IsSuccessStatusCode)
            throw new BenchFailedException($"signing in as {email} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
        var session = await response.Content.ReadFromJsonAsync<Session>(ct) ?? throw new BenchFailedException("the login answer had no body.");
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", session.Token);
        return http;
    }

    private sealed record Session(string Token);

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
