using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Http;
using Tidings.Monitoring.Fetching;

namespace Tidings.Tests.Monitoring.Fetching;

public sealed class FeedFetcherTests
{
    private const string Rss = "<rss version=\"2.0\"><channel><title>News</title></channel></rss>";

    /// <summary>The test site is on loopback: every fetcher here allows private addresses, except those of the refusal tests.</summary>
    private static FeedFetcher Fetcher(TimeSpan? timeout = null, long maxBodyBytes = 5 * 1024 * 1024, TimeProvider? clock = null) =>
        new(FetchSettings.Default with { AllowPrivateAddresses = true, Timeout = timeout ?? TimeSpan.FromSeconds(30), MaxBodyBytes = maxBodyBytes }, clock);

    [Fact]
    public async Task A_200_answer_gives_the_body_its_content_type_and_the_validators_as_written()
    {
        await using var site = await LoopbackSite.StartAsync();
        site.Serve("/feed", SitePage.Text(Rss, "application/rss+xml; charset=utf-8", headers:
            [("ETag", "W/\"abc-123\""), ("Last-Modified", "Tue, 03 Mar 2026 10:00:00 GMT")]));
        using var fetcher = Fetcher();

        var result = await fetcher.FetchAsync(site.Url("/feed"), null, null, CancellationToken.None);

        Assert.Equal(FetchOutcome.Fetched, result.Outcome);
        Assert.Equal(200, result.StatusCode);
        Assert.Equal(Rss, Encoding.UTF8.GetString(result.Body!));
        Assert.Equal("application/rss+xml; charset=utf-8", result.ContentType);
        Assert.Equal("W/\"abc-123\"", result.ETag);
        Assert.Equal("Tue, 03 Mar 2026 10:00:00 GMT", result.LastModified);
        Assert.Equal(site.Url("/feed"), result.FinalUrl);
        Assert.Null(result.Error);
    }

    [Fact]
    public async Task Each_request_names_Tidings_asks_for_feeds_first_and_accepts_compression()
    {
        await using var site = await LoopbackSite.StartAsync();
        site.Serve("/feed", SitePage.Text(Rss));
        using var fetcher = Fetcher();

        await fetcher.FetchAsync(site.Url("/feed"), null, null, CancellationToken.None);

        var request = Assert.Single(site.RequestsFor("/feed"));
        Assert.Equal(FetchSettings.DefaultUserAgent, request.Header("User-Agent"));
        Assert.StartsWith("application/rss+xml, application/atom+xml, application/feed+json", request.Header("Accept"));
        Assert.Contains("gzip", request.Header("Accept-Encoding"));
        Assert.Contains("br", request.Header("Accept-Encoding"));
        Assert.Null(request.Header("If-None-Match"));
        Assert.Null(request.Header("If-Modified-Since"));
    }

    [Fact]
    public async Task The_stored_validators_are_sent_back_verbatim_and_a_304_means_nothing_new()
    {
        await using var site = await LoopbackSite.StartAsync();
        const string etag = "\"v42\"";
        const string lastModified = "Tue, 03 Mar 2026 10:00:00 GMT";
        site.Serve("/feed", context => context.Request.Headers.IfNoneMatch == etag
            ? SitePage.WithStatus(304).WriteAsync(context)
            : SitePage.Text(Rss).WriteAsync(context));
        using var fetcher = Fetcher();

        var result = await fetcher.FetchAsync(site.Url("/feed"), etag, lastModified, CancellationToken.None);

        Assert.Equal(FetchOutcome.NotModified, result.Outcome);
        Assert.Equal(304, result.StatusCode);
        Assert.Null(result.Body);
        Assert.Null(result.Error);
        Assert.Equal(etag, result.ETag);
        Assert.Equal(lastModified, result.LastModified);
        var request = Assert.Single(site.RequestsFor("/feed"));
        Assert.Equal(etag, request.Header("If-None-Match"));
        Assert.Equal(lastModified, request.Header("If-Modified-Since"));
    }

