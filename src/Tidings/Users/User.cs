using Tidings.Data.Auditing;
using Tidings.Data.SoftDelete;
using Tidings.Data.Tenancy;

namespace Tidings.Users;

public sealed class User : ITenantOwned, ISoftDeletable, ITimestamped
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid BusinessId { get; set; }

    public required string Email
    {
        get;
        set
        {
            field = value;
            NormalizedEmail = Normalize(value);
        }
    }

    /// <summary>Upper-cased email: the unique, case-insensitive login key.</summary>
    public string NormalizedEmail { get; private set; } = "";

    public required string DisplayName { get; set; }
    public string Role { get; set; } = UserRoles.Member;

    /// <summary>Null for people who exist for ownership only and cannot sign in.</summary>
    [Secret]
    public string? PasswordHash { get; set; }

    /// <summary>An IANA time zone (Europe/Paris): the local hour of their digests, and times in their e-mails.</summary>
    public string TimeZone { get; set; } = "UTC";

    public bool IsActive { get; set; } = true;
    public DateTime? LastLoginAt { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }

    public bool IsDeleted { get; set; }
    public DateTime? DeletedAt { get; set; }
    public Guid? DeletedByUserId { get; set; }

    public static string Normalize(string email) => email.Trim().ToUpperInvariant();
}

public static class UserRoles
{
    public const string Owner = "owner";
    public const string Admin = "admin";
    public const string Member = "member";
    public const string Viewer = "viewer";

    public static readonly IReadOnlyList<string> All = [Owner, Admin, Member, Viewer];
}
