using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using Tidings.Delivery.Webhooks;
using Tidings.Tests.Monitoring;

namespace Tidings.Tests.Delivery.Outbox;

/// <summary>
/// A receiver on the test's loopback site that checks each message as a Standard Webhooks receiver does (signature over
/// id.timestamp.body with the endpoint's secret, timestamp within five minutes) and keeps what it got; it answers with
/// the statuses it is told, in turn, then 200.
/// </summary>
public sealed class WebhookReceiver
{
    private readonly ConcurrentQueue<Received> _received = new();
    private readonly ConcurrentQueue<int> _answers = new();

    public WebhookReceiver(LoopbackSite site, string path)
    {
        Url = site.Url(path).AbsoluteUri;
        site.Serve(path, async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            var headers = context.Request.Headers;
            _received.Enqueue(new Received(headers["webhook-id"].ToString(), headers["webhook-timestamp"].ToString(), headers["webhook-signature"].ToString(),
                body, headers.ContentType.ToString()));
            context.Response.StatusCode = _answers.TryDequeue(out var status) ? status : 200;
            await context.Response.WriteAsync(context.Response.StatusCode == 200 ? "ok" : "not now");
        });
    }

    public string Url { get; }

    public IReadOnlyList<Received> Messages => _received.ToList();

    public void AnswerNext(params int[] statuses)
    {
        foreach (var status in statuses)
            _answers.Enqueue(status);
    }

    /// <summary>Verified with the specification's algorithm against <paramref name="secret"/>.</summary>
    public bool Verifies(Received message, string secret) =>
        WebhookSignature.Verify(message.Id, message.Timestamp, message.Body, message.Signature, secret, DateTimeOffset.UtcNow);

    public sealed record Received(string Id, string Timestamp, string Signature, string Body, string ContentType);
}
