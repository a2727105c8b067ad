using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tidings.Data;
using Tidings.Data.Auditing;
using Tidings.Data.Tenancy;

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

    public static IServiceCollection AddTidingsSignIn(this IServiceCollection services)
    {
        services.AddAuthentication(Scheme).AddScheme<AuthenticationSchemeOptions, TokenAuthenticationHandler>(Scheme, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Viewer, p => p.RequireAuthenticatedUser())
            .AddPolicy(Policies.Member, p => p.RequireRole(UserRoles.Owner, UserRoles.Admin, UserRoles.Member))
            .AddPolicy(Policies.Admin, p => p.RequireRole(UserRoles.Owner, UserRoles.Admin));
        services.AddSingleton<LoginThrottle>();
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
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }

    public static Guid UserId(this ClaimsPrincipal user) => Guid.Parse(user.FindFirstValue(ClaimTypes.NameIdentifier)!);
    public static Guid TokenId(this ClaimsPrincipal user) => Guid.Parse(user.FindFirstValue(TokenClaim)!);
}

public sealed class TokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    IServiceScopeFactory scopes, TimeProvider clock)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    private static readonly TimeSpan LastUseResolution = TimeSpan.FromHours(1);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var secret = Secret();
        if (secret is null)
            return AuthenticateResult.NoResult();
        if (ApiToken.BusinessOf(secret) is not { } businessId)
            return AuthenticateResult.Fail("Malformed token.");

        // Looked up in a scope of its own, so a token that fails leaves the request acting for nobody.
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentTenant>().Set(businessId);
        var db = scope.ServiceProvider.GetRequiredService<TidingsDbContext>();
        var hash = ApiToken.Hash(secret);
        var now = clock.GetUtcNow().UtcDateTime;
        var token = await db.ApiTokens.Include(t => t.User)
            .SingleOrDefaultAsync(t => t.TokenHash == hash && t.ExpiresAt > now && t.User!.IsActive, Context.RequestAborted);
        if (token?.User is not { } user)
            return AuthenticateResult.Fail("Unknown, expired or revoked token.");

        var actor = Context.RequestServices.GetRequiredService<CurrentActor>();
        actor.SetUser(user.Id, businessId, user.DisplayName);
        Context.RequestServices.GetRequiredService<CurrentTenant>().Set(businessId);
        if (token.LastUsedAt is null || now - token.LastUsedAt > LastUseResolution)
        {
            var scopeActor = scope.ServiceProvider.GetRequiredService<CurrentActor>();
            scopeActor.SetUser(user.Id, businessId, user.DisplayName);
            scopeActor.SetConnection(actor.IpAddress, actor.UserAgent);
            token.LastUsedAt = now;
            await db.SaveChangesAsync(Context.RequestAborted);
        }

        var identity = new ClaimsIdentity(
        [
            new Claim(ClaimTypes.NameIdentifier, user.Id.ToString()),
            new Claim(ClaimTypes.Name, user.DisplayName),
            new Claim(ClaimTypes.Role, user.Role),
            new Claim(SignIn.BusinessClaim, businessId.ToString()),
            new Claim(SignIn.TokenClaim, token.Id.ToString()),
        ], SignIn.Scheme);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SignIn.Scheme));
    }

    private string? Secret()
    {
        var header = Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return header["Bearer ".Length..].Trim();
        return Request.Cookies.TryGetValue(SignIn.CookieName, out var cookie) && cookie.Length > 0 ? cookie : null;
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        return Task.CompletedTask;
    }
}
