using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tidings.Data;
using Tidings.Data.Auditing;
using Tidings.Data.Tenancy;
using Tidings.Web;

namespace Tidings.Users;

/// <summary>Role policies: who may do what. Each role includes the ones below it.</summary>
public static class Policies
{
    public const string Viewer = "viewer";
    public const string Member = "member";
    public const string Admin = "admin";
}

/// <summary>
/// Sign-in by bearer token or session cookie. The request's business and actor come only from the
/// token's user, never from a header, query or body: a valid token sets them, and everything
/// downstream (query filters, row-level security, the audit trail) follows.
/// </summary>
public static class SignIn
{
    public const string Scheme = "TidingsToken";
    public const string CookieName = "tidings_session";
    public const string BusinessClaim = "business";
    public const string TokenClaim = "token";
    /// <summary>The person's IANA time zone, which pages write times in (Pages/LocalTimes).</summary>
    public const string TimeZoneClaim = "tz";

    public static IServiceCollection AddTidingsSignIn(this IServiceCollection services, IConfiguration configuration)
    {
        var limits = SignInOptions.From(configuration);
        services.AddSingleton(Options.Create(limits));
        services.AddAuthentication(Scheme).AddScheme<AuthenticationSchemeOptions, TokenAuthenticationHandler>(Scheme, null);
        services.AddAuthorizationBuilder()
            // Deny by default: a route mapped without RequireAuthorization or AllowAnonymous needs a signed-in user.
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(Policies.Viewer, p => p.RequireAuthenticatedUser())
            .AddPolicy(Policies.Member, p => p.RequireRole(UserRoles.Owner, UserRoles.Admin, UserRoles.Member))
            .AddPolicy(Policies.Admin, p => p.RequireRole(UserRoles.Owner, UserRoles.Admin));
        services.AddSingleton<LoginThrottle>();
        services.AddAuthRateLimits(limits);
        var cacheLifetime = SignInCache.LifetimeFrom(configuration);
        services.AddSingleton(sp => new SignInCache(cacheLifetime, sp.GetRequiredService<TimeProvider>()));
        return services;
    }

    public static WebApplication UseTidingsSignIn(this WebApplication app)
    {
        // Every audit entry of a request carries where it came from, signed in or not.
        app.Use((http, next) =>
        {
            http.RequestServices.GetRequiredService<CurrentActor>().SetConnection(
                http.Connection.RemoteIpAddress?.ToString(), http.Request.Headers.UserAgent.ToString());
            return next(http);
        });
        // Before authentication, so a forged request costs no database work and writes nothing.
        app.UseCrossSiteRequestCheck();
        app.UseAuthentication();
        app.UseAuthorization();
        // Pages register antiforgery; its tokens are bound to the signed-in user, so it validates after authentication.
        if (app.Services.GetService<IAntiforgery>() is not null)
            app.UseAntiforgery();
        return app;
    }

    /// <summary>Marks the routes that start a session (sign-up, login): they ignore whatever session the request carries.</summary>
    public static RouteHandlerBuilder StartsSession(this RouteHandlerBuilder route) =>
        route.AllowAnonymous().WithMetadata(StartsSessionAttribute.Instance);

    public static bool StartsSession(this Endpoint? endpoint) => endpoint?.Metadata.GetMetadata<StartsSessionAttribute>() is not null;

    /// <summary>The request's credential: the Authorization header's bearer token, else the session cookie.</summary>
    public static (string Secret, bool FromCookie)? CredentialOf(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return (header["Bearer ".Length..].Trim(), false);
        return request.Cookies.TryGetValue(CookieName, out var cookie) && cookie.Length > 0 ? (cookie, true) : null;
    }


    public static Guid UserId(this ClaimsPrincipal user) => Guid.Parse(user.FindFirstValue(ClaimTypes.NameIdentifier)!);
    public static Guid TokenId(this ClaimsPrincipal user) => Guid.Parse(user.FindFirstValue(TokenClaim)!);
}

