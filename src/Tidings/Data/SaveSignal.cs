using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Caching.Memory;

namespace Tidings.Data;

/// <summary>
/// Tells a process's caches what each save of any of its contexts changes: <see cref="Collect"/> picks the keys (people,
/// businesses) out of the change tracker before the save, and <see cref="Signal"/> hears them then and again once the
/// save has committed (at the end of the caller's transaction when there is one), so a lookup racing the commit cannot
/// keep the old answer. A save in bulk (TidingsDbContext.SaveInsertsInBulkAsync, which writes past EF's SaveChanges and
/// so its interceptors) tells the signals itself (<see cref="ISaveSignal"/>). Writes that bypass the change tracker
/// (ExecuteUpdate, raw SQL) are not seen: their callers tell the cache themselves.
/// </summary>
public abstract class SaveSignal<TKey> : SaveChangesInterceptor, IDbTransactionInterceptor, ISaveSignal
    where TKey : notnull
{
    void ISaveSignal.Saving(DbContext context) => Gather(context);

    void ISaveSignal.Saved(DbContext context)
    {
        if (context.Database.CurrentTransaction is null)
            Release(context);
    }

    void ISaveSignal.Failed(DbContext context) => Release(context);

    private readonly ConditionalWeakTable<DbContext, HashSet<TKey>> _pending = new();

    /// <summary>Adds to <paramref name="changed"/> the keys this save touches.</summary>
    protected abstract void Collect(DbContext context, HashSet<TKey> changed);

    protected abstract void Signal(IReadOnlyCollection<TKey> changed);

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Gather(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        Gather(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        if (eventData.Context?.Database.CurrentTransaction is null)
            Release(eventData.Context);
        return result;
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context?.Database.CurrentTransaction is null)
            Release(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public void TransactionCommitted(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData) => Release(eventData.Context);

    public Task TransactionCommittedAsync(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Release(eventData.Context);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData) => Release(eventData.Context);

    public Task TransactionRolledBackAsync(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Release(eventData.Context);
        return Task.CompletedTask;
    }

    public override void SaveChangesFailed(DbContextErrorEventData eventData) => Release(eventData.Context);

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Release(eventData.Context);
        return Task.CompletedTask;
    }

    private void Gather(DbContext? context)
    {
        if (context is null)
            return;
        HashSet<TKey> changed = [];
        Collect(context, changed);
        if (changed.Count == 0)
            return;
        Signal(changed);
        if (_pending.TryGetValue(context, out var earlier))
            changed.UnionWith(earlier);
        _pending.AddOrUpdate(context, changed);
    }

    private void Release(DbContext? context)
    {
        if (context is not null && _pending.TryGetValue(context, out var changed))
        {
            _pending.Remove(context);
            Signal(changed);
        }
    }
}

/// <summary>A save signal as a save that is not EF's SaveChanges calls it: before writing, after, or after failing.</summary>
public interface ISaveSignal
{
    void Saving(DbContext context);
    void Saved(DbContext context);
    void Failed(DbContext context);
}

/// <summary>
/// Versions per key, moved on by every change a <see cref="SaveSignal{TKey}"/> hears: an answer read under a version is
/// kept only while the version stays the same, so one read while a change commits is never served after it.
/// </summary>
public sealed class Versions<TKey> where TKey : notnull
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<TKey, long> _versions = new();

    public long Of(TKey key) => _versions.TryGetValue(key, out var version) ? version : 0;

    public void MoveOn(IEnumerable<TKey> keys)
    {
        foreach (var key in keys)
            _versions.AddOrUpdate(key, 1, (_, version) => version + 1);
    }
}

/// <summary>
/// An answer per key, read from the database and kept for a short lifetime while the key's <see cref="Versions{TKey}"/>
/// stays where it was when the answer was read. The version is read before the answer: a change that commits while it
/// is read moves the version on, and the answer is not served again.
/// </summary>
public sealed class KeptAnswers<TKey, TValue> : IDisposable
    where TKey : notnull
{
    private readonly Versions<TKey> _versions;
    private readonly TimeSpan _lifetime;
    private readonly TimeProvider _clock;
    private readonly MemoryCache _entries;

    public KeptAnswers(Versions<TKey> versions, TimeSpan lifetime, int maxEntries, TimeProvider clock)
    {
        (_versions, _lifetime, _clock) = (versions, lifetime, clock);
        _entries = new(new MemoryCacheOptions { SizeLimit = maxEntries, Clock = new CacheClock(clock) });
    }

    public async Task<TValue> GetAsync(TKey key, Func<Task<TValue>> read)
    {
        var version = _versions.Of(key);
        if (_entries.TryGetValue(key, out Kept? kept) && kept!.Version == version)
            return kept.Value;
        var value = await read();
        if (_versions.Of(key) == version)
            _entries.Set(key, new Kept(version, value), new MemoryCacheEntryOptions
            {
                Size = 1,
                AbsoluteExpiration = _clock.GetUtcNow() + _lifetime,
            });
        return value;
    }

    private sealed record Kept(long Version, TValue Value);

    public void Dispose() => _entries.Dispose();

    private sealed class CacheClock(TimeProvider clock) : Microsoft.Extensions.Internal.ISystemClock
    {
        public DateTimeOffset UtcNow => clock.GetUtcNow();
    }
}
