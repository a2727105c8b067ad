using Microsoft.AspNetCore.Identity;

namespace Tidings.Users;

/// <summary>ASP.NET Core Identity's hasher; no crypto of our own.</summary>
public static class Passwords
{
    public const int MinLength = 10;
    public const int MaxLength = 200;

    private static readonly PasswordHasher<User> Hasher = new();

    // Verified against when the email is unknown, so both failures cost the same time.
    private static readonly string DecoyHash = Hasher.HashPassword(null!, "decoy password, never anyone's");

    public static string Hash(User user, string password) => Hasher.HashPassword(user, password);

    private static bool VerifyBcrypt(string password, string hash)
    {
        try
        {
            return BCrypt.Net.BCrypt.Verify(password, hash);
        }
        catch (BCrypt.Net.SaltParseException)
        {
            return false; // a damaged hash from the old file: nobody can sign in with it
        }
    }

    /// <summary>A bcrypt hash as passlib wrote it in the old app ($2a$, $2b$ or $2y$).</summary>
    public static bool IsLegacyBcrypt(string hash) =>
        hash.Length == 60 && (hash.StartsWith("$2a$", StringComparison.Ordinal) || hash.StartsWith("$2b$", StringComparison.Ordinal) || hash.StartsWith("$2y$", StringComparison.Ordinal));

    /// <summary>True when the password matches; <paramref name="rehashed"/> is set when the stored hash should be upgraded.</summary>
    public static bool Verify(User? user, string password, out string? rehashed)
    {
        rehashed = null;
        if (user?.PasswordHash is not { } hash)
        {
            Hasher.VerifyHashedPassword(null!, DecoyHash, password);
            return false;
        }
        if (IsLegacyBcrypt(hash))
        {
            // The old app's passlib bcrypt: accepted once, then replaced by the current scheme.
            if (!VerifyBcrypt(password, hash))
                return false;
            rehashed = Hasher.HashPassword(user, password);
            return true;
        }
        var result = Hasher.VerifyHashedPassword(user, hash, password);
        if (result == PasswordVerificationResult.SuccessRehashNeeded)
            rehashed = Hasher.HashPassword(user, password);
        return result != PasswordVerificationResult.Failed;
    }
}
