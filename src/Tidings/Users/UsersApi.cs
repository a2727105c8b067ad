using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Tidings.Businesses;
using Tidings.Data;
using Tidings.Data.SoftDelete;
using Tidings.Web;

namespace Tidings.Users;

public sealed record UserDto(Guid Id, string Email, string DisplayName, string Role, bool IsActive, bool IsDeleted,
    DateTime? LastLoginAt, DateTime CreatedAt, DateTime UpdatedAt, DateTime? DeletedAt);
public sealed record CreateUserRequest(string? Email, string? DisplayName, string? Role, string? Password);

/// <summary>What a change of a user sets: a field whose Has flag is false (IsActive null) stays as it is (merge-patch).</summary>
public sealed record UserEdit(bool HasDisplayName = false, string? DisplayName = null, bool HasRole = false, string? Role = null,
    bool? IsActive = null, bool HasPassword = false, string? Password = null);

/// <summary>The sort key of the user list: display name, then id.</summary>
public sealed record UserCursor(string DisplayName, Guid Id);

/// <summary>
/// The people of the business, managed by its admins and owners. Only an owner may make or change an
/// owner, and the business always keeps one active owner: the changes that could take the last one away
/// run under the business lock (BusinessLock), so two owners demoting each other at once cannot both
/// succeed. A reset password, a new role, a deactivation or a removal ends the person's sessions and tokens.
/// Removing a user deactivates and hides them but keeps the row, so the audit trail and created_by
/// columns still name them.
/// </summary>
public static class UsersApi
{
    public static IEndpointRouteBuilder MapUsersApi(this IEndpointRouteBuilder app)
    {
        var users = app.MapGroup("/api/users").WithTags("Users").RequireAuthorization(Policies.Admin);
        users.MapGet("", ListAsync).WithName("ListUsers")
            .WithSummary("List the business's users by display name, then id (keyset cursor), removed ones included (isDeleted); filters role and active.")
            .Produces<Page<UserDto>>().ProducesValidationProblem();
        users.MapPost("", CreateAsync).WithName("CreateUser")
            .WithSummary("Create a user with an initial password; only an owner creates an owner (else 403); an email in use answers 409.")
            .Produces<UserDto>(StatusCodes.Status201Created).ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status409Conflict);
        users.MapGet("/{id}", GetAsync).WithName("GetUser")
            .WithSummary("A user, removed ones included; the ETag header is its version.");
        users.MapPatch("/{id}", UpdateAsync).WithName("UpdateUser")
            .WithSummary("Merge-patch displayName, role, isActive, password. Owners only touch owners (403); the last active owner stays (409); your own password only through POST /api/me/password (422). A new password, a new role or a deactivation ends all the user's sessions and personal tokens (yours from this request excepted).")
            .Produces<UserDto>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        users.MapDelete("/{id}", DeleteAsync).WithName("DeleteUser")
            .WithSummary("Remove a user: deactivated and hidden, history kept, sessions and tokens revoked. Not yourself (422), not the last owner (409).")
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        return app;
    }

    /// <summary>Everyone who ever had an account here, removed people included (isDeleted), by display name.</summary>
    private static async Task<IResult> ListAsync(TidingsDbContext db, string? role, bool? active, int? limit, string? cursor, CancellationToken ct)
    {
        var errors = new FieldErrors().OneOf("role", role, UserRoles.All);
        var take = Paging.Limit(limit, errors);
        if (errors.Any)
            return errors.Problem();
        var after = Paging.Decode<UserCursor>(cursor);
        if (after is { DisplayName: null })
            throw new InvalidCursorException();

        var query = db.Users.IgnoreQueryFilters([SoftDeleteRules.Filter]).AsNoTracking();
        if (role is not null)
            query = query.Where(u => u.Role == role);
        if (active is { } isActive)
            query = query.Where(u => u.IsActive == isActive);
        if (after is not null)
            query = query.Where(u => u.DisplayName.CompareTo(after.DisplayName) > 0
                || (u.DisplayName == after.DisplayName && u.Id.CompareTo(after.Id) > 0));
        var rows = await query.OrderBy(u => u.DisplayName).ThenBy(u => u.Id).Take(take + 1).ToListAsync(ct);
        return TypedResults.Ok(Paging.Of(rows, take, ToDto, u => Paging.Encode(new UserCursor(u.DisplayName, u.Id))));
    }

    /// <summary>Creates a user with an initial password: the API's POST and the users page.</summary>
    public static async Task<IResult> CreateAsync(CreateUserRequest request, ClaimsPrincipal principal, TidingsDbContext db, HttpResponse response, CancellationToken ct)
    {
        var errors = new FieldErrors().Required("displayName", request.DisplayName, 200);
        AuthApi.ValidateEmail(errors, request.Email);
        ValidateRole(errors, request.Role);
        AuthApi.ValidatePassword(errors, request.Password);
        if (errors.Any)
            return errors.Problem();
        if (request.Role == UserRoles.Owner && !principal.IsInRole(UserRoles.Owner))
            return OwnersOnly();

        var user = new User { Email = request.Email!.Trim(), DisplayName = request.DisplayName!.Trim(), Role = request.Role! };
        user.PasswordHash = Passwords.Hash(user, request.Password!);
        db.Users.Add(user);
        // Emails are unique among live users of every business; the database's index answers that (409),
        // which also keeps another business's users out of sight here.
        await db.SaveChangesAsync(ct);
        ETags.Set(response, user);
        return TypedResults.Created($"/api/users/{user.Id}", ToDto(user));
    }

    private static async Task<Results<Ok<UserDto>, NotFound>> GetAsync(Guid id, TidingsDbContext db, HttpResponse response, CancellationToken ct)
    {
        var user = await db.Users.IgnoreQueryFilters([SoftDeleteRules.Filter]).AsNoTracking().SingleOrDefaultAsync(u => u.Id == id, ct);
        if (user is null)
            return TypedResults.NotFound();
        ETags.Set(response, user);
        return TypedResults.Ok(ToDto(user));
    }

    private static async Task<IResult> UpdateAsync(Guid id, HttpRequest request, ClaimsPrincipal principal, TidingsDbContext db, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var patch = await PatchDocument.ReadAsync(request, errors, ct);
        var hasName = patch.Has<string>("displayName", out var displayName);
        var hasRole = patch.Has<string>("role", out var role);
        if (patch.Has<bool?>("isActive", out var isActive) && isActive is null)
            errors.Add("isActive", "Must be true or false.");
        var hasPassword = patch.Has<string>("password", out var password);
        patch.RefuseUnknownFields();
        return await EditAsync(id, new UserEdit(hasName, displayName, hasRole, role, isActive, hasPassword, password), errors, principal, db, request.HttpContext, ct);
    }

    /// <summary>
    /// Changes a user as the edit says, under the owner rules: the API's PATCH and the users page (role, deactivate,
    /// reactivate, reset password). Field errors (with those already in <paramref name="errors"/>) answer a validation problem.
    /// </summary>
    public static async Task<IResult> EditAsync(Guid id, UserEdit edit, FieldErrors errors, ClaimsPrincipal principal, TidingsDbContext db,
        HttpContext http, CancellationToken ct)
    {
        var (hasName, displayName, hasRole, role, isActive, hasPassword, password) = edit;
        if (hasName)
            errors.Required("displayName", displayName, 200);
        if (hasRole)
            ValidateRole(errors, role);
        if (hasPassword)
            AuthApi.ValidatePassword(errors, password);
        var request = http.Request;

        return await BusinessLock.RunAsync(db, async ct =>
        {
            var user = await db.Users.SingleOrDefaultAsync(u => u.Id == id, ct);
            if (user is null)
                return TypedResults.NotFound();
            if (ETags.IsStale(request, user))
                return ETags.PreconditionFailed();
            if (errors.Any)
                return errors.Problem();

            if ((user.Role == UserRoles.Owner || (hasRole && role == UserRoles.Owner)) && !principal.IsInRole(UserRoles.Owner))
                return OwnersOnly();
            var losesOwner = user.Role == UserRoles.Owner && user.IsActive && ((hasRole && role != UserRoles.Owner) || isActive == false);
            if (losesOwner && !await OtherActiveOwnerAsync(db, user.Id, ct))
                return LastOwner();
            if (isActive == false && user.Id == principal.UserId())
                return NotAllowed("You cannot deactivate yourself", "Ask another admin or owner.");
            if (hasPassword && user.Id == principal.UserId())
                return NotAllowed("Change your own password with POST /api/me/password", "It asks for your current password first.");

            // A reset, a new role or a deactivation ends every session and token the person has, for good
            // (reactivating brings none back); someone changing their own role keeps the one they do it with.
            if (hasPassword || (hasRole && role != user.Role) || isActive == false)
                await TokenRevocation.EndAsync(db, user.Id, includeTokens: true, keep: principal.TokenId(), ct);
            if (hasName)
                user.DisplayName = displayName!.Trim();
            if (hasRole)
                user.Role = role!;
            if (isActive is { } active)
                user.IsActive = active;
            if (hasPassword)
                user.PasswordHash = Passwords.Hash(user, password!);
            await db.SaveChangesAsync(ct);
            ETags.Set(request.HttpContext.Response, user);
            return TypedResults.Ok(ToDto(user));
        }, ct);
    }

    public static Task<IResult> DeleteAsync(Guid id, HttpRequest request, ClaimsPrincipal principal, TidingsDbContext db, CancellationToken ct) =>
        BusinessLock.RunAsync(db, async ct =>
        {
            var user = await db.Users.SingleOrDefaultAsync(u => u.Id == id, ct);
            if (user is null)
                return TypedResults.NotFound();
            if (ETags.IsStale(request, user))
                return ETags.PreconditionFailed();
            if (user.Role == UserRoles.Owner && !principal.IsInRole(UserRoles.Owner))
                return OwnersOnly();
            // Before the rule about yourself, so the last owner removing themselves learns the real reason.
            if (user.Role == UserRoles.Owner && user.IsActive && !await OtherActiveOwnerAsync(db, user.Id, ct))
                return LastOwner();
            if (user.Id == principal.UserId())
                return NotAllowed("You cannot remove yourself", "Ask another admin or owner.");

            // Two saves in the lock's one transaction: a soft delete writes only the delete columns, so the
            // deactivation (and the end of the user's sessions and tokens) is its own audited change.
            user.IsActive = false;
            await TokenRevocation.EndAsync(db, user.Id, includeTokens: true, keep: null, ct);
            await db.SaveChangesAsync(ct);
            db.Users.Remove(user);
            await db.SaveChangesAsync(ct);
            return TypedResults.NoContent();
        }, ct);

    private static void ValidateRole(FieldErrors errors, string? role)
    {
        if (string.IsNullOrWhiteSpace(role))
            errors.Add("role", "Required.");
        else
            errors.OneOf("role", role, UserRoles.All);
    }

    private static Task<bool> OtherActiveOwnerAsync(TidingsDbContext db, Guid userId, CancellationToken ct) =>
        db.Users.AnyAsync(u => u.Id != userId && u.Role == UserRoles.Owner && u.IsActive, ct);

    private static IResult OwnersOnly() => TypedResults.Problem(
        title: "Only an owner may do this", detail: "Creating, changing or removing an owner, or making someone an owner, needs an owner.",
        statusCode: StatusCodes.Status403Forbidden);

    private static IResult LastOwner() => TypedResults.Problem(
        title: "The business needs an active owner", detail: "Make someone else an owner first.",
        statusCode: StatusCodes.Status409Conflict);

    private static IResult NotAllowed(string title, string detail) =>
        TypedResults.Problem(title: title, detail: detail, statusCode: StatusCodes.Status422UnprocessableEntity);

    private static UserDto ToDto(User u) =>
        new(u.Id, u.Email, u.DisplayName, u.Role, u.IsActive, u.IsDeleted, u.LastLoginAt, u.CreatedAt, u.UpdatedAt, u.DeletedAt);
}
