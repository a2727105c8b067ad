using System.Diagnostics;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Tidings.Monitoring.Fetching;

namespace Tidings.Delivery.Webhooks;

/// <summary>One attempt to deliver a message: its outcome in words, and what the delivery log keeps of the answer.</summary>
/// <param name="Permanent">Trying again will not help soon: the address is refused, or the endpoint answered 410 Gone.</param>
public sealed record WebhookAttempt(bool Delivered, int? StatusCode, TimeSpan Duration, string? Error, string? ResponseExcerpt, bool Permanent,
    TimeSpan? RetryAfter);

/// <summary>
/// Posts a message to an endpoint: signed as Standard Webhooks says (json), or as it is (slack, whose URL is its secret),
/// through the same connect-time address check as the monitor's fetches. A redirect is not followed (a receiver that
/// moved must be edited), a 2xx is delivered, anything else a failure in words with a bounded excerpt of the answer.
/// One per process, thread-safe; never throws for a network or HTTP problem, only for the caller's cancellation.
/// </summary>
public sealed class WebhookSender : IDisposable
{
    public const int MaxExcerptBytes = 1024;

    private readonly HttpClient _http;
    private readonly TimeSpan _timeout;
    private readonly string _userAgent;
    private readonly TimeProvider _clock;

    public WebhookSender(FetchSettings settings, TimeProvider? clock = null)
    {
        _timeout = settings.Timeout;
        _userAgent = settings.UserAgent;
        _clock = clock ?? TimeProvider.System;
        Func<IPAddress, bool> refused = settings.AllowPrivateAddresses ? _ => false : AddressRules.IsRefused;
        _http = new HttpClient(SafeConnections.Handler(settings.Timeout, refused, decompress: false)) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <param name="messageId">The message's id, the same on every attempt ("msg_..."), so the receiver can drop a repeat.</param>
    public async Task<WebhookAttempt> SendAsync(string url, string format, WebhookSigningSecrets secrets, string messageId, string body, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var address = new Uri(url);
        if (AddressRules.SchemeRefusal(address) is { } refusal)
            return new WebhookAttempt(false, null, TimeSpan.Zero, refusal, null, true, null);
        using var timeout = new CancellationTokenSource(_timeout, _clock);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        using var request = new HttpRequestMessage(HttpMethod.Post, address)
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) { Headers = { { "Content-Type", "application/json" } } },
        };
        request.Headers.TryAddWithoutValidation("User-Agent", _userAgent);
        if (format == WebhookFormats.Json)
            WebhookHeaders.For(messageId, _clock.GetUtcNow(), body, secrets.ActiveAt(_clock.GetUtcNow())).ApplyTo(request.Headers);
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
            var excerpt = await ExcerptAsync(response, linked.Token);
            var status = (int)response.StatusCode;
            var duration = Stopwatch.GetElapsedTime(started);
            if (response.IsSuccessStatusCode)
                return new WebhookAttempt(true, status, duration, null, excerpt, false, null);
            var reason = ReasonPhrases.GetReasonPhrase(status);
            var words = $"The endpoint answered {status}{(reason.Length > 0 ? " " + reason : "")}" +
                        (status is >= 300 and < 400 ? "; Tidings does not follow a webhook's redirects: give it the new address." : ".");
            var retryAfter = response.Headers.RetryAfter switch
            {
                { Delta: { } delta } => delta,
                { Date: { } date } => date - _clock.GetUtcNow() is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
                _ => (TimeSpan?)null,
            };
            return new WebhookAttempt(false, status, duration, words, excerpt, status == 410, retryAfter);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException)
        {
            return new WebhookAttempt(false, null, Stopwatch.GetElapsedTime(started), $"No answer within {FeedFetcher.Seconds(_timeout)}.", null, false, null);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            var (words, permanent) = SafeConnections.Explain(e, address);
            return new WebhookAttempt(false, null, Stopwatch.GetElapsedTime(started), words, null, permanent, null);
        }
    }

    /// <summary>The start of the answer, as text, for the delivery log: at most <see cref="MaxExcerptBytes"/> bytes read.</summary>
    private static async Task<string?> ExcerptAsync(HttpResponseMessage response, CancellationToken ct)
    {
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        var buffer = new byte[MaxExcerptBytes];
        var read = 0;
        int got;
        while (read < buffer.Length && (got = await body.ReadAsync(buffer.AsMemory(read), ct)) > 0)
            read += got;
        if (read == 0)
            return null;
        // Cut on a character boundary and without what a database cannot store.
        var text = Encoding.UTF8.GetString(buffer, 0, read).TrimEnd('\uFFFD');
        return Data.StorableText.Cleaned(text);
    }

    public void Dispose() => _http.Dispose();
}