    [Fact]
    public async Task Retry_after_in_seconds_is_read_from_a_429()
    {
        await using var site = await LoopbackSite.StartAsync();
        site.Serve("/feed", SitePage.WithStatus(429, ("Retry-After", "120")));
        using var fetcher = Fetcher();

        var result = await fetcher.FetchAsync(site.Url("/feed"), null, null, CancellationToken.None);

        Assert.Equal(FetchOutcome.Failed, result.Outcome);
        Assert.Equal(TimeSpan.FromSeconds(120), result.RetryAfter);
        Assert.Equal("The server answered 429 Too Many Requests.", result.Error);
        Assert.False(result.Permanent);
    }

    [Fact]
    public async Task Retry_after_as_a_date_is_the_time_left_until_then()
    {
        await using var site = await LoopbackSite.StartAsync();
        site.Serve("/feed", SitePage.WithStatus(503, ("Retry-After", "Wed, 21 Oct 2026 07:30:00 GMT")));
        using var fetcher = Fetcher(clock: new FixedClock(new DateTimeOffset(2026, 10, 21, 7, 28, 0, TimeSpan.Zero)));

        var result = await fetcher.FetchAsync(site.Url("/feed"), null, null, CancellationToken.None);

        Assert.Equal(TimeSpan.FromMinutes(2), result.RetryAfter);
        Assert.Equal("The server answered 503 Service Unavailable.", result.Error);
    }

    [Theory]
    [InlineData("max-age=600", 600)]
    [InlineData("public, s-maxage=60, max-age=900", 900)]
    [InlineData("no-store, max-age=600", null)]
    [InlineData("no-cache", null)]
    [InlineData("", null)]
    public async Task Cache_control_max_age_says_how_long_the_answer_stays_fresh(string cacheControl, int? seconds)
    {
        await using var site = await LoopbackSite.StartAsync();
        site.Serve("/feed", SitePage.Text(Rss, headers: cacheControl.Length > 0 ? [("Cache-Control", cacheControl)] : []));
        using var fetcher = Fetcher();

        var result = await fetcher.FetchAsync(site.Url("/feed"), null, null, CancellationToken.None);

        Assert.Equal(FetchOutcome.Fetched, result.Outcome);
        Assert.Equal(seconds is null ? null : TimeSpan.FromSeconds(seconds.Value), result.MaxAge);
    }

    [Fact]
    public async Task Without_max_age_expires_gives_the_freshness_counted_from_the_servers_date()
    {
        await using var site = await LoopbackSite.StartAsync();
        site.Serve("/feed", SitePage.Text(Rss, headers: [("Date", "Wed, 21 Oct 2026 07:00:00 GMT"), ("Expires", "Wed, 21 Oct 2026 08:00:00 GMT")]));
        using var fetcher = Fetcher();

        var result = await fetcher.FetchAsync(site.Url("/feed"), null, null, CancellationToken.None);

        Assert.Equal(TimeSpan.FromHours(1), result.MaxAge);
    }

    [Theory]
    [InlineData(404, "The server answered 404 Not Found.", true)]
    [InlineData(410, "The server answered 410 Gone.", true)]
    [InlineData(500, "The server answered 500 Internal Server Error.", false)]
    [InlineData(403, "The server answered 403 Forbidden.", false)]
    public async Task An_error_status_fails_with_the_code_and_reason_in_words(int status, string words, bool permanent)
    {
        await using var site = await LoopbackSite.StartAsync();
        site.Serve("/feed", SitePage.Text("<html>oops</html>", status: status));
        using var fetcher = Fetcher();

        var result = await fetcher.FetchAsync(site.Url("/feed"), null, null, CancellationToken.None);

        Assert.Equal(FetchOutcome.Failed, result.Outcome);
        Assert.Equal(status, result.StatusCode);
        Assert.Equal(words, result.Error);
        Assert.Equal(permanent, result.Permanent);
        Assert.Null(result.Body);
    }

