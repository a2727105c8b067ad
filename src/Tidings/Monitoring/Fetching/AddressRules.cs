using System.Net;
using System.Net.Sockets;

namespace Tidings.Monitoring.Fetching;

/// <summary>
/// Which addresses the monitor refuses to fetch from: everything that is not the public internet (loopback,
/// private networks, link-local where cloud metadata answers, multicast, reserved and documentation ranges),
/// so that a URL a tenant types cannot reach the machines beside Tidings. The fetcher checks again at connect
/// time on the address it actually connects to, which also defeats a name that resolves differently later.
/// </summary>
public static class AddressRules
{
    private static readonly (IPNetwork Network, string Kind)[] RefusedV4 =
    [
        (IPNetwork.Parse("0.0.0.0/8"), "unspecified"),
        (IPNetwork.Parse("10.0.0.0/8"), "private"),
        (IPNetwork.Parse("100.64.0.0/10"), "private (carrier-grade NAT)"),
        (IPNetwork.Parse("127.0.0.0/8"), "loopback"),
        (IPNetwork.Parse("169.254.0.0/16"), "link-local (where cloud metadata answers)"),
        (IPNetwork.Parse("172.16.0.0/12"), "private"),
        (IPNetwork.Parse("192.0.0.0/24"), "reserved"),
        (IPNetwork.Parse("192.0.2.0/24"), "reserved for documentation"),
        (IPNetwork.Parse("192.168.0.0/16"), "private"),
        (IPNetwork.Parse("198.18.0.0/15"), "reserved for benchmarks"),
        (IPNetwork.Parse("198.51.100.0/24"), "reserved for documentation"),
        (IPNetwork.Parse("203.0.113.0/24"), "reserved for documentation"),
        (IPNetwork.Parse("224.0.0.0/4"), "multicast"),
        (IPNetwork.Parse("240.0.0.0/4"), "reserved (or broadcast)"),
    ];

    private static readonly (IPNetwork Network, string Kind)[] RefusedV6 =
    [
        (IPNetwork.Parse("::1/128"), "loopback"),
        (IPNetwork.Parse("::/96"), "unspecified"), // :: itself and the deprecated IPv4-compatible form
        (IPNetwork.Parse("100::/64"), "reserved"),
        (IPNetwork.Parse("2001:db8::/32"), "reserved for documentation"),
        (IPNetwork.Parse("fc00::/7"), "private (unique local)"),
        (IPNetwork.Parse("fe80::/10"), "link-local"),
        (IPNetwork.Parse("fec0::/10"), "private (site-local)"),
        (IPNetwork.Parse("ff00::/8"), "multicast"),
    ];

    private static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");
    private static readonly IPNetwork SixToFour = IPNetwork.Parse("2002::/16");

    public static bool IsRefused(IPAddress address) => Kind(address) is not null;

    /// <summary>What kind of non-public address this is ("loopback", "private"...), or null for a public one.</summary>
    public static string? Kind(IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            // Forms that carry an IPv4 address inside are judged by that address.
            if (address.IsIPv4MappedToIPv6)
                return Kind(address.MapToIPv4());
            if (Nat64.Contains(address))
                return Kind(new IPAddress(address.GetAddressBytes()[12..]));
            if (SixToFour.Contains(address))
                return Kind(new IPAddress(address.GetAddressBytes()[2..6]));
            return RefusedV6.FirstOrDefault(r => r.Network.Contains(address)).Kind;
        }
        if (address.AddressFamily == AddressFamily.InterNetwork)
            return RefusedV4.FirstOrDefault(r => r.Network.Contains(address)).Kind;
        return "not an internet address";
    }

    /// <summary>Words for a person on why <paramref name="address"/>, reached through <paramref name="host"/>, is not fetched.</summary>
    public static string Refusal(string host, IPAddress address)
    {
        var kind = Kind(address) ?? "not allowed here";
        var which = IPAddress.TryParse(host.Trim('[', ']'), out var literal) && literal.Equals(address)
            ? $"The address {address}"
            : $"{host} resolves to {address}, which";
        return $"{which} is {kind}; Tidings does not fetch loopback, private, link-local, multicast or reserved addresses.";
    }

    /// <summary>Words for a person when <paramref name="url"/> is not an http or https address with a host; null when it is.</summary>
    public static string? SchemeRefusal(Uri url) =>
        !url.IsAbsoluteUri ? $"'{url}' is not a full web address (such as https://example.com/feed)."
        : url.Scheme is not ("http" or "https") ? $"The address {Shorten(url)} uses {url.Scheme}; Tidings fetches only http and https addresses."
        : url.Host.Length == 0 ? $"The address {Shorten(url)} names no host."
        : null;

    /// <summary>
    /// The check when a source is added: http or https, a host that resolves, and (unless <paramref name="allowPrivate"/>)
    /// no refused address among those it resolves to. Null when fine, otherwise words for a person.
    /// </summary>
    public static async Task<string?> RefusalAsync(Uri url, bool allowPrivate, CancellationToken ct)
    {
        if (SchemeRefusal(url) is { } refusal)
            return refusal;
        IPAddress[] addresses;
        if (IPAddress.TryParse(url.DnsSafeHost, out var literal))
            addresses = [literal];
        else
        {
            try
            {
                addresses = await Dns.GetHostAddressesAsync(url.DnsSafeHost, ct);
            }
            catch (SocketException)
            {
                addresses = [];
            }
            if (addresses.Length == 0)
                return $"The host {url.Host} was not found (it has no address in DNS).";
        }
        if (allowPrivate)
            return null;
        return addresses.FirstOrDefault(IsRefused) is { } refused ? Refusal(url.Host, refused) : null;
    }

    /// <summary>A URL as shown in words: long ones cut, so a message stays one line.</summary>
    internal static string Shorten(Uri url)
    {
        var text = url.OriginalString;
        return text.Length <= 120 ? text : text[..117] + "...";
    }
}
