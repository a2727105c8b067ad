using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Tidings.Tests.Infrastructure;

/// <summary>
/// The real service plus routes of the kinds features will add: one mapped without any authorization
/// metadata, and a form-like pair that uses ASP.NET Core antiforgery as pages will.
/// </summary>
public abstract class TestRoutesApi<TDatabase> : TidingsServer<TDatabase> where TDatabase : TestDatabase, new()
{
    public const string Unmarked = "/test/unmarked";
    public const string AntiforgeryToken = "/test/antiforgery-token";
    public const string Form = "/test/form";

    protected override void Configure(WebApplicationBuilder builder)
    {
        builder.Services.AddAntiforgery();
        // Keys in memory: the test writes nothing under the home directory.
        builder.Services.AddDataProtection().UseEphemeralDataProtectionProvider();
    }

    protected override void Map(WebApplication app)
    {
        app.MapGet(Unmarked, () => "reached");
        app.MapGet(AntiforgeryToken, (IAntiforgery antiforgery, HttpContext http) => antiforgery.GetAndStoreTokens(http).RequestToken)
            .RequireAuthorization();
        // As a page handler does: the antiforgery middleware validates, the handler honours its verdict.
        app.MapPost(Form, (HttpContext http) => http.Features.Get<IAntiforgeryValidationFeature>() is { IsValid: true }
                ? Results.Ok("accepted")
                : Results.BadRequest())
            .RequireAuthorization().WithMetadata(new RequireAntiforgeryTokenAttribute());
    }
}

public sealed class SqliteTestRoutesApi : TestRoutesApi<SqliteDatabase>;
public sealed class PostgresTestRoutesApi : TestRoutesApi<PostgresDatabase>;
