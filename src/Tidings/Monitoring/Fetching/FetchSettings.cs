using System.Globalization;
using Tidings.Data;

namespace Tidings.Monitoring.Fetching;

/// <summary>
/// How the monitor fetches (configuration section Monitoring): Timeout (a TimeSpan, default 00:00:20) bounds a whole
/// fetch, redirects and body included; MaxBodyBytes (default 5 MiB) bounds the body after decompression;
/// AllowPrivateAddresses (default false) lets tests and on-premises feeds reach loopback and private networks;
/// UserAgent names Tidings. At most five redirects are followed, as the monitoring issue fixes.
/// </summary>
public sealed record FetchSettings(TimeSpan Timeout, long MaxBodyBytes, int MaxRedirects, bool AllowPrivateAddresses, string UserAgent)
{
    public const string DefaultUserAgent = "Tidings/1.0 (+https://github.com/tidings; feed monitor)";
    public const long MaxBodyBytesCeiling = 256L * 1024 * 1024;

    public static FetchSettings Default { get; } = new(TimeSpan.FromSeconds(20), 5L * 1024 * 1024, 5, false, DefaultUserAgent);

    public static FetchSettings From(IConfiguration configuration)
    {
        var settings = Default;
        if (configuration["Monitoring:Timeout"] is { Length: > 0 } timeout)
            settings = TimeSpan.TryParse(timeout, CultureInfo.InvariantCulture, out var value) && value > TimeSpan.Zero && value <= TimeSpan.FromMinutes(5)
                ? settings with { Timeout = value }
                : throw new InvalidConfigurationException($"Monitoring:Timeout '{timeout}' is not a time span above 00:00:00 and at most 00:05:00.");
        if (configuration["Monitoring:MaxBodyBytes"] is { Length: > 0 } size)
            settings = long.TryParse(size, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value is >= 1024 and <= MaxBodyBytesCeiling
                ? settings with { MaxBodyBytes = value }
                : throw new InvalidConfigurationException($"Monitoring:MaxBodyBytes '{size}' is not a number of bytes from 1024 to {MaxBodyBytesCeiling}.");
        if (configuration["Monitoring:AllowPrivateAddresses"] is { Length: > 0 } allow)
            settings = bool.TryParse(allow, out var value)
                ? settings with { AllowPrivateAddresses = value }
                : throw new InvalidConfigurationException($"Monitoring:AllowPrivateAddresses '{allow}' is not true or false.");
        if (configuration["Monitoring:UserAgent"] is { Length: > 0 } agent)
            settings = agent.Trim() is { Length: > 0 and <= 512 } trimmed && trimmed.All(c => c is >= ' ' and <= '~')
                ? settings with { UserAgent = trimmed }
                : throw new InvalidConfigurationException("Monitoring:UserAgent must be printable ASCII text of 1 to 512 characters (it names Tidings to the sites it fetches).");
        return settings;
    }
}
