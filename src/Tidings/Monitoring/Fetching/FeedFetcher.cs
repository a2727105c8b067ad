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
        _http = new HttpClient(SafeConnections.Handler(settings.Timeout, _refused, decompress: true)) { Timeout = Timeout.InfiniteTimeSpan };
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
            var (words, permanent) = SafeConnections.Explain(e, current);
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
}
