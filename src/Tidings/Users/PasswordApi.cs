using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Tidings.Data;
using Tidings.Web;

namespace Tidings.Users;

public sealed record ChangePasswordRequest(string? CurrentPassword, string? NewPassword);

/// <summary>
/// Changing one's own password. It asks for the current one, so a stolen session cannot lock its owner out,
/// and it ends every other session of the person: whoever signed in with the old password is signed out.
/// </summary>
public static class PasswordApi
{
    public static IEndpointRouteBuilder MapPasswordApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/me/password", ChangeAsync).WithTags("Me").RequireAuthorization(Policies.Viewer).WithName("ChangePassword")
            .WithSummary("Change your password: currentPassword must match (else 400 naming it, nothing changed), newPassword as at sign-up. Ends your other sessions; this one and your personal tokens stay.")
            .Produces(StatusCodes.Status204NoContent).ProducesValidationProblem().ProducesProblem(StatusCodes.Status429TooManyRequests);
        return app;
    }

    private static async Task<IResult> ChangeAsync(ChangePasswordRequest request, ClaimsPrincipal principal, TidingsDbContext db, HttpContext http, LoginThrottle throttle, CancellationToken ct)
    {
        var errors = new FieldErrors();
        return await ChangePasswordAsync(request, errors, principal, db, http, throttle, ct) ?? TypedResults.NoContent();
    }

    /// <summary>
    /// The change itself, for the API and the password page: null when done; otherwise the refusal, with
    /// <paramref name="errors"/> filled (currentPassword, newPassword) or, when empty, the throttle's 429.
    /// </summary>
    public static async Task<IResult?> ChangePasswordAsync(ChangePasswordRequest request, FieldErrors errors, ClaimsPrincipal principal, TidingsDbContext db, HttpContext http, LoginThrottle throttle, CancellationToken ct)
    {
        errors.Required("currentPassword", request.CurrentPassword, Passwords.MaxLength);
        AuthApi.ValidatePassword(errors, request.NewPassword, "newPassword");
        if (errors.Any)
            return errors.Problem();

        var userId = principal.UserId();
        var user = await db.Users.SingleAsync(u => u.Id == userId, ct);
        // A stolen session guessing the current password meets the same limits as guesses at sign-in.
        using var attempt = throttle.Begin(ClientAddress.PartitionKey(http), user.NormalizedEmail);
        if (attempt.Refusal is { } refusal)
            return refusal;
        if (!Passwords.Verify(user, request.CurrentPassword!, out _))
        {
            attempt.Failed(knownUser: true);
            return errors.Add("currentPassword", "Does not match your current password.").Problem();
        }
        user.PasswordHash = Passwords.Hash(user, request.NewPassword!);
        await TokenRevocation.EndAsync(db, user.Id, includeTokens: false, keep: principal.TokenId(), ct);
        await db.SaveChangesAsync(ct);
        return null;
    }
}
