using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Tidings.Data;
using Tidings.Web;

namespace Tidings.Users;

/// <summary>One of the caller's sign-in sessions; <c>Current</c> marks the one making the request.</summary>
public sealed record ActiveSessionDto(Guid Id, DateTime CreatedAt, DateTime? LastUsedAt, DateTime ExpiresAt, string? IpAddress, string? UserAgent, bool Current);

/// <summary>What "sign out everywhere" ends: every session, and the personal tokens too when <c>IncludeTokens</c>.</summary>
public sealed record RevokeAllRequest(bool? IncludeTokens);

/// <summary>
/// The caller's own sessions (a session is the credential a sign-in makes): where each was signed in from,
/// ending one, and ending all of them ("sign out everywhere").
/// </summary>
public static class SessionsApi
{
    public static IEndpointRouteBuilder MapSessionsApi(this IEndpointRouteBuilder app)
    {
        var sessions = app.MapGroup("/api/me/sessions").WithTags("Me").RequireAuthorization(Policies.Viewer);
        sessions.MapGet("", ListAsync).WithName("ListSessions")
            .WithSummary("Your live sign-in sessions, newest first (keyset cursor): created, last used (to the hour), address and user agent signed in from; current marks this request's.")
            .Produces<Page<ActiveSessionDto>>().ProducesValidationProblem();
        sessions.MapDelete("/{id:guid}", RevokeAsync).WithName("RevokeSession")
            .WithSummary("End one of your sessions (this one too: then it is a sign-out). Someone else's session answers 404.")
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound);
        sessions.MapPost("/revoke-all", RevokeAllAsync).WithName("RevokeAllSessions")
            .WithSummary("Sign out everywhere: ends every session of yours, this one included. Personal API tokens stay unless the body says {\"includeTokens\": true}.")
            .Produces(StatusCodes.Status204NoContent).ProducesValidationProblem();
        return app;
    }

    private static async Task<IResult> ListAsync(ClaimsPrincipal principal, TidingsDbContext db, TimeProvider clock, int? limit, string? cursor, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var take = Paging.Limit(limit, errors);
        if (errors.Any)
            return errors.Problem();
        return TypedResults.Ok(await PageAsync(db, principal, clock, take, Paging.Decode<IdCursor>(cursor), ct));
    }

    /// <summary>The caller's live sessions, newest first, the one making the request marked: the API's list and the sessions page's.</summary>
    public static async Task<Page<ActiveSessionDto>> PageAsync(TidingsDbContext db, ClaimsPrincipal principal, TimeProvider clock, int take, IdCursor? after, CancellationToken ct)
    {
        var (userId, current) = (principal.UserId(), principal.TokenId());
        var now = clock.GetUtcNow().UtcDateTime;
        var query = db.ApiTokens.AsNoTracking().Where(t => t.UserId == userId && t.Kind == ApiToken.SessionKind && t.ExpiresAt > now);
        if (after is not null)
            query = query.Where(t => t.Id.CompareTo(after.Id) < 0);
        var rows = await query.OrderByDescending(t => t.Id).Take(take + 1).ToListAsync(ct);
        return Paging.Of(rows, take,
            t => new ActiveSessionDto(t.Id, t.CreatedAt, t.LastUsedAt, t.ExpiresAt, t.IpAddress, t.UserAgent, t.Id == current),
            t => Paging.Encode(new IdCursor(t.Id)));
    }

    private static async Task<Results<NoContent, NotFound>> RevokeAsync(Guid id, ClaimsPrincipal principal, TidingsDbContext db, HttpContext http, CancellationToken ct) =>
        await EndAsync(db, principal, http, id, ct) ? TypedResults.NoContent() : TypedResults.NotFound();

    /// <summary>Ends one of the caller's sessions (their own current one too: then its cookie goes); false when they have none by that id.</summary>
    public static async Task<bool> EndAsync(TidingsDbContext db, ClaimsPrincipal principal, HttpContext http, Guid id, CancellationToken ct)
    {
        var userId = principal.UserId();
        var session = await db.ApiTokens.SingleOrDefaultAsync(t => t.Id == id && t.UserId == userId && t.Kind == ApiToken.SessionKind, ct);
        if (session is null)
            return false;
        db.ApiTokens.Remove(session);
        await db.SaveChangesAsync(ct);
        if (id == principal.TokenId())
            http.Response.Cookies.Delete(SignIn.CookieName);
        return true;
    }

    private static async Task<NoContent> RevokeAllAsync(RevokeAllRequest? request, ClaimsPrincipal principal, TidingsDbContext db, HttpContext http, CancellationToken ct)
    {
        await TokenRevocation.EndAsync(db, principal.UserId(), includeTokens: request?.IncludeTokens == true, keep: null, ct);
        await db.SaveChangesAsync(ct);
        http.Response.Cookies.Delete(SignIn.CookieName);
        return TypedResults.NoContent();
    }
}
