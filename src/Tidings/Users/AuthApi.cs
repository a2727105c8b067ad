using System.Net.Mail;
using System.Security.Claims;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Tidings.Businesses;
using Tidings.Data;
using Tidings.Data.Auditing;
using Tidings.Data.Tenancy;
using Tidings.Notifications;
using Tidings.Web;

namespace Tidings.Users;

public sealed record SignupRequest(string? BusinessName, string? Email, string? Password, string? DisplayName);
public sealed record LoginRequest(string? Email, string? Password);
public sealed record MeDto(Guid Id, string Email, string DisplayName, string Role, BusinessDto Business, string TimeZone);
/// <summary>A merge patch of the caller's profile: their name, and their IANA time zone (Europe/Paris).</summary>
public sealed record UpdateMeRequest(string? DisplayName, string? TimeZone);
/// <summary>A profile change as read from a merge patch or a form: a field is changed only when its Has... is true.</summary>
public sealed record ProfileChange(bool HasDisplayName, string? DisplayName, bool HasTimeZone, string? TimeZone);
public sealed record SessionDto(string Token, DateTime ExpiresAt, MeDto User);
/// <summary>A session just started for <paramref name="User"/>; its cookie is on the response already.</summary>
public sealed record StartedSession(User User, Business Business, string Secret, DateTime ExpiresAt);
public sealed record TokenRequest(string? Name, int? ExpiresInDays);
public sealed record TokenCreatedDto(Guid Id, string Name, string Token, DateTime ExpiresAt);
public sealed record TokenDto(Guid Id, string Name, DateTime CreatedAt, DateTime ExpiresAt, DateTime? LastUsedAt);

/// <summary>Sign-up, sign-in, sign-out, the caller's own profile and personal API tokens.</summary>
public static partial class AuthApi
{
    private static readonly TimeSpan SessionLifetime = TimeSpan.FromDays(7);
    /// <summary>The users.time_zone column's length.</summary>
    private const int MaxTimeZoneLength = 64;

    public static IEndpointRouteBuilder MapAuthApi(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/api/auth").WithTags("Auth");
        auth.MapPost("/signup", SignupAsync).StartsSession().RequireRateLimiting(AuthRateLimits.Signup).ProducesProblem(StatusCodes.Status429TooManyRequests);
        auth.MapPost("/login", LoginAsync).StartsSession().ProducesProblem(StatusCodes.Status429TooManyRequests);
        auth.MapPost("/logout", LogoutAsync).RequireAuthorization(Policies.Viewer);

        var me = app.MapGroup("/api/me").WithTags("Me").RequireAuthorization(Policies.Viewer);
        me.MapGet("/", GetMeAsync);
        me.MapPatch("/", UpdateMeAsync).WithName("UpdateMe")
            .WithSummary("Merge-patch the caller's display name and IANA time zone; a new time zone moves their next digest to its local hour.")
            .Accepts<UpdateMeRequest>("application/merge-patch+json", "application/json")
            .Produces<MeDto>().ProducesValidationProblem();
        me.MapPost("/tokens", CreateTokenAsync).RequireRateLimiting(AuthRateLimits.Tokens).ProducesProblem(StatusCodes.Status429TooManyRequests);
        me.MapGet("/tokens", ListTokensAsync);
        me.MapDelete("/tokens/{id:guid}", DeleteTokenAsync);
        return app;
    }

    private static async Task<IResult> SignupAsync(SignupRequest request, TidingsDbContext db, HttpContext http, TimeProvider clock, CancellationToken ct)
    {
        var errors = new FieldErrors();
        if (await SignUpAsync(request, errors, db, http, clock, ct) is not { } signedUp)
            return errors.Any ? errors.Problem()
                : TypedResults.Problem(title: "Email already registered", detail: "Sign in instead, or use another email.", statusCode: 409);
        return TypedResults.Created("/api/me", new SessionDto(signedUp.Secret, signedUp.ExpiresAt, Me(signedUp.User, signedUp.Business)));
    }

