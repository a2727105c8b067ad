using Microsoft.EntityFrameworkCore;
using Tidings.Data;
using Tidings.Data.Tenancy;

namespace Tidings.Delivery.Outbox;

/// <summary>
/// Removes delivered and failed messages and delivery-log entries older than Delivery:Retention, business by business
/// under each one's tenant. Pending messages stay whatever their age: they are still owed.
/// </summary>
public sealed class OutboxCleanup(IServiceScopeFactory scopes, DeliverySettings settings)
{
    public const string ActorName = "dispatcher: clean-up";
    private const string ScopeName = "dispatcher: old delivery records";

    public async Task<int> RunAsync(DateTime now, CancellationToken ct)
    {
        var cutoff = StoredTime.Of(now - settings.Retention);
        List<Guid> businesses;
        await using (var scope = Scope(null))
        {
            var db = scope.ServiceProvider.GetRequiredService<TidingsDbContext>();
            using (db.Tenant.EnterPlatformScope(ScopeName))
                businesses = await db.Database.SqlQuery<Guid>($"SELECT DISTINCT business_id AS \"Value\" FROM outbox_messages WHERE state <> 'pending' AND created_at < {cutoff}")
                    .ToListAsync(ct);
        }
        var removed = 0;
        foreach (var businessId in businesses)
        {
            await using var scope = Scope(businessId);
            var db = scope.ServiceProvider.GetRequiredService<TidingsDbContext>();
            using (db.AllowDirectWrites("dispatcher: removing delivery records past their retention"))
            {
                removed += await db.WebhookDeliveries.Where(d => d.CreatedAt < cutoff).ExecuteDeleteAsync(ct);
                removed += await db.OutboxMessages.Where(m => m.State != OutboxStates.Pending && m.CreatedAt < cutoff).ExecuteDeleteAsync(ct);
            }
        }
        return removed;
    }

    private AsyncServiceScope Scope(Guid? businessId) => scopes.ForSystem(ActorName, businessId);
}
