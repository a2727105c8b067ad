using System.Collections.Concurrent;
using System.IO.Compression;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Tidings.Tests.Monitoring;

/// <summary>
/// A web site on 127.0.0.1 (a free port) for the monitor's tests: each path answers what the test put in its table
/// (an unknown path answers 404), and every request is recorded with its headers. Disposing stops it.
/// </summary>
public sealed class LoopbackSite : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Func<HttpContext, Task>> _routes = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<ReceivedRequest> _requests = new();
    private WebApplication _app = null!;

    public Uri BaseAddress { get; private set; } = null!;

    public IReadOnlyList<ReceivedRequest> Requests => _requests.ToList();

    public static async Task<LoopbackSite> StartAsync()
    {
        var site = new LoopbackSite();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        site._app = builder.Build();
        site._app.Run(site.AnswerAsync);
        await site._app.StartAsync();
        var address = site._app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        site.BaseAddress = new Uri(address);
        return site;
    }

    /// <summary>This site's address for <paramref name="path"/>, optionally under another host name (localhost) or scheme.</summary>
    public Uri Url(string path, string? host = null, string scheme = "http") =>
        new UriBuilder(BaseAddress) { Host = host ?? BaseAddress.Host, Scheme = scheme, Path = path }.Uri;

    public void Serve(string path, SitePage page) => _routes[path] = context => page.WriteAsync(context);

    public void Serve(string path, Func<HttpContext, Task> answer) => _routes[path] = answer;

    public IReadOnlyList<ReceivedRequest> RequestsFor(string path) => Requests.Where(r => r.Path == path).ToList();

    private async Task AnswerAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        _requests.Enqueue(new ReceivedRequest(path, context.Request.QueryString.Value ?? "",
            context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase)));
        if (_routes.TryGetValue(path, out var answer))
            await answer(context);
        else
            context.Response.StatusCode = StatusCodes.Status404NotFound;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}

public sealed record ReceivedRequest(string Path, string Query, IReadOnlyDictionary<string, string> Headers)
{
    public string? Header(string name) => Headers.GetValueOrDefault(name);
}

/// <summary>One answer of a <see cref="LoopbackSite"/>: status, headers, body, optionally compressed ("gzip" or "br") on the way out.</summary>
public sealed record SitePage(int Status, byte[] Body, string? ContentType = null, IReadOnlyDictionary<string, string>? Headers = null, string? Encoding = null)
{
    public static SitePage Text(string body, string contentType = "text/html; charset=utf-8", int status = 200, string? encoding = null, params (string Name, string Value)[] headers) =>
        new(status, System.Text.Encoding.UTF8.GetBytes(body), contentType, headers.ToDictionary(h => h.Name, h => h.Value), encoding);

    public static SitePage WithStatus(int status, params (string Name, string Value)[] headers) =>
        new(status, [], null, headers.ToDictionary(h => h.Name, h => h.Value));

    public static SitePage Redirect(string location, int status = 302) => WithStatus(status, ("Location", location));

    internal async Task WriteAsync(HttpContext context)
    {
        context.Response.StatusCode = Status;
        foreach (var (name, value) in Headers ?? new Dictionary<string, string>())
            context.Response.Headers[name] = value;
        if (ContentType is not null)
            context.Response.ContentType = ContentType;
        var body = Body;
        if (Encoding is not null)
        {
            context.Response.Headers.ContentEncoding = Encoding;
            body = Compress(body, Encoding);
        }
        if (body.Length > 0)
            await context.Response.Body.WriteAsync(body);
    }

    public static byte[] Compress(byte[] body, string encoding)
    {
        using var compressed = new MemoryStream();
        using (Stream compressor = encoding == "br"
                   ? new BrotliStream(compressed, CompressionLevel.Optimal)
                   : new GZipStream(compressed, CompressionLevel.Optimal))
            compressor.Write(body);
        return compressed.ToArray();
    }
}
