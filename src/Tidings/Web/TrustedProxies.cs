using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Tidings.Data;

namespace Tidings.Web;

/// <summary>
/// X-Forwarded-For and X-Forwarded-Proto, honoured only from the proxies the operator names:
/// ForwardedHeaders:KnownProxies (addresses) and ForwardedHeaders:KnownNetworks (CIDR ranges), each a list
/// or one comma-separated value. With neither, the headers are ignored (not even loopback is trusted), so a
/// client cannot choose the address its limits and audit rows are counted under.
/// </summary>
public static class TrustedProxies
{
    public const string Section = "ForwardedHeaders";

    public static IServiceCollection AddTrustedProxies(this IServiceCollection services, IConfiguration configuration)
    {
        var proxies = Values(configuration, "KnownProxies")
            .Select(v => IPAddress.TryParse(v, out var address) ? address
                : throw new InvalidConfigurationException($"{Section}:KnownProxies: '{v}' is not an IP address."))
            .ToList();
        var networks = Values(configuration, "KnownNetworks")
            .Select(v => System.Net.IPNetwork.TryParse(v, out var network) ? network
                : throw new InvalidConfigurationException($"{Section}:KnownNetworks: '{v}' is not a CIDR range such as 10.0.0.0/8."))
            .ToList();
        services.Configure<ForwardedHeadersOptions>(o =>
        {
            // The middleware trusts every sender when both lists are empty: with no proxy named, it reads nothing.
            o.ForwardedHeaders = proxies.Count + networks.Count == 0
                ? ForwardedHeaders.None
                : ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            foreach (var proxy in proxies)
                o.KnownProxies.Add(proxy);
            foreach (var network in networks)
                o.KnownIPNetworks.Add(network);
            // Through a chain of known proxies to the first address that is not one, however long the chain.
            o.ForwardLimit = null;
        });
        return services;
    }

    private static IEnumerable<string> Values(IConfiguration configuration, string key)
    {
        var section = configuration.GetSection(Section).GetSection(key);
        var values = section.Value is { } single ? [single] : section.GetChildren().Select(c => c.Value ?? "");
        return values.SelectMany(v => v.Split([',', ';'], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
    }
}
