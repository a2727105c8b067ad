using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using Tidings.Web;

namespace Tidings.Users;

/// <summary>
/// Sign-in attempts, counted so that a stranger cannot lock out a known user (SignInOptions): failures per
/// address and email, failures per email from everywhere, and every attempt per address. The email is in
/// the body, so the check runs in the handler rather than in the rate-limiting middleware. A refused attempt
/// takes nothing from the other limits, and a successful one counts against the address only.
/// </summary>
public sealed partial class LoginThrottle(IOptions<SignInOptions> options, ILogger<LoginThrottle> log) : IDisposable
{
    private readonly PartitionedRateLimiter<string> _attemptsByAddress = Limiter(options.Value.AttemptsPerAddressPerMinute, TimeSpan.FromMinutes(1));
    private readonly PartitionedRateLimiter<string> _failuresByAddressAndEmail = Limiter(options.Value.FailuresPerAddressAndEmailPerFiveMinutes, TimeSpan.FromMinutes(5));
    private readonly PartitionedRateLimiter<string> _failuresByEmail = Limiter(options.Value.FailuresPerEmailPerHour, TimeSpan.FromHours(1));

    // Failures are counted once the password is known to be wrong; one attempt at a time per address and
    // email keeps concurrent guesses from all passing the check before any of them is counted.
    private readonly ConcurrentDictionary<string, byte> _inFlight = new();

    /// <summary>Starts an attempt; when <see cref="LoginAttempt.Refusal"/> is set, answer it and check no password.</summary>
    public LoginAttempt Begin(string address, string normalizedEmail)
    {
        var pair = address + "\n" + normalizedEmail;
        // Looked at, not taken (a lease of 0 permits): only a failure takes from these two.
        if (Refused(_failuresByAddressAndEmail.AttemptAcquire(pair, 0)) is { } pairWait)
            return Refuse("address_email", pairWait, address, normalizedEmail);
        if (Refused(_failuresByEmail.AttemptAcquire(normalizedEmail, 0)) is { } emailWait)
            return Refuse("email", emailWait, address, normalizedEmail);
        if (!_inFlight.TryAdd(pair, 0))
            return Refuse("concurrent", TimeSpan.FromSeconds(1), address, normalizedEmail);
        if (Refused(_attemptsByAddress.AttemptAcquire(address)) is { } addressWait)
        {
            _inFlight.TryRemove(pair, out _);
            return Refuse("address", addressWait, address, normalizedEmail);
        }
        return new LoginAttempt(this, address, normalizedEmail, pair, null);
    }

    private static TimeSpan? Refused(RateLimitLease lease)
    {
        using (lease)
        {
            if (lease.IsAcquired)
                return null;
            return lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
        }
    }

    private LoginAttempt Refuse(string limit, TimeSpan wait, string address, string normalizedEmail)
    {
        TidingsMetrics.SignInThrottled.Add(1, new KeyValuePair<string, object?>("limit", limit));
        SignInThrottled(log, limit, address, EmailHash(normalizedEmail));
        return new LoginAttempt(this, address, normalizedEmail, null,
            TooManyRequests.Problem(wait, "Too many sign-in attempts", "Wait a few minutes and try again."));
    }

    internal void Failed(string address, string normalizedEmail, string pair, bool knownUser)
    {
        _failuresByAddressAndEmail.AttemptAcquire(pair).Dispose();
        _failuresByEmail.AttemptAcquire(normalizedEmail).Dispose();
        TidingsMetrics.SignInFailures.Add(1, new KeyValuePair<string, object?>("known_user", knownUser));
        SignInFailed(log, address, EmailHash(normalizedEmail), knownUser);
    }

    internal void Finished(string pair) => _inFlight.TryRemove(pair, out _);

    /// <summary>
    /// How logs name the email: what was typed in the email field may be a password typed in the wrong
    /// box, so it is never written; a short hash still lets an operator follow one account's failures.
    /// </summary>
    public static string EmailHash(string normalizedEmail) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(normalizedEmail)))[..16];

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Sign-in failed from {ClientAddress} for email hash {EmailHash} (known user: {KnownUser})")]
    private static partial void SignInFailed(ILogger logger, string clientAddress, string emailHash, bool knownUser);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "Sign-in throttled by the {Limit} limit from {ClientAddress} for email hash {EmailHash}")]
    private static partial void SignInThrottled(ILogger logger, string limit, string clientAddress, string emailHash);

    private static PartitionedRateLimiter<string> Limiter(int permits, TimeSpan window) =>
        PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetFixedWindowLimiter(key,
            _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = window }));

    public void Dispose()
    {
        _attemptsByAddress.Dispose();
        _failuresByAddressAndEmail.Dispose();
        _failuresByEmail.Dispose();
    }
}

/// <summary>One sign-in attempt under way: refused, or to be reported as failed; disposing it ends it.</summary>
public sealed class LoginAttempt(LoginThrottle throttle, string address, string normalizedEmail, string? pair, IResult? refusal) : IDisposable
{
    /// <summary>The 429 to answer, when a limit refused the attempt before any password was checked.</summary>
    public IResult? Refusal => refusal;

    public void Failed(bool knownUser) => throttle.Failed(address, normalizedEmail, pair!, knownUser);

    public void Dispose()
    {
        if (pair is not null)
            throttle.Finished(pair);
    }
}
