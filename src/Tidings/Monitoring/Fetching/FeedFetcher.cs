using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Authentication;
using Microsoft.AspNetCore.WebUtilities;

namespace Tidings.Monitoring.Fetching;

/// <summary>
/// Fetches the URLs tenants type, safely: http and https only, every connection (each redirect hop included) made
/// to an address checked after DNS, redirects followed by hand up to the limit, the body bounded after
/// decompression, the whole fetch bounded in time. One per process: it owns the connection pool. A network or
/// HTTP problem is a <see cref="FetchOutcome.Failed"/> result with words; only the caller's cancellation throws.
/// </summary>
public sealed class FeedFetcher : IDisposable
{
    private const string Accept = "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8";
    private const int MaxValidatorLength = 1024;

    private static readonly HashSet<HttpStatusCode> Redirects =
        [HttpStatusCode.MovedPermanently, HttpStatusCode.Found, HttpStatusCode.SeeOther, HttpStatusCode.TemporaryRedirect, HttpStatusCode.PermanentRedirect];

    private readonly FetchSettings _settings;
    private readonly TimeProvider _clock;
    private readonly Func<IPAddress, bool> _refused;
    private readonly HttpClient _http;

    public FeedFetcher(FetchSettings settings, TimeProvider? clock = null)
        : this(settings, clock, AddressRules.IsRefused)
    {
    }

