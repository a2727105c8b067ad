using Tidings.Delivery.Webhooks;

namespace Tidings.Tests.Delivery.Webhooks;

public sealed class WebhookSigningSecretsTests
{
    private static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_rotated_secret_keeps_signing_beside_the_new_one_until_its_grace_period_ends()
    {
        var (first, second) = (WebhookSecret.New(), WebhookSecret.New());
        var secrets = new WebhookSigningSecrets(first).Rotated(second, Now, TimeSpan.FromHours(24));

        Assert.Equal([second, first], secrets.ActiveAt(Now.AddHours(23)));
        Assert.Equal([second], secrets.ActiveAt(Now.AddHours(24)));

        var during = WebhookHeaders.For("msg_1", Now.AddHours(1), "{}", secrets.ActiveAt(Now.AddHours(1)));
        Assert.True(WebhookSignature.Verify("msg_1", during.Timestamp, "{}", during.Signature, first, Now.AddHours(1)));
        var after = WebhookHeaders.For("msg_2", Now.AddHours(25), "{}", secrets.ActiveAt(Now.AddHours(25)));
        Assert.False(WebhookSignature.Verify("msg_2", after.Timestamp, "{}", after.Signature, first, Now.AddHours(25)));
        Assert.True(WebhookSignature.Verify("msg_2", after.Timestamp, "{}", after.Signature, second, Now.AddHours(25)));
    }

    [Fact]
    public void Rotating_again_ends_the_oldest_secret_at_once()
    {
        var (first, second, third) = (WebhookSecret.New(), WebhookSecret.New(), WebhookSecret.New());
        var secrets = new WebhookSigningSecrets(first)
            .Rotated(second, Now, WebhookSigningSecrets.DefaultGrace)
            .Rotated(third, Now.AddMinutes(1), WebhookSigningSecrets.DefaultGrace);

        Assert.Equal([third, second], secrets.ActiveAt(Now.AddMinutes(2)));
    }

    [Fact]
    public void Rotating_to_a_bad_secret_is_refused()
    {
        Assert.Throws<FormatException>(() => new WebhookSigningSecrets(WebhookSecret.New()).Rotated("whsec_short", Now, TimeSpan.FromHours(1)));
    }
}
