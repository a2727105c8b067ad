using Microsoft.EntityFrameworkCore;
using Tidings.Users;

namespace Tidings.Data.Tenancy;

/// <summary>
/// The one read across businesses that writes no audit row: users by normalized email, for sign-in and
/// sign-up. Anyone may ask it without signing in, as often as the limits allow, so an audit row per
/// question would let anonymous traffic grow audit_logs without bound. It reads users only, untracked,
/// and writes nothing; what a successful sign-in or sign-up then writes is audited as usual.
/// </summary>
public static class SignInLookup
{
    private const string ScopeName = "sign-in lookup";

    /// <summary>The active user who signs in with this email, in whichever business, or null.</summary>
    public static Task<User?> FindSignInCandidateAsync(this TidingsDbContext db, string normalizedEmail, CancellationToken ct) =>
        ReadAsync(db, users => users.SingleOrDefaultAsync(u => u.NormalizedEmail == normalizedEmail && u.IsActive, ct));

    /// <summary>Whether a user of any business (deleted ones aside) has this email.</summary>
    public static Task<bool> IsEmailRegisteredAsync(this TidingsDbContext db, string normalizedEmail, CancellationToken ct) =>
        ReadAsync(db, users => users.AnyAsync(u => u.NormalizedEmail == normalizedEmail, ct));

    private static async Task<T> ReadAsync<T>(TidingsDbContext db, Func<IQueryable<User>, Task<T>> query)
    {
        // As for BeginPlatformScopeAsync: PostgreSQL learns of the scope when a transaction starts.
        if (db.Database.CurrentTransaction is not null)
            throw new InvalidOperationException("Look up sign-in candidates before starting a transaction.");
        using (db.Tenant.EnterPlatformScope(ScopeName))
            return await query(db.AcrossBusinesses<User>().AsNoTracking());
    }
}
