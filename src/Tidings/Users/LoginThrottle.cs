using System.Threading.RateLimiting;

namespace Tidings.Users;

/// <summary>
/// Login attempts per client address and per email, with the built-in rate limiters. The email is in
/// the body, so the check runs in the handler rather than in the rate-limiting middleware.
/// </summary>
public sealed class LoginThrottle : IDisposable
{
    private readonly PartitionedRateLimiter<string> _byAddress = PartitionedRateLimiter.Create<string, string>(address =>
        RateLimitPartition.GetFixedWindowLimiter(address, _ => new FixedWindowRateLimiterOptions { PermitLimit = 30, Window = TimeSpan.FromMinutes(1) }));

    private readonly PartitionedRateLimiter<string> _byEmail = PartitionedRateLimiter.Create<string, string>(email =>
        RateLimitPartition.GetFixedWindowLimiter(email, _ => new FixedWindowRateLimiterOptions { PermitLimit = 10, Window = TimeSpan.FromMinutes(5) }));

    public bool TryAcquire(string? address, string normalizedEmail)
    {
        using var byAddress = _byAddress.AttemptAcquire(address ?? "unknown");
        using var byEmail = _byEmail.AttemptAcquire(normalizedEmail);
        return byAddress.IsAcquired && byEmail.IsAcquired;
    }

    public void Dispose()
    {
        _byAddress.Dispose();
        _byEmail.Dispose();
    }
}
