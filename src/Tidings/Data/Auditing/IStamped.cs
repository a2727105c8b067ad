namespace Tidings.Data.Auditing;

/// <summary>created_at is the server's, whatever a caller put there.</summary>
public interface ICreatedAt
{
    DateTime CreatedAt { get; set; }
}

/// <summary>updated_at moves with every real change, and only then.</summary>
public interface ITimestamped : ICreatedAt
{
    DateTime UpdatedAt { get; set; }
}

/// <summary>created_by_user_id is the acting user's, whatever a caller put there.</summary>
public interface ICreatedBy
{
    Guid? CreatedByUserId { get; set; }
}