    /// <summary>With another rule for refused addresses: lets tests on loopback show the connect-time check on a redirect hop.</summary>
    internal FeedFetcher(FetchSettings settings, TimeProvider? clock, Func<IPAddress, bool> refused)
    {
        _settings = settings;
        _clock = clock ?? TimeProvider.System;
        _refused = settings.AllowPrivateAddresses ? _ => false : refused;
        _http = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.All,
            ConnectCallback = ConnectAsync,
            ConnectTimeout = settings.Timeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            MaxResponseDrainSize = 64 * 1024,
            UseCookies = false,
            // A proxy would resolve names itself, out of reach of the connect-time check.
            UseProxy = false,
        })
        { Timeout = Timeout.InfiniteTimeSpan };
    }

    public FetchSettings Settings => _settings;

    /// <summary>Fetches <paramref name="url"/>, sending the stored validators (raw, as received) so an unchanged resource answers 304.</summary>
    public async Task<FetchResult> FetchAsync(Uri url, string? etag, string? lastModified, CancellationToken ct)
    {
        using var timeout = new CancellationTokenSource(_settings.Timeout, _clock);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        var current = url;
        try
        {
            for (var redirects = 0; ; redirects++)
            {
                if (AddressRules.SchemeRefusal(current) is { } refusal)
                    return Failure(current, refusal, permanent: true);
                using var request = Request(current, etag, lastModified);
                using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
                if (!Redirects.Contains(response.StatusCode) || response.Headers.Location is not { } location)
                    return await ResultAsync(current, response, etag, lastModified, linked.Token);
                if (redirects == _settings.MaxRedirects)
                    return Failure(current, $"Too many redirects (more than {_settings.MaxRedirects}).", permanent: false) with { StatusCode = (int)response.StatusCode };
                current = new Uri(current, location);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException)
        {
            // Only the time limit is left to have cancelled it.
            return Failure(current, $"No answer within {Seconds(_settings.Timeout)}.", permanent: false);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or InvalidDataException or UriFormatException)
        {
            var (words, permanent) = Explain(e, current);
            return Failure(current, words, permanent);
        }
    }

    private HttpRequestMessage Request(Uri url, string? etag, string? lastModified)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.TryAddWithoutValidation("User-Agent", _settings.UserAgent);
        request.Headers.TryAddWithoutValidation("Accept", Accept);
        if (!string.IsNullOrEmpty(etag))
            request.Headers.TryAddWithoutValidation("If-None-Match", etag);
        if (!string.IsNullOrEmpty(lastModified))
            request.Headers.TryAddWithoutValidation("If-Modified-Since", lastModified);
        return request;
    }

    private async Task<FetchResult> ResultAsync(Uri url, HttpResponseMessage response, string? sentETag, string? sentLastModified, CancellationToken ct)
    {
        var status = (int)response.StatusCode;
        var result = new FetchResult(FetchOutcome.Failed, url, status, null, Raw(response.Content.Headers, "Content-Type"),
            Validator(response.Headers, "ETag"), Validator(response.Content.Headers, "Last-Modified"),
            RetryAfter(response), MaxAge(response), null, false);
        if (response.StatusCode == HttpStatusCode.NotModified)
            return result with { Outcome = FetchOutcome.NotModified, ETag = result.ETag ?? sentETag, LastModified = result.LastModified ?? sentLastModified };
        if (!response.IsSuccessStatusCode)
        {
            var reason = ReasonPhrases.GetReasonPhrase(status);
            var answer = Redirects.Contains(response.StatusCode) ? " without saying where to" : "";
            return result with { Error = $"The server answered {status}{(reason.Length > 0 ? " " + reason : "")}{answer}.", Permanent = status is 404 or 410 };
        }
        var tooLarge = $"The response is larger than {Size(_settings.MaxBodyBytes)}.";
        if (response.Content.Headers.ContentLength > _settings.MaxBodyBytes)
            return result with { Error = tooLarge };
        // Read by hand, counting decompressed bytes: a small compressed body can expand without end.
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        using var kept = new MemoryStream((int)Math.Min(response.Content.Headers.ContentLength ?? 64 * 1024, _settings.MaxBodyBytes));
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await body.ReadAsync(chunk, ct)) > 0)
        {
            if (kept.Length + read > _settings.MaxBodyBytes)
                return result with { Error = tooLarge };
            kept.Write(chunk, 0, read);
        }
        return result with { Outcome = FetchOutcome.Fetched, Body = kept.ToArray() };
    }

    /// <summary>Resolves the name itself and connects only to an allowed address, so what is checked is what is reached.</summary>
    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var host = context.DnsEndPoint.Host.Trim('[', ']');
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
        var allowed = addresses.Where(a => !_refused(Unmapped(a))).ToArray();
        if (allowed.Length == 0)
            throw addresses.Length == 0 ? new SocketException((int)SocketError.HostNotFound) : new RefusedAddressException(AddressRules.Refusal(host, Unmapped(addresses[0])));
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, ct);
            if (socket.RemoteEndPoint is IPEndPoint remote && _refused(Unmapped(remote.Address)))
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

    private static (string Words, bool Permanent) Explain(Exception e, Uri url)
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
            : ($"Could not fetch from {url.Host}: {e.Message}", false);
    }

    private static FetchResult Failure(Uri url, string words, bool permanent) =>
        new(FetchOutcome.Failed, url, null, null, null, null, null, null, null, words, permanent);

    private static string? Raw(HttpHeaders headers, string name) =>
        headers.NonValidated.TryGetValues(name, out var values) && values.Count > 0 ? values.ToString() : null;

    /// <summary>A validator as the server wrote it, to send back verbatim; an absurdly long one is not kept.</summary>
    private static string? Validator(HttpHeaders headers, string name) =>
        Raw(headers, name) is { Length: > 0 and <= MaxValidatorLength } value ? value : null;

    private TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => Max(TimeSpan.Zero, date - _clock.GetUtcNow()),
        _ => null,
    };

    /// <summary>How long the answer stays fresh: Cache-Control max-age (s-maxage is for shared caches), else Expires; none under no-store or no-cache.</summary>
    private TimeSpan? MaxAge(HttpResponseMessage response)
    {
        var cache = response.Headers.CacheControl;
        if (cache is { NoStore: true } or { NoCache: true })
            return null;
        if (cache?.MaxAge is { } maxAge)
            return maxAge;
        if (response.Content.Headers.Expires is { } expires)
            return Max(TimeSpan.Zero, expires - (response.Headers.Date ?? _clock.GetUtcNow()));
        return null;
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    internal static string Size(long bytes) =>
        bytes % (1024 * 1024) == 0 ? $"{bytes / (1024 * 1024)} MiB"
        : bytes % 1024 == 0 ? $"{bytes / 1024} KiB"
        : $"{bytes} bytes";

    internal static string Seconds(TimeSpan span) =>
        span == TimeSpan.FromSeconds(1) ? "1 second" : $"{span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} seconds";

    public void Dispose() => _http.Dispose();

    private sealed class RefusedAddressException(string message) : Exception(message);
}
