using Microsoft.EntityFrameworkCore;
using Tidings.Data;

namespace Tidings.Users;

/// <summary>
/// Ends a person's sessions, and their personal tokens when asked, by deleting them on the caller's next save:
/// each is an audited DELETE in the same transaction as the change that ends them (a password, a role, a
/// deactivation), so neither is written without the other.
/// </summary>
public static class TokenRevocation
{
    /// <param name="keep">The token of the request doing it, which survives (null: none does).</param>
    public static async Task EndAsync(TidingsDbContext db, Guid userId, bool includeTokens, Guid? keep, CancellationToken ct)
    {
        var kept = keep ?? Guid.Empty;
        db.ApiTokens.RemoveRange(await db.ApiTokens
            .Where(t => t.UserId == userId && (includeTokens || t.Kind == ApiToken.SessionKind) && t.Id != kept)
            .ToListAsync(ct));
    }
}
