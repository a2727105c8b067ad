using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Tidings.Businesses;
using Tidings.Data;

namespace Tidings.Users;

/// <summary>Who a token signed in as when it was last looked up, with the time zone their pages are written in.</summary>
public sealed record SignedIn(Guid TokenId, Guid UserId, Guid BusinessId, string DisplayName, string Role, DateTime ExpiresAt, string TimeZone = "UTC");

/// <summary>
/// Keeps what a token signs in as for a few seconds (Sessions:SignInCache, a TimeSpan, default 00:00:05;
/// 00:00:00 turns it off), so a busy client does not pay a database lookup on every request. A save through
/// this process that ends a session or token, or changes a person or a business, forgets their entries before
/// and after it commits; another Tidings process on the same database sees such a change when its own entry
/// lapses, at most that many seconds later (docs/operations.md).
/// </summary>
public sealed class SignInCache : IDisposable
{
    public const string Setting = "Sessions:SignInCache";
    private const int MaxEntries = 100_000;

    private readonly MemoryCache _entries;
    private readonly TimeSpan _lifetime;
    private readonly TimeProvider _clock;
    private const int RecentForgets = 1024;
    private readonly Queue<Forgotten> _recent = new();
    private long _forgets;

    public SignInCache(TimeSpan lifetime, TimeProvider clock)
    {
        _lifetime = lifetime;
        _clock = clock;
        _entries = new MemoryCache(new MemoryCacheOptions { SizeLimit = MaxEntries, Clock = new CacheClock(clock) });
        Invalidation.Saved += Forget;
    }

    public static TimeSpan LifetimeFrom(IConfiguration configuration)
    {
        var lifetime = TimeSpan.FromSeconds(5);
        if (configuration[Setting] is { Length: > 0 } text
            && (!TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out lifetime) || lifetime < TimeSpan.Zero || lifetime > TimeSpan.FromMinutes(5)))
            throw new InvalidConfigurationException($"{Setting} '{text}' is not a time span from 00:00:00 (off) to 00:05:00.");
        return lifetime;
    }

    /// <summary>
    /// How many times entries have been forgotten so far: read before a lookup and handed to <see cref="Keep"/>, so a
    /// lookup that raced a forgetting of its person or business (it may have read the row just before the change
    /// committed) keeps nothing. Forgettings of others do not stop it, so one busy business cannot keep another's
    /// sign-ins from being kept.
    /// </summary>
    public long Generation => Interlocked.Read(ref _forgets);

    /// <summary>The entry of a token hash, if one is kept and the token has not expired since.</summary>
    public SignedIn? Find(string tokenHash) =>
        _lifetime > TimeSpan.Zero && _entries.TryGetValue(tokenHash, out SignedIn? found) && found!.ExpiresAt > _clock.GetUtcNow().UtcDateTime
            ? found
            : null;

    public void Keep(string tokenHash, SignedIn signedIn, long generation)
    {
        if (_lifetime == TimeSpan.Zero || ForgottenSince(generation, signedIn))
            return;
        var until = _clock.GetUtcNow().UtcDateTime + _lifetime;
        _entries.Set(tokenHash, signedIn, new MemoryCacheEntryOptions
        {
            Size = 1,
            AbsoluteExpiration = new DateTimeOffset(until < signedIn.ExpiresAt ? until : signedIn.ExpiresAt, TimeSpan.Zero),
        });
        // A forgetting that ran its removal between the check above and the Set would have missed this entry.
        if (ForgottenSince(generation, signedIn))
            _entries.Remove(tokenHash);
    }

    /// <summary>Forgets every entry of these people and of these businesses.</summary>
    public void Forget(IReadOnlyCollection<Guid> userIds, IReadOnlyCollection<Guid> businessIds)
    {
        if (userIds.Count == 0 && businessIds.Count == 0)
            return;
        lock (_recent)
        {
            _recent.Enqueue(new Forgotten(Interlocked.Increment(ref _forgets), [.. userIds], [.. businessIds]));
            while (_recent.Count > RecentForgets)
                _recent.Dequeue();
        }
        foreach (var key in _entries.Keys.ToList())
            if (_entries.TryGetValue(key, out SignedIn? entry) && (userIds.Contains(entry!.UserId) || businessIds.Contains(entry.BusinessId)))
                _entries.Remove(key);
    }

    /// <summary>Whether this person or business was forgotten after that generation (yes when the record no longer reaches back).</summary>
    private bool ForgottenSince(long generation, SignedIn signedIn)
    {
        if (Generation == generation)
            return false;
        lock (_recent)
        {
            if (_recent.Count == 0 || _recent.Peek().Generation > generation + 1)
                return true;
            foreach (var forgotten in _recent)
                if (forgotten.Generation > generation
                    && (forgotten.Users.Contains(signedIn.UserId) || forgotten.Businesses.Contains(signedIn.BusinessId)))
                    return true;
            return false;
        }
    }

    private sealed record Forgotten(long Generation, HashSet<Guid> Users, HashSet<Guid> Businesses);

    public void Dispose()
    {
        Invalidation.Saved -= Forget;
        _entries.Dispose();
    }

    private sealed class CacheClock(TimeProvider clock) : Microsoft.Extensions.Internal.ISystemClock
    {
        public DateTimeOffset UtcNow => clock.GetUtcNow();
    }

    /// <summary>
    /// Finds, in each save of any context of the process, the people and businesses whose sign-in may have changed (a
    /// session or token deleted or changed, a person or a business changed or removed) and makes every cache of the
    /// process forget them, before the save and again once it has committed.
    /// </summary>
    public sealed class Invalidation : SaveSignal<(Guid Id, bool IsBusiness)>
    {
        public static readonly Invalidation Instance = new();

        internal static event Action<IReadOnlyCollection<Guid>, IReadOnlyCollection<Guid>>? Saved;

        protected override void Collect(DbContext context, HashSet<(Guid Id, bool IsBusiness)> changed)
        {
            foreach (var entry in context.ChangeTracker.Entries())
            {
                if (entry.State is not (EntityState.Modified or EntityState.Deleted))
                    continue;
                switch (entry.Entity)
                {
                    // Noting when a token was last used (the sign-in lookup itself does, hourly) changes nothing it signs in as.
                    case ApiToken token when entry.State == EntityState.Deleted
                                             || entry.Properties.Any(p => p.IsModified && p.Metadata.Name != nameof(ApiToken.LastUsedAt)):
                        changed.Add((token.UserId, false));
                        break;
                    case User user:
                        changed.Add((user.Id, false));
                        break;
                    case Business business:
                        changed.Add((business.Id, true));
                        break;
                }
            }
        }

        protected override void Signal(IReadOnlyCollection<(Guid Id, bool IsBusiness)> changed) =>
            Saved?.Invoke(changed.Where(c => !c.IsBusiness).Select(c => c.Id).ToList(), changed.Where(c => c.IsBusiness).Select(c => c.Id).ToList());
    }
}