/// <summary>On a page that signs up or in (and on the API's such routes): the request's own session is not read.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class StartsSessionAttribute : Attribute
{
    public static readonly StartsSessionAttribute Instance = new();
}

public sealed class TokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    IServiceScopeFactory scopes, TimeProvider clock, SignInCache cache)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    private static readonly TimeSpan LastUseResolution = TimeSpan.FromHours(1);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        // Signing up or in replaces the session the browser carries: acting for its business would be wrong.
        if (Context.GetEndpoint().StartsSession() || SignIn.CredentialOf(Request) is not { Secret: var secret })
            return AuthenticateResult.NoResult();
        if (ApiToken.BusinessOf(secret) is not { } businessId)
            return AuthenticateResult.Fail("Malformed token.");

        var hash = ApiToken.Hash(secret);
        var actor = Context.RequestServices.GetRequiredService<CurrentActor>();
        if (cache.Find(hash) is not { } signedIn)
        {
            var generation = cache.Generation;
            if (await LookUpAsync(hash, businessId, actor) is not { } found)
                return AuthenticateResult.Fail("Unknown, expired or revoked token.");
            cache.Keep(hash, signedIn = found, generation);
        }

        actor.SetUser(signedIn.UserId, signedIn.BusinessId, signedIn.DisplayName);
        Context.RequestServices.GetRequiredService<CurrentTenant>().Set(signedIn.BusinessId);
        var identity = new ClaimsIdentity(
        [
            new Claim(ClaimTypes.NameIdentifier, signedIn.UserId.ToString()),
            new Claim(ClaimTypes.Name, signedIn.DisplayName),
            new Claim(ClaimTypes.Role, signedIn.Role),
            new Claim(SignIn.BusinessClaim, signedIn.BusinessId.ToString()),
            new Claim(SignIn.TokenClaim, signedIn.TokenId.ToString()),
            new Claim(SignIn.TimeZoneClaim, signedIn.TimeZone),
        ], SignIn.Scheme);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SignIn.Scheme));
    }

    /// <summary>The token and its user from the database, noting when the token was last used (to the hour).</summary>
    private async Task<SignedIn?> LookUpAsync(string hash, Guid businessId, CurrentActor actor)
    {
        // Looked up in a scope of its own, so a token that fails leaves the request acting for nobody.
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentTenant>().Set(businessId);
        var db = scope.ServiceProvider.GetRequiredService<TidingsDbContext>();
        var now = clock.GetUtcNow().UtcDateTime;
        var token = await db.ApiTokens.WithGenericPlan().Include(t => t.User)
            .SingleOrDefaultAsync(t => t.TokenHash == hash && t.ExpiresAt > now && t.User!.IsActive, Context.RequestAborted);
        if (token?.User is not { } user)
            return null;
        if (token.LastUsedAt is null || now - token.LastUsedAt > LastUseResolution)
        {
            var scopeActor = scope.ServiceProvider.GetRequiredService<CurrentActor>();
            scopeActor.SetUser(user.Id, businessId, user.DisplayName);
            scopeActor.SetConnection(actor.IpAddress, actor.UserAgent);
            token.LastUsedAt = now;
            await db.SaveChangesAsync(Context.RequestAborted);
        }
        return new SignedIn(token.Id, user.Id, businessId, user.DisplayName, user.Role, token.ExpiresAt, user.TimeZone);
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        // A person at a page is sent to sign in, and back afterwards; htmx is told to go there rather than swap the form in.
        if (Context.GetEndpoint()?.Metadata.GetMetadata<PageActionDescriptor>() is not null)
        {
            var signIn = "/signin?returnUrl=" + Uri.EscapeDataString(Request.PathBase + Request.Path + Request.QueryString);
            if (Request.Headers[CrossSiteRequests.HtmxHeader] == "true")
            {
                Response.StatusCode = StatusCodes.Status401Unauthorized;
                Response.Headers["HX-Redirect"] = signIn;
            }
            else
                Response.Redirect(signIn);
            return Task.CompletedTask;
        }
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        return Task.CompletedTask;
    }
}
