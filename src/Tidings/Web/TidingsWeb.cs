using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Scalar.AspNetCore;
using Tidings.Classification;
using Tidings.Data;
using Tidings.Audit;
using Tidings.Businesses;
using Tidings.Categories;
using Tidings.Clients;
using Tidings.Events;
using Tidings.Interactions;
using Tidings.Legacy;
using Tidings.Delivery;
using Tidings.Delivery.Webhooks;
using Tidings.Monitoring;
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
        TidingsCli.AddShippedDefaults(builder.Configuration);
        configure?.Invoke(builder);
        builder.Services.AddTidingsData(builder.Configuration);
        builder.Services.AddTrustedProxies(builder.Configuration);
        builder.Services.AddTidingsSignIn(builder.Configuration);
        builder.Services.AddExpiredTokenCleanup(builder.Configuration);
        builder.Services.AddTidingsClassification();
        builder.Services.AddTidingsMonitoring(builder.Configuration, runLoop: true);
        builder.Services.AddTidingsDelivery(builder.Configuration, runLoop: true);
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<ProblemExceptionHandler>();
        builder.Services.AddTidingsHealth();
        builder.Services.AddTidingsRequestTimeouts();
        builder.AddTidingsMetrics();
        builder.Services.AddOpenApi(StorableTextInput.AddTo);
        builder.Services.AddWebPages(builder.Configuration);
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
        // The classifier's model loads in the background once the service listens: start-up stays quick, and the first
        // event to classify rarely waits for it.
        app.Lifetime.ApplicationStarted.Register(() => _ = Task.Run(async () =>
        {
            try
            {
                // Not in the way of the first requests, which a freshly started service answers while it warms up itself.
                await Task.Delay(TimeSpan.FromSeconds(2), app.Lifetime.ApplicationStopping);
                app.Services.GetRequiredService<HeadlineClassifier>().WarmUp();
            }
            catch (OperationCanceledException)
            {
            }
            catch (Exception e)
            {
                app.Logger.LogError(e, "The classifier could not load; events without a category will be refused until it does.");
            }
        }));
        // First: everything after it (limits, audit rows, the cookie's Secure flag) sees the real client.
        app.UseForwardedHeaders();
        app.UseTidingsMetrics();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseWebPageErrors();
        // Routing after the error pages, so a page they re-execute is routed again (the implicit routing would run first, once).
        app.UseRouting();
        app.UseWebPageFiles();
        // Before sign-in, so the token lookup is bounded too.
        app.UseRequestTimeouts();
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
        app.MapCategoriesApi();
        app.MapSourcesApi();
        app.MapWebhooksApi();
        app.MapWebhookDeliveriesApi();
        app.MapNotificationsApi();
        app.MapNotificationPreferencesApi();
        app.MapAuditApi();
        app.MapTrashApi();
        app.MapLegacyValuesApi();
        // The web app (Pages/): routes of their own (/, /signin, /clients...), outside /api and its description.
        app.MapRazorPages();
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

    /// <summary>
    /// Every setting bound as IOptions is checked before the service touches its database or binds a port: a bad
    /// value is bad configuration (exit 2, one line), whether it fails a rule or cannot even be read as its type.
    /// </summary>
    public static void ValidateSettings(WebApplication app)
    {
        try
        {
            app.Services.GetService<Microsoft.Extensions.Options.IStartupValidator>()?.Validate();
        }
        catch (AggregateException e)
        {
            throw new InvalidConfigurationException(string.Join(" ", e.InnerExceptions.Select(i => i.Message)));
        }
        catch (InvalidOperationException e)
        {
            // The binder's "Failed to convert configuration value at 'Section:Key' to type ...".
            throw new InvalidConfigurationException(e.Message);
        }
    }

    /// <summary>A section read at build time, when the composition depends on it; a value of the wrong type is bad configuration.</summary>
    public static T Bind<T>(IConfiguration configuration, string section) where T : new()
    {
        try
        {
            return configuration.GetSection(section).Get<T>() ?? new T();
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidConfigurationException(e.Message);
        }
    }
}
