using System.Diagnostics.Metrics;

namespace Tidings.Web;

/// <summary>
/// Tidings' own metrics, on the one meter named "Tidings" (what an exporter subscribes to).
/// Instruments are created here only, so a reader finds every metric the service reports in one file.
/// </summary>
public static class TidingsMetrics
{
    public const string MeterName = "Tidings";

    public static readonly Meter Meter = new(MeterName);

    /// <summary>Sign-ins refused for a wrong password or an unknown email (tag known_user).</summary>
    public static readonly Counter<long> SignInFailures = Meter.CreateCounter<long>(
        "tidings.signin.failures", unit: "{attempt}", description: "Sign-ins refused for a wrong password or an unknown email.");

    /// <summary>Sign-ins refused before the password was checked (tag limit: address, address_email, email, concurrent).</summary>
    public static readonly Counter<long> SignInThrottled = Meter.CreateCounter<long>(
        "tidings.signin.throttled", unit: "{attempt}", description: "Sign-ins refused by a throttle before the password was checked.");

    /// <summary>Requests refused by the rate limiter (tag policy: signup, tokens).</summary>
    public static readonly Counter<long> RateLimited = Meter.CreateCounter<long>(
        "tidings.requests.rate_limited", unit: "{request}", description: "Requests refused by the rate limiter.");
}
