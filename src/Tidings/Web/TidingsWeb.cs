using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Scalar.AspNetCore;
using Tidings.Data;
using Tidings.Audit;
using Tidings.Businesses;
using Tidings.Clients;
using Tidings.Events;
using Tidings.Interactions;
using Tidings.Legacy;
using Tidings.Notifications;
using Tidings.Tags;
using Tidings.Trash;
using Tidings.Users;

namespace Tidings.Web;

/// <summary>The web service: composition of the data layer, sign-in, problem details and every feature's routes.</summary>
public static class TidingsWeb
{
    public const string DefaultUrls = "http://127.0.0.1:5080";

    /// <summary>Largest request body accepted; beyond it the answer is 413.</summary>
    public const long MaxRequestBodyBytes = 1024 * 1024;

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args });
        configure?.Invoke(builder);
        builder.Services.AddTidingsData(builder.Configuration);
        builder.Services.AddTrustedProxies(builder.Configuration);
        builder.Services.AddTidingsSignIn(builder.Configuration);
        builder.Services.AddExpiredTokenCleanup(builder.Configuration);
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<ProblemExceptionHandler>();
        builder.Services.AddOpenApi(StorableTextInput.AddTo);
        // Binding failures (malformed JSON, a bad id in the route) reach ProblemExceptionHandler with their reason.
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
            o.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
            o.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
            StorableTextInput.AddTo(o.SerializerOptions);
        });
        builder.WebHost.ConfigureKestrel(o =>
        {
            o.Limits.MaxRequestBodySize = MaxRequestBodyBytes;
            o.AddServerHeader = false;
        });

        var app = builder.Build();
        // First: everything after it (limits, audit rows, the cookie's Secure flag) sees the real client.
        app.UseForwardedHeaders();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseTidingsSignIn();
        app.UseRateLimiter();
        app.UseStorableTextInput();

        // Every other route needs a signed-in user unless it says otherwise (the fallback policy).
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        app.MapScalarApiReference("/docs", o => o.WithTitle("Tidings API").WithOpenApiRoutePattern("/openapi/{documentName}.json")).AllowAnonymous();
        app.MapHealthApi();
        app.MapAuthApi();
        app.MapSessionsApi();
        app.MapPasswordApi();
        app.MapBusinessApi();
        app.MapUsersApi();
        app.MapClientsApi();
        app.MapEventsApi();
        app.MapInteractionsApi();
        app.MapTagsApi();
        app.MapNotificationsApi();
        app.MapAuditApi();
        app.MapTrashApi();
        app.MapLegacyValuesApi();
        return app;
    }

    /// <summary>The embedded SQLite default sets itself up on start; a server database is migrated by its operator.</summary>
    public static async Task PrepareDatabaseAsync(WebApplication app, CancellationToken ct)
    {
        var settings = app.Services.GetRequiredService<DatabaseSettings>();
        if (settings.Provider == DatabaseProvider.Sqlite)
        {
            await DatabaseCommands.MigrateAsync(settings, ct);
            return;
        }
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TidingsDbContext>();
        if ((await db.Database.GetPendingMigrationsAsync(ct)).Any())
            throw new VerbFailedException("the database has pending migrations: run `tidings db migrate` first.");
    }

    private static void MapHealthApi(this IEndpointRouteBuilder app)
    {
        var health = app.MapGroup("/health").WithTags("Health").AllowAnonymous();
        health.MapGet("/live", () => TypedResults.Ok(new { status = "live" }));
        health.MapGet("/ready", async Task<IResult> (TidingsDbContext db, CancellationToken ct) =>
            await db.Database.CanConnectAsync(ct)
                ? TypedResults.Ok(new { status = "ready" })
                : TypedResults.Problem(title: "Database unreachable", statusCode: StatusCodes.Status503ServiceUnavailable));
    }
}
