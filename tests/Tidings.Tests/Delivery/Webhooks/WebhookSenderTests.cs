using System.Text;
using Microsoft.AspNetCore.Http;
using Tidings.Delivery.Webhooks;
using Tidings.Monitoring.Fetching;
using Tidings.Tests.Monitoring;

namespace Tidings.Tests.Delivery.Webhooks;

/// <summary>Delivering to a receiver on loopback that checks what it gets as a Standard Webhooks receiver does.</summary>
public sealed class WebhookSenderTests : IAsyncLifetime
{
    private static readonly FetchSettings Loopback = FetchSettings.Default with { AllowPrivateAddresses = true, Timeout = TimeSpan.FromSeconds(2) };

    private LoopbackSite _site = null!;
    private readonly List<(IHeaderDictionary Headers, string Body)> _received = [];

    public async Task InitializeAsync() => _site = await LoopbackSite.StartAsync();

    public async Task DisposeAsync() => await _site.DisposeAsync();

    [Fact]
    public async Task A_json_delivery_is_signed_so_a_receiver_verifies_it_and_keeps_its_id_on_a_retry()
    {
        var secret = WebhookSecret.New();
        Receive("/hook", 200, "thanks");
        using var sender = new WebhookSender(Loopback);
        var body = WebhookPayload.For("event.created", DateTimeOffset.UtcNow, new { title = "Acme raises $5M" });

        var first = await sender.SendAsync(_site.Url("/hook").AbsoluteUri, WebhookFormats.Json, new WebhookSigningSecrets(secret), "msg_one", body, default);
        var second = await sender.SendAsync(_site.Url("/hook").AbsoluteUri, WebhookFormats.Json, new WebhookSigningSecrets(secret), "msg_one", body, default);

        Assert.True(first.Delivered && second.Delivered);
        Assert.Equal((200, "thanks"), (first.StatusCode!.Value, first.ResponseExcerpt));
        Assert.All(_received, r =>
        {
            Assert.Equal(body, r.Body);
            Assert.Equal("msg_one", r.Headers["webhook-id"].ToString());
            Assert.True(WebhookSignature.Verify(r.Headers["webhook-id"]!, r.Headers["webhook-timestamp"]!, r.Body, r.Headers["webhook-signature"]!, secret, DateTimeOffset.UtcNow));
            Assert.False(WebhookSignature.Verify(r.Headers["webhook-id"]!, r.Headers["webhook-timestamp"]!, r.Body + " ", r.Headers["webhook-signature"]!, secret, DateTimeOffset.UtcNow));
            Assert.StartsWith("Tidings", r.Headers.UserAgent.ToString());
        });
    }

    [Fact]
    public async Task During_a_rotation_either_secret_verifies_and_a_slack_message_goes_unsigned()
    {
        var (old, next) = (WebhookSecret.New(), WebhookSecret.New());
        var secrets = new WebhookSigningSecrets(old).Rotated(next, DateTimeOffset.UtcNow, WebhookSigningSecrets.DefaultGrace);
        Receive("/hook", 204, "");
        using var sender = new WebhookSender(Loopback);

        Assert.True((await sender.SendAsync(_site.Url("/hook").AbsoluteUri, WebhookFormats.Json, secrets, "msg_rot", "{}", default)).Delivered);
        Assert.True((await sender.SendAsync(_site.Url("/hook").AbsoluteUri, WebhookFormats.Slack, secrets, "msg_slack", """{"text":"hi"}""", default)).Delivered);

        var signed = _received[0];
        foreach (var secret in new[] { old, next })
            Assert.True(WebhookSignature.Verify("msg_rot", signed.Headers["webhook-timestamp"]!, "{}", signed.Headers["webhook-signature"]!, secret, DateTimeOffset.UtcNow));
        Assert.False(_received[1].Headers.ContainsKey("webhook-signature"));
    }

    [Fact]
    public async Task A_refusing_receiver_is_a_failure_in_words_with_a_bounded_excerpt_and_410_is_permanent()
    {
        Receive("/down", 503, new string('x', 5000), ("Retry-After", "120"));
        Receive("/gone", 410, "gone");
        Receive("/moved", 301, "", ("Location", "http://127.0.0.1:1/elsewhere"));
        using var sender = new WebhookSender(Loopback);

        var down = await sender.SendAsync(_site.Url("/down").AbsoluteUri, WebhookFormats.Json, new WebhookSigningSecrets(WebhookSecret.New()), "msg_d", "{}", default);
        var gone = await sender.SendAsync(_site.Url("/gone").AbsoluteUri, WebhookFormats.Json, new WebhookSigningSecrets(WebhookSecret.New()), "msg_g", "{}", default);
        var moved = await sender.SendAsync(_site.Url("/moved").AbsoluteUri, WebhookFormats.Json, new WebhookSigningSecrets(WebhookSecret.New()), "msg_m", "{}", default);

        Assert.Equal((false, 503, false, TimeSpan.FromSeconds(120)), (down.Delivered, down.StatusCode!.Value, down.Permanent, down.RetryAfter!.Value));
        Assert.Contains("503", down.Error);
        Assert.Equal(WebhookSender.MaxExcerptBytes, down.ResponseExcerpt!.Length);
        Assert.True(gone.Permanent);
        Assert.Contains("redirects", moved.Error);
        Assert.Empty(_site.RequestsFor("/elsewhere"));
    }

    [Fact]
    public async Task A_silent_or_closed_receiver_and_a_refused_address_fail_in_words()
    {
        _site.Serve("/slow", async context => await Task.Delay(TimeSpan.FromSeconds(10), context.RequestAborted));
        using var sender = new WebhookSender(Loopback);
        using var strict = new WebhookSender(FetchSettings.Default);
        var secrets = new WebhookSigningSecrets(WebhookSecret.New());

        var slow = await sender.SendAsync(_site.Url("/slow").AbsoluteUri, WebhookFormats.Json, secrets, "msg_s", "{}", default);
        var closed = await sender.SendAsync("http://127.0.0.1:1/hook", WebhookFormats.Json, secrets, "msg_c", "{}", default);
        var refused = await strict.SendAsync(_site.Url("/hook").AbsoluteUri, WebhookFormats.Json, secrets, "msg_r", "{}", default);

        Assert.Contains("No answer within 2 seconds", slow.Error);
        Assert.Contains("refused the connection", closed.Error);
        Assert.True(refused.Permanent);
        Assert.Contains("127.0.0.1", refused.Error);
        Assert.Empty(_site.RequestsFor("/hook"));
    }

    private void Receive(string path, int status, string answer, params (string Name, string Value)[] headers) =>
        _site.Serve(path, async context =>
        {
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            lock (_received)
                _received.Add((new HeaderDictionary(context.Request.Headers.ToDictionary(h => h.Key, h => h.Value)), body));
            context.Response.StatusCode = status;
            foreach (var (name, value) in headers)
                context.Response.Headers[name] = value;
            if (answer.Length > 0)
                await context.Response.WriteAsync(answer);
        });
}
