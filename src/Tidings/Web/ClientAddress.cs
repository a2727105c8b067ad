using System.Net;
using System.Net.Sockets;

namespace Tidings.Web;

/// <summary>
/// Who a limit counts: the client's address after forwarded headers (TrustedProxies), one IPv4 address or
/// one IPv6 /64. A single IPv6 host usually holds a whole /64, so counting its addresses one by one would
/// give it billions of buckets.
/// </summary>
public static class ClientAddress
{
    public static string PartitionKey(HttpContext http) => PartitionKey(http.Connection.RemoteIpAddress);

    public static string PartitionKey(IPAddress? address)
    {
        if (address is null)
            return "unknown";
        if (address.IsIPv4MappedToIPv6)
            return address.MapToIPv4().ToString();
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
            return address.ToString();
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }
}