    [Fact]
    public async Task A_server_slower_than_the_timeout_fails_with_words()
    {
        await using var site = await LoopbackSite.StartAsync();
        site.Serve("/feed", async context =>
        {
            try
            {
                await Task.Delay(TimeSpan.FromMinutes(1), context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
            }
        });
        using var fetcher = Fetcher(timeout: TimeSpan.FromMilliseconds(300));

        var result = await fetcher.FetchAsync(site.Url("/feed"), null, null, CancellationToken.None);

        Assert.Equal(FetchOutcome.Failed, result.Outcome);
        Assert.Equal("No answer within 0.3 seconds.", result.Error);
        Assert.Null(result.StatusCode);
    }

    [Fact]
    public async Task The_callers_cancellation_throws_instead_of_failing()
    {
        await using var site = await LoopbackSite.StartAsync();
        var arrived = new TaskCompletionSource();
        site.Serve("/feed", async context =>
        {
            arrived.TrySetResult();
            try
            {
                await Task.Delay(TimeSpan.FromMinutes(1), context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
            }
        });
        using var fetcher = Fetcher();
        using var cancel = new CancellationTokenSource();

        var fetch = fetcher.FetchAsync(site.Url("/feed"), null, null, cancel.Token);
        await arrived.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => fetch);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_body_over_the_limit_fails_with_the_limit_in_words(bool lengthKnown)
    {
        await using var site = await LoopbackSite.StartAsync();
        var body = new byte[3 * 1024 * 1024];
        site.Serve("/feed", async context =>
        {
            if (lengthKnown)
                context.Response.ContentLength = body.Length;
            for (var offset = 0; offset < body.Length; offset += 64 * 1024)
                await context.Response.Body.WriteAsync(body.AsMemory(offset, 64 * 1024), context.RequestAborted);
        });
        using var fetcher = Fetcher(maxBodyBytes: 1024 * 1024);

        var result = await fetcher.FetchAsync(site.Url("/feed"), null, null, CancellationToken.None);

        Assert.Equal(FetchOutcome.Failed, result.Outcome);
        Assert.Equal("The response is larger than 1 MiB.", result.Error);
        Assert.Equal(200, result.StatusCode);
        Assert.Null(result.Body);
    }

    [Fact]
    public async Task A_body_exactly_at_the_limit_is_kept()
    {
        await using var site = await LoopbackSite.StartAsync();
        site.Serve("/feed", new SitePage(200, new byte[64 * 1024], "application/rss+xml"));
        using var fetcher = Fetcher(maxBodyBytes: 64 * 1024);

        var result = await fetcher.FetchAsync(site.Url("/feed"), null, null, CancellationToken.None);

        Assert.Equal(FetchOutcome.Fetched, result.Outcome);
        Assert.Equal(64 * 1024, result.Body!.Length);
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("br")]
    public async Task A_compressed_answer_is_decoded(string encoding)
    {
        await using var site = await LoopbackSite.StartAsync();
        var feed = Rss + new string(' ', 10_000);
        site.Serve("/feed", SitePage.Text(feed, "application/rss+xml", encoding: encoding));
        using var fetcher = Fetcher();

        var result = await fetcher.FetchAsync(site.Url("/feed"), null, null, CancellationToken.None);

        Assert.Equal(FetchOutcome.Fetched, result.Outcome);
        Assert.Equal(feed, Encoding.UTF8.GetString(result.Body!));
    }

    [Fact]
    public async Task A_gzip_bomb_is_cut_off_at_the_size_limit_and_the_rest_is_never_read()
    {
        await using var site = await LoopbackSite.StartAsync();
        var (start, repeat) = EndlessZeros();
        // The bomb never ends on its own: the server stops only when the fetcher hangs up, or after sending this much.
        const long compressedCap = 256L * 1024 * 1024;
        var sentCompressed = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        site.Serve("/feed", async context =>
        {
            context.Response.ContentType = "application/rss+xml";
            context.Response.Headers.ContentEncoding = "gzip";
            long sent = 0;
            try
            {
                await context.Response.Body.WriteAsync(start, context.RequestAborted);
                sent += start.Length;
                var block = Enumerable.Repeat(repeat, 64).SelectMany(b => b).ToArray();
                while (sent < compressedCap && !context.RequestAborted.IsCancellationRequested)
                {
                    await context.Response.Body.WriteAsync(block, context.RequestAborted);
                    sent += block.Length;
                    // After a hang-up Kestrel drops writes silently and signals RequestAborted from the thread pool: give it the moment.
                    await Task.Delay(1, context.RequestAborted);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or IOException)
            {
            }
            finally
            {
                sentCompressed.TrySetResult(sent);
            }
        });
        using var fetcher = Fetcher(maxBodyBytes: 1024 * 1024);

        var result = await fetcher.FetchAsync(site.Url("/feed"), null, null, CancellationToken.None);

        Assert.Equal(FetchOutcome.Failed, result.Outcome);
        Assert.Equal("The response is larger than 1 MiB.", result.Error);
        // Read to its end the bomb would expand to about a thousand times the cap; the server was cut off long before.
        var sentTotal = await sentCompressed.Task.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(sentTotal < compressedCap, $"the server sent {sentTotal} compressed bytes");
    }

    [Fact]
    public async Task Five_redirects_relative_or_absolute_are_followed_to_the_final_address()
    {
        await using var site = await LoopbackSite.StartAsync();
        site.Serve("/hop0", SitePage.Redirect("/hop1", 301));
        site.Serve("/hop1", SitePage.Redirect("hop2", 302));
        site.Serve("/hop2", SitePage.Redirect(site.Url("/hop3").AbsoluteUri, 303));
        site.Serve("/hop3", SitePage.Redirect($"//{site.BaseAddress.Authority}/hop4", 307));
        site.Serve("/hop4", SitePage.Redirect("/hop5", 308));
        site.Serve("/hop5", SitePage.Text(Rss, "application/rss+xml", headers: [("ETag", "\"final\"")]));
        using var fetcher = Fetcher();

        var result = await fetcher.FetchAsync(site.Url("/hop0"), "\"old\"", null, CancellationToken.None);

        Assert.Equal(FetchOutcome.Fetched, result.Outcome);
        Assert.Equal(site.Url("/hop5"), result.FinalUrl);
        Assert.Equal("\"final\"", result.ETag);
        Assert.Equal(Rss, Encoding.UTF8.GetString(result.Body!));
        Assert.Equal(FetchSettings.DefaultUserAgent, Assert.Single(site.RequestsFor("/hop5")).Header("User-Agent"));
    }

    [Fact]
    public async Task A_sixth_redirect_is_not_followed()
    {
        await using var site = await LoopbackSite.StartAsync();
        for (var hop = 0; hop < 6; hop++)
            site.Serve($"/hop{hop}", SitePage.Redirect($"/hop{hop + 1}"));
        site.Serve("/hop6", SitePage.Text(Rss));
        using var fetcher = Fetcher();

        var result = await fetcher.FetchAsync(site.Url("/hop0"), null, null, CancellationToken.None);

        Assert.Equal(FetchOutcome.Failed, result.Outcome);
        Assert.Equal("Too many redirects (more than 5).", result.Error);
        Assert.Empty(site.RequestsFor("/hop6"));
    }

    [Theory]
    [InlineData("file:///etc/passwd", "file")]
    [InlineData("ftp://files.example.test/feed.xml", "ftp")]
    public async Task A_redirect_to_another_scheme_is_refused(string location, string scheme)
    {
        await using var site = await LoopbackSite.StartAsync();
        site.Serve("/feed", SitePage.Redirect(location, 301));
        using var fetcher = Fetcher();

        var result = await fetcher.FetchAsync(site.Url("/feed"), null, null, CancellationToken.None);

        Assert.Equal(FetchOutcome.Failed, result.Outcome);
        Assert.Equal($"The address {location} uses {scheme}; Tidings fetches only http and https addresses.", result.Error);
        Assert.True(result.Permanent);
        Assert.Equal(new Uri(location), result.FinalUrl);
    }

    [Theory]
    [InlineData("127.0.0.1", "The address 127.0.0.1 is loopback")]
    [InlineData("localhost", "localhost resolves to")]
    public async Task A_loopback_address_is_refused_at_connect_time_when_private_addresses_are_not_allowed(string host, string words)
    {
        await using var site = await LoopbackSite.StartAsync();
        site.Serve("/feed", SitePage.Text(Rss));
        using var fetcher = new FeedFetcher(FetchSettings.Default);

        var result = await fetcher.FetchAsync(site.Url("/feed", host), null, null, CancellationToken.None);

        Assert.Equal(FetchOutcome.Failed, result.Outcome);
        Assert.StartsWith(words, result.Error);
        Assert.Contains("Tidings does not fetch loopback, private, link-local", result.Error);
        Assert.True(result.Permanent);
        Assert.Empty(site.Requests);
    }

    [Fact]
    public async Task Each_redirect_hop_is_checked_again_at_connect_time()
    {
        await using var site = await LoopbackSite.StartAsync();
        var elsewhere = site.Url("/feed", host: "127.0.0.2");
        site.Serve("/start", SitePage.Redirect(elsewhere.AbsoluteUri));
        // Only the site's own address is allowed here: the first hop connects, the second must be refused before connecting.
        using var fetcher = new FeedFetcher(FetchSettings.Default with { Timeout = TimeSpan.FromSeconds(30) }, null, a => !a.Equals(IPAddress.Loopback));

        var result = await fetcher.FetchAsync(site.Url("/start"), null, null, CancellationToken.None);

        Assert.Single(site.RequestsFor("/start"));
        Assert.Equal(FetchOutcome.Failed, result.Outcome);
        Assert.Equal(elsewhere, result.FinalUrl);
        Assert.StartsWith("The address 127.0.0.2 is loopback; Tidings does not fetch", result.Error);
        Assert.True(result.Permanent);
    }

    [Fact]
    public async Task A_host_that_does_not_resolve_fails_with_words()
    {
        using var fetcher = Fetcher();

        var result = await fetcher.FetchAsync(new Uri("http://nothing.invalid/feed"), null, null, CancellationToken.None);

        Assert.Equal(FetchOutcome.Failed, result.Outcome);
        Assert.Equal("The host nothing.invalid was not found (it has no address in DNS).", result.Error);
        Assert.False(result.Permanent);
    }

    [Fact]
    public async Task A_port_nothing_listens_on_fails_with_words()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var fetcher = Fetcher();

        var result = await fetcher.FetchAsync(new Uri($"http://127.0.0.1:{port}/feed"), null, null, CancellationToken.None);

        Assert.Equal(FetchOutcome.Failed, result.Outcome);
        Assert.Equal($"127.0.0.1 refused the connection on port {port}.", result.Error);
        Assert.Null(result.StatusCode);
    }

    [Fact]
    public async Task A_url_of_another_scheme_is_refused_without_a_request()
    {
        using var fetcher = Fetcher();

        var result = await fetcher.FetchAsync(new Uri("file:///etc/passwd"), null, null, CancellationToken.None);

        Assert.Equal(FetchOutcome.Failed, result.Outcome);
        Assert.True(result.Permanent);
        Assert.Contains("Tidings fetches only http and https", result.Error);
    }

    /// <summary>
    /// A gzip stream of zeros that never ends: its start, then a piece that can follow it (and itself) any number of
    /// times, each piece a megabyte of zeros in about a kilobyte. A flush ends each piece on a byte boundary.
    /// </summary>
    private static (byte[] Start, byte[] Repeat) EndlessZeros()
    {
        var zeros = new byte[1024 * 1024];
        using var output = new MemoryStream();
        using var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true);
        gzip.Write(zeros);
        gzip.Flush();
        var start = output.ToArray();
        gzip.Write(zeros);
        gzip.Flush();
        return (start, output.ToArray()[start.Length..]);
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