    /// <summary>
    /// A new business, its owner and their session (the cookie set on <paramref name="http"/>'s response): what the API's
    /// sign-up and the sign-up page both do. Null when refused: with <paramref name="errors"/> filled, or with none when
    /// the email is registered already.
    /// </summary>
    public static async Task<StartedSession?> SignUpAsync(SignupRequest request, FieldErrors errors, TidingsDbContext db, HttpContext http, TimeProvider clock, CancellationToken ct)
    {
        errors.Required("businessName", request.BusinessName, 200).Required("displayName", request.DisplayName, 200);
        ValidateEmail(errors, request.Email);
        ValidatePassword(errors, request.Password);
        if (errors.Any)
            return null;

        // Asked of a lookup that writes no audit row: a refused sign-up leaves nothing behind.
        if (await db.IsEmailRegisteredAsync(User.Normalize(request.Email!), ct))
            return null;
        string slug;
        using (await db.BeginPlatformScopeAsync("signup", ct))
            slug = await Business.UniqueSlugAsync(db, request.BusinessName!, ct);

        var business = new Business { Name = request.BusinessName!.Trim(), Slug = slug };
        db.Tenant.Set(business.Id);
        var owner = new User { BusinessId = business.Id, Email = request.Email!.Trim(), DisplayName = request.DisplayName!.Trim(), Role = UserRoles.Owner };
        owner.PasswordHash = Passwords.Hash(owner, request.Password!);
        db.Actor.SetUser(owner.Id, business.Id, owner.DisplayName);
        db.Businesses.Add(business);
        db.Users.Add(owner);
        db.Categories.AddRange(Categories.DefaultTaxonomy.NewCategories());
        var (secret, expiresAt) = await StartSessionAsync(db, owner, http, clock, ct);
        return new StartedSession(owner, business, secret, expiresAt);
    }

    private static async Task<IResult> LoginAsync(LoginRequest request, TidingsDbContext db, HttpContext http, LoginThrottle throttle, TimeProvider clock, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var (session, refusal) = await LogInAsync(request, errors, db, http, throttle, clock, ct);
        if (session is not null)
            return TypedResults.Ok(new SessionDto(session.Secret, session.ExpiresAt, Me(session.User, session.Business)));
        return errors.Any ? errors.Problem() : refusal ?? TypedResults.Problem(title: "Invalid email or password", statusCode: 401);
    }

    /// <summary>
    /// Checks the email and password (throttled per address and account) and starts a session: what the API's login and the
    /// sign-in page both do. On refusal the session is null, with <paramref name="errors"/> filled, or the throttle's
    /// refusal, or neither (unknown email or wrong password, which answer the same).
    /// </summary>
    public static async Task<(StartedSession? Session, IResult? Throttled)> LogInAsync(LoginRequest request, FieldErrors errors, TidingsDbContext db,
        HttpContext http, LoginThrottle throttle, TimeProvider clock, CancellationToken ct)
    {
        errors.Required("email", request.Email, 320).Required("password", request.Password, Passwords.MaxLength);
        if (errors.Any)
            return (null, null);
        var normalized = User.Normalize(request.Email!);
        using var attempt = throttle.Begin(ClientAddress.PartitionKey(http), normalized);
        if (attempt.Refusal is { } refusal)
            return (null, refusal);

        var user = await db.FindSignInCandidateAsync(normalized, ct);
        // Unknown email and wrong password answer the same, after the same work; neither writes anything.
        if (!Passwords.Verify(user, request.Password!, out var rehashed) || user is null)
        {
            attempt.Failed(knownUser: user is not null);
            return (null, null);
        }

        db.Tenant.Set(user.BusinessId);
        db.Actor.SetUser(user.Id, user.BusinessId, user.DisplayName);
        db.Users.Attach(user);
        user.LastLoginAt = clock.GetUtcNow().UtcDateTime;
        if (rehashed is not null)
            user.PasswordHash = rehashed;
        var (secret, expiresAt) = await StartSessionAsync(db, user, http, clock, ct);
        var business = await db.Businesses.SingleAsync(ct);
        return (new StartedSession(user, business, secret, expiresAt), null);
    }

    private static async Task<NoContent> LogoutAsync(ClaimsPrincipal principal, TidingsDbContext db, HttpContext http, CancellationToken ct)
    {
        await EndSessionAsync(principal, db, http, ct);
        return TypedResults.NoContent();
    }

    /// <summary>Ends the caller's session (a personal token stays valid) and clears the cookie: the API's logout and the sign-out control.</summary>
    public static async Task EndSessionAsync(ClaimsPrincipal principal, TidingsDbContext db, HttpContext http, CancellationToken ct)
    {
        var tokenId = principal.TokenId();
        if (await db.ApiTokens.SingleOrDefaultAsync(t => t.Id == tokenId && t.Kind == ApiToken.SessionKind, ct) is { } session)
        {
            db.ApiTokens.Remove(session);
            await db.SaveChangesAsync(ct);
        }
        http.Response.Cookies.Delete(SignIn.CookieName);
    }

