namespace Tidings.Data.Auditing;

/// <summary>
/// Who is acting in the current unit of work: a signed-in user, or a named system actor such as
/// "legacy-import". Scoped; the audit trail and the created_by/deleted_by stamps read it.
/// </summary>
public sealed class CurrentActor
{
    public Guid? UserId { get; private set; }
    public Guid? UserBusinessId { get; private set; }
    public string Name { get; private set; } = "anonymous";
    public string? IpAddress { get; private set; }
    public string? UserAgent { get; private set; }

    public void SetUser(Guid userId, Guid businessId, string displayName)
    {
        UserId = userId;
        UserBusinessId = businessId;
        Name = displayName;
    }

    public void SetSystem(string systemActorName)
    {
        UserId = null;
        UserBusinessId = null;
        Name = "system:" + systemActorName;
    }

    /// <summary>The acting user as a *_by_user_id of a row, only when the row is in the user's own business.</summary>
    public Guid? UserIdIn(object row) =>
        row is Tenancy.ITenantOwned owned && owned.BusinessId == UserBusinessId ? UserId : null;

    public void SetConnection(string? ipAddress, string? userAgent)
    {
        IpAddress = ipAddress;
        UserAgent = userAgent is { Length: > 500 } ? userAgent[..500] : userAgent;
    }
}
