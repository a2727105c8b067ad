namespace Tidings.Data.SoftDelete;

/// <summary>A row that is hidden, never removed, when deleted; only an explicit purge removes it.</summary>
public interface ISoftDeletable
{
    bool IsDeleted { get; set; }
    DateTime? DeletedAt { get; set; }
    Guid? DeletedByUserId { get; set; }
}
