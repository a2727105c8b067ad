using Tidings.Data.Auditing;

namespace Tidings.Data.Tenancy;

/// <summary>
/// A unit of work of background work (monitor, dispatcher) as its system actor: under one business's tenant, so it
/// writes that business's rows as that business, or under none for the one read across businesses.
/// </summary>
public static class SystemScopes
{
    public static AsyncServiceScope ForSystem(this IServiceScopeFactory scopes, string actor, Guid? businessId = null)
    {
        var scope = scopes.CreateAsyncScope();
        if (businessId is { } id)
            scope.ServiceProvider.GetRequiredService<CurrentTenant>().Set(id);
        scope.ServiceProvider.GetRequiredService<CurrentActor>().SetSystem(actor);
        return scope;
    }
}
