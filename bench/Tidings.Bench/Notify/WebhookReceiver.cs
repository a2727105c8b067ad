using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Tidings.Bench.Notify;

/// <summary>
/// One webhook as the receiver got it: its webhook-id header, the event it is about (data.id of the body), whether it
/// came signed, and when it arrived (a Stopwatch timestamp of the bench process, comparable with the posting side's).
/// </summary>
public sealed record Arrival(string WebhookId, Guid? EventId, bool Signed, long At);

/// <summary>
/// The endpoint the dispatcher under test delivers to, on loopback: `POST /hooks/{phase}` keeps each arrival of that
/// phase and answers 200 at once, as a receiver that queues what it gets does. Kestrel in the bench process, so the
/// arrival times share a clock with the requests the bench sends the service.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, ConcurrentQueue<Arrival>> _phases = new();

    public Uri BaseAddress { get; }

    private WebhookReceiver(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    public static async Task<WebhookReceiver> StartAsync(CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        WebhookReceiver? receiver = null;
        app.MapPost("/hooks/{phase}", (string phase, HttpContext http) => receiver!.ReceiveAsync(phase, http));
        await app.StartAsync(ct);
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        receiver = new WebhookReceiver(app, new Uri(address));
        return receiver;
    }

    public string UrlFor(string phase) => new Uri(BaseAddress, $"/hooks/{phase}").ToString();

    public int Count(string phase) => _phases.TryGetValue(phase, out var arrivals) ? arrivals.Count : 0;

    public IReadOnlyList<Arrival> Arrivals(string phase) => _phases.TryGetValue(phase, out var arrivals) ? arrivals.ToArray() : [];

    private async Task ReceiveAsync(string phase, HttpContext http)
    {
        var at = Stopwatch.GetTimestamp();
        var request = http.Request;
        Guid? eventId = null;
        try
        {
            using var body = await JsonDocument.ParseAsync(request.Body, cancellationToken: http.RequestAborted);
            if (body.RootElement.TryGetProperty("data", out var data) && data.TryGetProperty("id", out var id) && id.TryGetGuid(out var guid))
                eventId = guid;
        }
        catch (JsonException)
        {
            // Counted all the same: the id header is what the checks are about.
        }
        var signed = request.Headers.ContainsKey("webhook-signature");
        _phases.GetOrAdd(phase, _ => new ConcurrentQueue<Arrival>()).Enqueue(new Arrival(request.Headers["webhook-id"].ToString(), eventId, signed, at));
        http.Response.StatusCode = StatusCodes.Status200OK;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
