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

    /// <summary>True when the password matches; <paramref name="rehashed"/> is set when the stored hash should be upgraded.</summary>
    public static bool Verify(User? user, string password, out string? rehashed)
    {
        rehashed = null;
        if (user?.PasswordHash is not { } hash)
        {
            Hasher.VerifyHashedPassword(null!, DecoyHash, password);
            return false;
        }
        var result = Hasher.VerifyHashedPassword(user, hash, password);
        if (result == PasswordVerificationResult.SuccessRehashNeeded)
            rehashed = Hasher.HashPassword(user, password);
        return result != PasswordVerificationResult.Failed;
    }
}
