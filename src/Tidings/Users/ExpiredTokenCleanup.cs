using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Tidings.Businesses;
using Tidings.Data;
using Tidings.Data.Auditing;
using Tidings.Data.Tenancy;

namespace Tidings.Users;

/// <summary>
/// Sessions:CleanupInterval (a TimeSpan, default 01:00:00; 00:00:00 turns the job off) and
/// Sessions:CleanupBatchSize (default 1000): how often expired sessions and tokens are deleted, and how many per transaction.
/// </summary>
public sealed record ExpiredTokenCleanupSettings(TimeSpan Interval, int BatchSize)
{
    public static ExpiredTokenCleanupSettings From(IConfiguration configuration)
    {
        var interval = TimeSpan.FromHours(1);
        if (configuration["Sessions:CleanupInterval"] is { Length: > 0 } text
            && (!TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out interval) || interval < TimeSpan.Zero))
            throw new InvalidConfigurationException($"Sessions:CleanupInterval '{text}' is not a time span such as 01:00:00 (00:00:00 turns the cleanup off).");
        var batchSize = 1000;
        if (configuration["Sessions:CleanupBatchSize"] is { Length: > 0 } size
            && (!int.TryParse(size, CultureInfo.InvariantCulture, out batchSize) || batchSize is < 1 or > 10_000))
            throw new InvalidConfigurationException($"Sessions:CleanupBatchSize '{size}' is not a number from 1 to 10000.");
        return new ExpiredTokenCleanupSettings(interval, batchSize);
    }
}

/// <summary>
/// Deletes expired sessions and personal tokens, at start and then every interval. Authentication refuses them
/// anyway; this keeps api_tokens from growing with every sign-in. Each business's rows are deleted under that
/// business (tenant filter, row-level security), never under the platform scope, which only lists the businesses.
/// The deletes are set-based, in batches, each batch with one PURGE audit entry listing the ids it removed, in
/// its transaction: expiry is routine housekeeping that no one did, and an audit row per token would double
/// the work and the trail's growth while saying no more than the list does.
/// </summary>
public sealed class ExpiredTokenCleanup(IServiceScopeFactory scopes, ExpiredTokenCleanupSettings settings, TimeProvider clock, ILogger<ExpiredTokenCleanup> log)
    : BackgroundService
{
    public const string ActorName = "token-cleanup";
    private const int BusinessPageSize = 1000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (settings.Interval == TimeSpan.Zero)
            return;
        using var timer = new PeriodicTimer(settings.Interval, clock);
        try
        {
            do
            {
                try
                {
                    var deleted = await RunOnceAsync(stoppingToken);
                    if (deleted > 0)
                        log.LogInformation("Deleted {Count} expired sessions and tokens", deleted);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    // The database may be away for a while; the next tick tries again, and the host keeps serving.
                    log.LogWarning(e, "Deleting expired sessions and tokens failed; next try in {Interval}", settings.Interval);
                }
            } while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One pass over every business; answers how many sessions and tokens it deleted.</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        var now = StoredTime.Now(clock);
        var deleted = 0;
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentActor>().SetSystem(ActorName);
        var platform = scope.ServiceProvider.GetRequiredService<TidingsDbContext>();
        using (await platform.BeginPlatformScopeAsync(ActorName, ct))
        {
            Guid? after = null;
            while (true)
            {
                var query = platform.AcrossBusinesses<Business>().AsNoTracking();
                if (after is { } last)
                    query = query.Where(b => b.Id.CompareTo(last) > 0);
                var page = await query.OrderBy(b => b.Id).Select(b => b.Id).Take(BusinessPageSize).ToListAsync(ct);
                foreach (var businessId in page)
                    deleted += await CleanBusinessAsync(businessId, now, ct);
                if (page.Count < BusinessPageSize)
                    return deleted;
                after = page[^1];
            }
        }
    }

    private async Task<int> CleanBusinessAsync(Guid businessId, DateTime now, CancellationToken ct)
    {
        var deleted = 0;
        while (true)
        {
            await using var scope = scopes.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<CurrentTenant>().Set(businessId);
            scope.ServiceProvider.GetRequiredService<CurrentActor>().SetSystem(ActorName);
            var db = scope.ServiceProvider.GetRequiredService<TidingsDbContext>();
            var batch = await db.ApiTokens.Where(t => t.ExpiresAt <= now).OrderBy(t => t.Id).Select(t => t.Id)
                .Take(settings.BatchSize).ToListAsync(ct);
            if (batch.Count == 0)
                return deleted;
            deleted += await db.InTransactionAsync(async attempt =>
            {
                int count;
                using (db.AllowDirectWrites("expired token cleanup: one PURGE entry per batch listing its ids"))
                    count = await db.ApiTokens.Where(t => batch.Contains(t.Id) && t.ExpiresAt <= now).ExecuteDeleteAsync(attempt);
                if (count == 0)
                    return 0; // another instance's pass, or the owner, got there first, and audited it
                db.AuditLogs.Add(AuditTrail.Attribute(new AuditLog
                {
                    ActorName = db.Actor.Name,
                    TableName = "api_tokens",
                    RecordId = $"expired before {now.ToString("O", CultureInfo.InvariantCulture)}",
                    Action = AuditActions.Purge,
                    OldValues = JsonSerializer.Serialize(new { reason = "expired", expiresBefore = now, count, ids = batch }),
                }, businessId, db.Actor, StoredTime.Now(clock)));
                await db.SaveChangesAsync(attempt);
                return count;
            }, ct);
            if (batch.Count < settings.BatchSize)
                return deleted;
        }
    }
}

public static class ExpiredTokenCleanupSetup
{
    public static IServiceCollection AddExpiredTokenCleanup(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(ExpiredTokenCleanupSettings.From(configuration));
        services.AddSingleton<ExpiredTokenCleanup>();
        services.AddHostedService(sp => sp.GetRequiredService<ExpiredTokenCleanup>());
        return services;
    }
}
