using Tidings.Delivery.Webhooks;

namespace Tidings.Tests.Delivery.Webhooks;

public sealed class WebhookSecretTests
{
    [Fact]
    public void New_secrets_are_prefixed_distinct_and_decode_to_32_bytes()
    {
        var secrets = Enumerable.Range(0, 50).Select(_ => WebhookSecret.New()).ToList();

        Assert.Equal(secrets.Count, secrets.Distinct().Count());
        Assert.All(secrets, secret =>
        {
            Assert.StartsWith("whsec_", secret);
            Assert.Equal(32, Convert.FromBase64String(secret["whsec_".Length..]).Length);
            Assert.Equal(32, WebhookSecret.KeyOf(secret).Length);
        });
    }

    [Fact]
    public void The_key_of_the_specification_secret_is_its_24_decoded_bytes()
    {
        Assert.Equal(Convert.FromBase64String("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), WebhookSecret.KeyOf("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));
    }

    [Theory]
    [InlineData("whsec_not base64 at all!")]
    [InlineData("whsec_")]
    [InlineData("whsec_c2hvcnQ=")]
    [InlineData("hunter2")]
    public void A_bad_secret_is_refused_with_a_message_that_says_what_a_secret_is_and_does_not_repeat_it(string secret)
    {
        var error = Assert.Throws<FormatException>(() => WebhookSecret.KeyOf(secret));

        Assert.Contains("webhook secret", error.Message);
        Assert.DoesNotContain(secret["whsec_".Length..] is { Length: > 0 } rest ? rest : secret, error.Message);
    }

    [Fact]
    public void A_key_longer_than_64_bytes_is_refused()
    {
        var error = Assert.Throws<FormatException>(() => WebhookSecret.KeyOf("whsec_" + Convert.ToBase64String(new byte[65])));

        Assert.Contains("65", error.Message);
    }

    [Fact]
    public void A_bad_secret_makes_signing_and_verifying_throw_rather_than_quietly_fail()
    {
        Assert.Throws<FormatException>(() => WebhookSignature.Sign("msg_1", 1, "{}", ["whsec_!!"]));
        Assert.Throws<FormatException>(() => WebhookSignature.Verify("msg_1", "1", "{}", "v1,AAAA", "whsec_!!", DateTimeOffset.FromUnixTimeSeconds(1)));
    }
}
