using Tidings.Delivery.Webhooks;

namespace Tidings.Tests.Delivery.Webhooks;

public sealed class WebhookHeadersTests
{
    private const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    [Fact]
    public void The_headers_carry_the_id_the_attempt_time_in_unix_seconds_and_the_signature()
    {
        var at = DateTimeOffset.FromUnixTimeSeconds(1614265330).AddMilliseconds(900);

        var headers = WebhookHeaders.For("msg_p5jXN8AQM9LWM0D4loKWxJek", at, """{"test": 2432232314}""", [Secret]);

        Assert.Equal(new WebhookHeaders("msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="), headers);
    }

    [Fact]
    public void A_retry_keeps_the_message_id_and_signs_its_own_timestamp()
    {
        var first = DateTimeOffset.FromUnixTimeSeconds(1_750_000_000);
        var attempt = WebhookHeaders.For("msg_7", first, "{}", [Secret]);
        var retry = WebhookHeaders.For("msg_7", first.AddMinutes(30), "{}", [Secret]);

        Assert.Equal(attempt.Id, retry.Id);
        Assert.NotEqual(attempt.Timestamp, retry.Timestamp);
        Assert.NotEqual(attempt.Signature, retry.Signature);
        Assert.True(WebhookSignature.Verify(retry.Id, retry.Timestamp, "{}", retry.Signature, Secret, first.AddMinutes(30)));
        Assert.False(WebhookSignature.Verify(retry.Id, retry.Timestamp, "{}", attempt.Signature, Secret, first.AddMinutes(30)));
    }

    [Fact]
    public void Applied_to_a_request_the_three_headers_replace_any_already_there()
    {
        var headers = WebhookHeaders.For("msg_8", DateTimeOffset.FromUnixTimeSeconds(1_750_000_000), "{}", [Secret, WebhookSecret.New()]);
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://127.0.0.1/hook");
        request.Headers.TryAddWithoutValidation("webhook-id", "stale");

        headers.ApplyTo(request.Headers);

        Assert.Equal(["msg_8"], request.Headers.GetValues("webhook-id"));
        Assert.Equal(["1750000000"], request.Headers.GetValues("webhook-timestamp"));
        Assert.Equal([headers.Signature], request.Headers.GetValues("webhook-signature"));
        Assert.Contains(' ', headers.Signature);
    }
}
