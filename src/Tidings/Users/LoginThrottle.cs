using System.Threading.RateLimiting;

namespace Tidings.Users;

/// <summary>
/// Login attempts per client address and per email, with the built-in rate limiters. The email is in
/// the body, so the check runs in the handler rather than in the rate-limiting middleware.
/// Limits: SignIn:AttemptsPerAddressPerMinute (default 60), SignIn:AttemptsPerEmailPerFiveMinutes (default 10).
/// </summary>
public sealed class LoginThrottle(IConfiguration configuration) : IDisposable
{
    private readonly PartitionedRateLimiter<string> _byAddress = Limiter(
        configuration.GetValue("SignIn:AttemptsPerAddressPerMinute", 60), TimeSpan.FromMinutes(1));

    private readonly PartitionedRateLimiter<string> _byEmail = Limiter(
        configuration.GetValue("SignIn:AttemptsPerEmailPerFiveMinutes", 10), TimeSpan.FromMinutes(5));

    public bool TryAcquire(string? address, string normalizedEmail)
    {
        using var byAddress = _byAddress.AttemptAcquire(address ?? "unknown");
        using var byEmail = _byEmail.AttemptAcquire(normalizedEmail);
        return byAddress.IsAcquired && byEmail.IsAcquired;
    }

    private static PartitionedRateLimiter<string> Limiter(int permits, TimeSpan window) =>
        PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetFixedWindowLimiter(key,
            _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = window }));

    public void Dispose()
    {
        _byAddress.Dispose();
        _byEmail.Dispose();
    }
}
