namespace Tidings.Data.Auditing;

/// <summary>
/// An audit entry that belongs to no business: a platform scope opened before there is one (a sign-up looking up
/// slugs and e-mails, a login finding its account, an operator's verb). Kept apart from <see cref="AuditLog"/> so that
/// every row of that table names its business, which a database distributed by business requires (docs/scaling.md).
/// Append-only, like audit_logs, and readable only inside a platform scope.
/// </summary>
public sealed class PlatformAuditLog
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    /// <summary>"platform:signup", "system:legacy-import"...</summary>
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
