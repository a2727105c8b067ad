using System.Security.Cryptography;
using System.Text;
using Tidings.Data.Auditing;
using Tidings.Data.Tenancy;

namespace Tidings.Users;

/// <summary>
/// A bearer credential: a sign-in session (from POST /api/auth/login) or a personal API token for
/// scripts. Only its SHA-256 is stored; the secret is shown once, when it is made.
/// </summary>
public sealed class ApiToken : ITenantOwned, ICreatedAt
{
    public const string SessionKind = "session";
    public const string PersonalKind = "personal";

    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid BusinessId { get; set; }
    public Guid UserId { get; set; }
    public User? User { get; set; }
    public required string Kind { get; set; }
    public required string Name { get; set; }
    [Secret]
    public required string TokenHash { get; set; }
    public DateTime ExpiresAt { get; set; }
    public DateTime? LastUsedAt { get; set; }
    public DateTime CreatedAt { get; set; }

    /// <summary>Where a session was signed in from (client address, user agent), so its owner can tell their sessions apart.</summary>
    public string? IpAddress { get; set; }
    public string? UserAgent { get; set; }

    /// <summary>
    /// The secret carries its business ("tdg_" + business id + random), so a request finds its token
    /// inside its own business, under the tenant filter and row-level security, without a cross-business lookup.
    /// </summary>
    public static string NewSecret(Guid businessId) =>
        $"tdg_{businessId:N}_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32))}";

    public static Guid? BusinessOf(string secret) =>
        secret.Length > 37 && secret.StartsWith("tdg_", StringComparison.Ordinal) && secret[36] == '_'
        && Guid.TryParseExact(secret.AsSpan(4, 32), "N", out var id) ? id : null;

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
}
