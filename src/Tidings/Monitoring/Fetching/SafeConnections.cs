using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;

namespace Tidings.Monitoring.Fetching;

/// <summary>
/// Connections to addresses tenants typed (feeds, webhook endpoints): the name resolved here and the connection made
/// only to an address the rule allows, so what is checked is what is reached (a DNS answer that changes between a
/// check and the connection does not help); no proxy, which would resolve names itself; no automatic redirects, which
/// the caller follows (and checks) itself or refuses. Failures are explained in words for a person.
/// </summary>
public static class SafeConnections
{
    public static SocketsHttpHandler Handler(TimeSpan connectTimeout, Func<IPAddress, bool> refused, bool decompress) => new()
    {
        AllowAutoRedirect = false,
        AutomaticDecompression = decompress ? DecompressionMethods.All : DecompressionMethods.None,
        ConnectCallback = (context, ct) => ConnectAsync(context, refused, ct),
        ConnectTimeout = connectTimeout,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
        MaxResponseDrainSize = 64 * 1024,
        UseCookies = false,
        UseProxy = false,
    };

    private static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, Func<IPAddress, bool> refused, CancellationToken ct)
    {
        var host = context.DnsEndPoint.Host.Trim('[', ']');
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
        var allowed = addresses.Where(a => !refused(Unmapped(a))).ToArray();
        if (allowed.Length == 0)
            throw addresses.Length == 0 ? new SocketException((int)SocketError.HostNotFound) : new RefusedAddressException(AddressRules.Refusal(host, Unmapped(addresses[0])));
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, ct);
            if (socket.RemoteEndPoint is IPEndPoint remote && refused(Unmapped(remote.Address)))
                throw new RefusedAddressException(AddressRules.Refusal(host, Unmapped(remote.Address)));
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static IPAddress Unmapped(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    /// <summary>A failed request in words for a person, and whether trying again soon is pointless (a refused address).</summary>
    public static (string Words, bool Permanent) Explain(Exception e, Uri url)
    {
        for (var inner = e; inner is not null; inner = inner.InnerException)
        {
            switch (inner)
            {
                case RefusedAddressException:
                    return (inner.Message, true);
                case SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain }:
                    return ($"The host {url.Host} was not found (it has no address in DNS).", false);
                case SocketException { SocketErrorCode: SocketError.ConnectionRefused }:
                    return ($"{url.Host} refused the connection on port {url.Port}.", false);
                case SocketException { SocketErrorCode: SocketError.HostUnreachable or SocketError.NetworkUnreachable }:
                    return ($"{url.Host} cannot be reached from here (no route to it).", false);
                case AuthenticationException:
                    return ($"The secure connection to {url.Host} could not be made: {inner.Message}", false);
                case InvalidDataException:
                    return ("The server sent a compressed answer that could not be decoded.", false);
                case UriFormatException:
                    return ("The server redirected to an address that is not valid.", false);
            }
        }
        return e is IOException
            ? ($"The connection to {url.Host} broke: {e.Message}", false)
            : ($"Could not reach {url.Host}: {e.Message}", false);
    }

    private sealed class RefusedAddressException(string message) : Exception(message);
}
