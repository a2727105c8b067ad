namespace Tidings.Data.Auditing;

/// <summary>
/// One change to business data, written in the same transaction as the change. Append-only: the
/// database refuses UPDATE and DELETE on this table.
/// </summary>
public sealed class AuditLog
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    /// <summary>Every entry belongs to a business; those that belong to none are <see cref="PlatformAuditLog"/>s.</summary>
    public Guid BusinessId { get; set; }
    public Guid? UserId { get; set; }
    /// <summary>"Ada Lovelace", "system:legacy-import", "platform:signup"...</summary>
    public required string ActorName { get; set; }

    public required string TableName { get; set; }
    public required string RecordId { get; set; }
    public required string Action { get; set; }

    public string? OldValues { get; set; }
    public string? NewValues { get; set; }
    public string? ChangedFields { get; set; }

    public string? IpAddress { get; set; }
    public string? UserAgent { get; set; }
    public DateTime CreatedAt { get; set; }
}

public static class AuditActions
{
    public const string Create = "CREATE";
    public const string Update = "UPDATE";
    public const string Delete = "DELETE";
    public const string Restore = "RESTORE";
    public const string Purge = "PURGE";
    public const string PlatformScope = "PLATFORM_SCOPE";
    /// <summary>A bulk import's summary: one entry per table and batch, not one per row.</summary>
    public const string Import = "IMPORT";
}
