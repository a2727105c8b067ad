using System.Globalization;
using System.Security;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Tidings.Bench.Monitor;

/// <summary>One published item as the farm serves it and the loader stores it.</summary>
public sealed record PublishedItem(int Number, FarmItem Item, string Link, DateTime Published);

/// <summary>
/// The feeds the monitor under test reads, on loopback: `/feeds/{n}.xml`, RSS 2.0 with the latest
/// <see cref="ItemsPerFeed"/> items of feed n, whose client is feed n / <see cref="FeedsPerClient"/>. Each feed has a
/// generation: <see cref="Change"/> moves some feeds on by one, which publishes <see cref="NewPerChange"/> items at the
/// top and drops as many from the bottom. The strong ETag names the generation, and a matching If-None-Match gets a
/// 304, as a well-behaved publisher answers. It runs in the bench process, apart from the monitor's processes, so the
/// CPU it spends is measured apart from theirs.
/// </summary>
public sealed class FeedFarm : IAsyncDisposable
{
    public const int ItemsPerFeed = 20;
    public const int FeedsPerClient = 5;
    public const int NewPerChange = 2;

    private readonly WebApplication _app;
    private readonly int[] _generations;
    private readonly DateTime _epoch;
    private int _changes;
    private long _served, _notModified;

    public Uri BaseAddress { get; }
    public int Feeds => _generations.Length;
    public long Served => Interlocked.Read(ref _served);
    public long NotModified => Interlocked.Read(ref _notModified);

    private FeedFarm(WebApplication app, int feeds, DateTime epoch, Uri baseAddress)
    {
        _app = app;
        _generations = new int[feeds];
        _epoch = epoch;
        BaseAddress = baseAddress;
    }

    public static async Task<FeedFarm> StartAsync(int feeds, CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        FeedFarm? farm = null;
        app.MapGet("/feeds/{name}", (string name, HttpContext http) => farm!.Answer(name, http));
        await app.StartAsync(ct);
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        // Items are dated before the run, so none is "in the future" when stored.
        farm = new FeedFarm(app, feeds, DateTime.UtcNow.AddDays(-10), new Uri(address));
        return farm;
    }

    public static int ClientOf(int feed) => feed / FeedsPerClient;

    public static string ClientDomain(int client) => $"client{client}.bench.example";

    public string FeedUrl(int feed) => new Uri(BaseAddress, $"/feeds/{feed}.xml").AbsoluteUri;

    public static string FeedTitle(int feed) =>
        feed % FeedsPerClient == 0 ? $"{FarmHeadlines.ClientName(ClientOf(feed))} newsroom" : $"Trade Wire {feed % FeedsPerClient}";

    public static string ETagOf(int feed, int generation) => $"\"f{feed}-g{generation}\"";

    public string ETagOf(int feed) => ETagOf(feed, Volatile.Read(ref _generations[feed]));

    /// <summary>The feed's items at its current generation, newest first.</summary>
    public IReadOnlyList<PublishedItem> Items(int feed)
    {
        var generation = Volatile.Read(ref _generations[feed]);
        var client = ClientOf(feed);
        var name = FarmHeadlines.ClientName(client);
        // The client's newsroom links to its own domain (press releases); the trade wires to theirs.
        var host = feed % FeedsPerClient == 0 ? ClientDomain(client) : $"wire{feed % FeedsPerClient}.bench.example";
        var newest = generation * NewPerChange + ItemsPerFeed - 1;
        return Enumerable.Range(0, ItemsPerFeed).Select(k => newest - k)
            .Select(n => new PublishedItem(n, FarmHeadlines.Item(feed, n, name), $"https://{host}/news/{feed}/{n}", _epoch.AddHours(n)))
            .ToList();
    }

    /// <summary>
    /// Moves one feed in ten on by a generation (a different tenth each time), as publishers do between two polls;
    /// answers how many feeds changed.
    /// </summary>
    public int Change()
    {
        var tenth = _changes++ % 10;
        var changed = 0;
        for (var feed = tenth; feed < _generations.Length; feed += 10, changed++)
            Interlocked.Increment(ref _generations[feed]);
        return changed;
    }

    private IResult Answer(string name, HttpContext http)
    {
        if (!name.EndsWith(".xml", StringComparison.Ordinal)
            || !int.TryParse(name.AsSpan(0, name.Length - 4), NumberStyles.None, CultureInfo.InvariantCulture, out var feed)
            || feed >= _generations.Length)
            return Results.NotFound();
        var etag = ETagOf(feed);
        http.Response.Headers.ETag = etag;
        if (http.Request.Headers.IfNoneMatch.Contains(etag))
        {
            Interlocked.Increment(ref _notModified);
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }
        Interlocked.Increment(ref _served);
        return Results.Text(Rss(feed), "application/rss+xml; charset=utf-8", Encoding.UTF8);
    }

    private string Rss(int feed)
    {
        var rss = new StringBuilder(8_192);
        rss.Append("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\"><channel><title>")
            .Append(SecurityElement.Escape(FeedTitle(feed))).Append("</title><link>").Append(BaseAddress).Append("</link><description>News</description>\n");
        foreach (var (_, item, link, published) in Items(feed))
            rss.Append("<item><title>").Append(SecurityElement.Escape(item.Title)).Append("</title><link>").Append(link)
                .Append("</link><guid isPermaLink=\"true\">").Append(link).Append("</guid><description>").Append(SecurityElement.Escape(item.Description))
                .Append("</description><pubDate>").Append(published.ToString("r", CultureInfo.InvariantCulture)).Append("</pubDate></item>\n");
        return rss.Append("</channel></rss>\n").ToString();
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
