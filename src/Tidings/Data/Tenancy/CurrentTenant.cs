namespace Tidings.Data.Tenancy;

/// <summary>
/// The business the current unit of work (request, CLI verb, job) acts for. Scoped, never static:
/// two contexts of two businesses never see each other's value.
/// </summary>
public sealed class CurrentTenant
{
    private Guid? _businessId;

    public Guid? BusinessId => _businessId;

    /// <summary>Name of the open platform scope, or null when none is open.</summary>
    public string? PlatformScope { get; private set; }

    public bool HasBusiness => _businessId is not null;

    /// <summary>Sets the business once; switching a live unit of work to another business is refused.</summary>
    public void Set(Guid businessId)
    {
        if (businessId == Guid.Empty)
            throw new TenancyViolationException("The empty id is not a business.");
        if (_businessId is { } current && current != businessId)
            throw new TenancyViolationException("This unit of work already acts for another business.");
        _businessId = businessId;
    }

    /// <summary>The current business; fails closed when there is none.</summary>
    public Guid RequireBusinessId() =>
        _businessId ?? throw new TenantNotSetException();

    internal IDisposable EnterPlatformScope(string name)
    {
        if (PlatformScope is not null)
            throw new InvalidOperationException($"Platform scope '{PlatformScope}' is already open.");
        PlatformScope = name;
        return new ScopeExit(this);
    }

    private sealed class ScopeExit(CurrentTenant tenant) : IDisposable
    {
        public void Dispose() => tenant.PlatformScope = null;
    }
}

/// <summary>Tenant-owned data was touched with no current business: the data layer fails closed.</summary>
public sealed class TenantNotSetException() : InvalidOperationException(
    "No current business: tenant-owned data cannot be read or written outside a business or a platform scope.");

/// <summary>A write tried to cross from one business into another.</summary>
public sealed class TenancyViolationException(string message) : InvalidOperationException(message);