    private static async Task<Results<Ok<MeDto>, UnauthorizedHttpResult>> GetMeAsync(ClaimsPrincipal principal, TidingsDbContext db, CancellationToken ct) =>
        await MeAsync(db, principal.UserId(), ct) is { } me ? TypedResults.Ok(me) : TypedResults.Unauthorized();

    /// <summary>The person's profile, or null when they are gone since the sign-in was kept (SignInCache): by another Tidings process, or around the API.</summary>
    public static async Task<MeDto?> MeAsync(TidingsDbContext db, Guid userId, CancellationToken ct)
    {
        if (await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == userId && u.IsActive, ct) is not { } user)
            return null;
        var business = await db.Businesses.AsNoTracking().SingleAsync(ct);
        return Me(user, business);
    }

    private static async Task<IResult> UpdateMeAsync(ClaimsPrincipal principal, TidingsDbContext db, HttpContext http, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var patch = await PatchDocument.ReadAsync(http.Request, errors, ct);
        var change = new ProfileChange(patch.Has<string>("displayName", out var name), name, patch.Has<string>("timeZone", out var zone), zone);
        ValidateProfile(errors, change);
        patch.RefuseUnknownFields();
        if (errors.Any)
            return errors.Problem();
        return await UpdateProfileAsync(db, principal.UserId(), change, ct) is { } me ? TypedResults.Ok(me) : TypedResults.Unauthorized();
    }

    /// <summary>The API's rules for a profile change, as field errors (displayName, timeZone): the PATCH's and the account page's.</summary>
    public static void ValidateProfile(FieldErrors errors, ProfileChange change)
    {
        if (change.HasDisplayName)
            errors.Required("displayName", change.DisplayName, 200);
        if (change.HasTimeZone && (!DigestSchedule.IsTimeZone(change.TimeZone) || change.TimeZone!.Length > MaxTimeZoneLength))
            errors.Add("timeZone", "Must be an IANA time zone, such as Europe/Paris.");
    }

    /// <summary>Applies a validated profile change; a new time zone moves the next digest to its local hour. Null when the person is gone.</summary>
    public static async Task<MeDto?> UpdateProfileAsync(TidingsDbContext db, Guid userId, ProfileChange change, CancellationToken ct)
    {
        if (await db.Users.SingleOrDefaultAsync(u => u.Id == userId && u.IsActive, ct) is not { } user)
            return null;
        if (change.HasDisplayName)
            user.DisplayName = change.DisplayName!.Trim();
        if (change.HasTimeZone && change.TimeZone != user.TimeZone)
        {
            user.TimeZone = change.TimeZone!;
            await NotificationPreferences.FollowTimeZoneAsync(db, user.Id, user.TimeZone, ct);
        }
        await db.SaveChangesAsync(ct);
        var business = await db.Businesses.AsNoTracking().SingleAsync(ct);
        return Me(user, business);
    }

    private static async Task<IResult> CreateTokenAsync(TokenRequest request, ClaimsPrincipal principal, TidingsDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var errors = new FieldErrors();
        if (await IssueTokenAsync(request, errors, principal.UserId(), db, clock, ct) is not { } created)
            return errors.Problem();
        return TypedResults.Created($"/api/me/tokens/{created.Id}", created);
    }

    /// <summary>A new personal token and its secret (shown this once), or null with <paramref name="errors"/> filled (name, expiresInDays).</summary>
    public static async Task<TokenCreatedDto?> IssueTokenAsync(TokenRequest request, FieldErrors errors, Guid userId, TidingsDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var maxDays = await MaxTokenLifetimeDaysAsync(db, ct);
        errors.Required("name", request.Name, 100).Range("expiresInDays", request.ExpiresInDays, 1, maxDays);
        if (errors.Any)
            return null;
        var secret = ApiToken.NewSecret(db.Tenant.RequireBusinessId());
        var token = new ApiToken
        {
            UserId = userId, Kind = ApiToken.PersonalKind, Name = request.Name!.Trim(), TokenHash = ApiToken.Hash(secret),
            ExpiresAt = clock.GetUtcNow().UtcDateTime.AddDays(request.ExpiresInDays ?? Math.Min(Business.DefaultMaxTokenLifetimeDays, maxDays)),
        };
        db.ApiTokens.Add(token);
        await db.SaveChangesAsync(ct);
        return new TokenCreatedDto(token.Id, token.Name, secret, token.ExpiresAt);
    }

    /// <summary>The longest a personal token of this business may live, in days.</summary>
    public static Task<int> MaxTokenLifetimeDaysAsync(TidingsDbContext db, CancellationToken ct) =>
        db.Businesses.Select(b => b.MaxTokenLifetimeDays).SingleAsync(ct);

    private static async Task<IResult> ListTokensAsync(ClaimsPrincipal principal, TidingsDbContext db, int? limit, string? cursor, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var take = Paging.Limit(limit, errors);
        if (errors.Any)
            return errors.Problem();
        return TypedResults.Ok(await TokensPageAsync(db, principal.UserId(), take, Paging.Decode<IdCursor>(cursor), ct));
    }

    /// <summary>The person's personal tokens, newest first: the API's list and the account page's.</summary>
    public static async Task<Page<TokenDto>> TokensPageAsync(TidingsDbContext db, Guid userId, int take, IdCursor? after, CancellationToken ct)
    {
        var query = db.ApiTokens.AsNoTracking().Where(t => t.UserId == userId && t.Kind == ApiToken.PersonalKind);
        if (after is not null)
            query = query.Where(t => t.Id.CompareTo(after.Id) < 0);
        var rows = await query.OrderByDescending(t => t.Id).Take(take + 1).ToListAsync(ct);
        return Paging.Of(rows, take,
            t => new TokenDto(t.Id, t.Name, t.CreatedAt, t.ExpiresAt, t.LastUsedAt),
            t => Paging.Encode(new IdCursor(t.Id)));
    }

    private static async Task<Results<NoContent, NotFound>> DeleteTokenAsync(Guid id, ClaimsPrincipal principal, TidingsDbContext db, CancellationToken ct) =>
        await RevokeTokenAsync(db, principal.UserId(), id, ct) ? TypedResults.NoContent() : TypedResults.NotFound();

    /// <summary>Revokes one of the person's personal tokens; false when they have none by that id.</summary>
    public static async Task<bool> RevokeTokenAsync(TidingsDbContext db, Guid userId, Guid id, CancellationToken ct)
    {
        var token = await db.ApiTokens.SingleOrDefaultAsync(t => t.Id == id && t.UserId == userId && t.Kind == ApiToken.PersonalKind, ct);
        if (token is null)
            return false;
        db.ApiTokens.Remove(token);
        await db.SaveChangesAsync(ct);
        return true;
    }

    private static async Task<(string Secret, DateTime ExpiresAt)> StartSessionAsync(TidingsDbContext db, User user, HttpContext http, TimeProvider clock, CancellationToken ct)
    {
        var secret = ApiToken.NewSecret(user.BusinessId);
        var expiresAt = clock.GetUtcNow().UtcDateTime.Add(SessionLifetime);
        // Where it was signed in from is what the request's audit entries record too.
        db.ApiTokens.Add(new ApiToken
        {
            BusinessId = user.BusinessId, UserId = user.Id, Kind = ApiToken.SessionKind, Name = "sign-in", TokenHash = ApiToken.Hash(secret), ExpiresAt = expiresAt,
            IpAddress = db.Actor.IpAddress, UserAgent = db.Actor.UserAgent,
        });
        await db.SaveChangesAsync(ct);
        http.Response.Cookies.Append(SignIn.CookieName, secret, new CookieOptions
        {
            HttpOnly = true, Secure = http.Request.IsHttps, SameSite = SameSiteMode.Lax, Expires = expiresAt, Path = "/",
        });
        return (secret, expiresAt);
    }

    private static MeDto Me(User user, Business business) =>
        new(user.Id, user.Email, user.DisplayName, user.Role, BusinessDto.Of(business), user.TimeZone);

    public static void ValidateEmail(FieldErrors errors, string? email)
    {
        errors.Required("email", email, 320);
        if (!string.IsNullOrWhiteSpace(email) && (!MailAddress.TryCreate(email.Trim(), out var parsed) || parsed.Address != email.Trim()))
            errors.Add("email", "Not a valid email address.");
    }

    public static void ValidatePassword(FieldErrors errors, string? password, string field = "password")
    {
        if (string.IsNullOrEmpty(password))
            errors.Add(field, "Required.");
        else if (password.Length is < Passwords.MinLength or > Passwords.MaxLength)
            errors.Add(field, $"Between {Passwords.MinLength} and {Passwords.MaxLength} characters.");
    }

}

/// <summary>The sort key of lists ordered by id alone (UUIDv7, so newest first by id).</summary>
public sealed record IdCursor(Guid Id);
