using Tidings.Delivery.Webhooks;

namespace Tidings.Tests.Delivery.Webhooks;

public sealed class WebhookSignatureTests
{
    // The vector the Standard Webhooks reference libraries test against (and openssl reproduces).
    private const string VectorSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private const string VectorId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private const long VectorTimestamp = 1614265330;
    private const string VectorBody = """{"test": 2432232314}""";
    private const string VectorSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
    private static readonly DateTimeOffset VectorTime = DateTimeOffset.FromUnixTimeSeconds(VectorTimestamp);

    private static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private const string Body = """{"type":"event.created","timestamp":"2025-06-01T11:59:58Z","data":{"id":42}}""";
    private const string Id = "msg_42";

    [Fact]
    public void Signing_the_specification_vector_gives_its_published_signature()
    {
        Assert.Equal(VectorSignature, WebhookSignature.Sign(VectorId, VectorTimestamp, VectorBody, [VectorSecret]));
    }

    [Fact]
    public void A_secret_without_its_prefix_signs_the_same_as_with_it()
    {
        Assert.Equal(VectorSignature, WebhookSignature.Sign(VectorId, VectorTimestamp, VectorBody, ["MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"]));
    }

    [Fact]
    public void The_specification_vector_verifies_among_other_signatures_and_not_outside_its_time()
    {
        var header = "v1,bm9wZQ== v1a,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE= " + VectorSignature;
        Assert.True(WebhookSignature.Verify(VectorId, "1614265330", VectorBody, header, VectorSecret, VectorTime.AddMinutes(4)));
        Assert.False(WebhookSignature.Verify(VectorId, "1614265330", VectorBody, header, VectorSecret, VectorTime.AddMinutes(6)));
    }

    [Fact]
    public void A_signed_body_verifies_with_the_same_secret()
    {
        var secret = WebhookSecret.New();
        var headers = WebhookHeaders.For(Id, Now, Body, [secret]);

        Assert.StartsWith("v1,", headers.Signature);
        Assert.True(WebhookSignature.Verify(headers.Id, headers.Timestamp, Body, headers.Signature, secret, Now.AddSeconds(3)));
    }

    [Fact]
    public void Verification_fails_when_the_body_changes_even_by_a_space()
    {
        var secret = WebhookSecret.New();
        var headers = WebhookHeaders.For(Id, Now, Body, [secret]);

        Assert.False(WebhookSignature.Verify(Id, headers.Timestamp, Body.Replace("42", "43"), headers.Signature, secret, Now));
        Assert.False(WebhookSignature.Verify(Id, headers.Timestamp, Body + " ", headers.Signature, secret, Now));
    }

    [Fact]
    public void Verification_fails_when_the_id_or_the_timestamp_header_changes()
    {
        var secret = WebhookSecret.New();
        var headers = WebhookHeaders.For(Id, Now, Body, [secret]);

        Assert.False(WebhookSignature.Verify("msg_43", headers.Timestamp, Body, headers.Signature, secret, Now));
        var oneSecondLater = (Now.ToUnixTimeSeconds() + 1).ToString();
        Assert.False(WebhookSignature.Verify(Id, oneSecondLater, Body, headers.Signature, secret, Now));
    }

    [Fact]
    public void Verification_fails_with_another_secret()
    {
        var headers = WebhookHeaders.For(Id, Now, Body, [WebhookSecret.New()]);

        Assert.False(WebhookSignature.Verify(Id, headers.Timestamp, Body, headers.Signature, WebhookSecret.New(), Now));
    }

    [Fact]
    public void Verification_fails_for_a_timestamp_older_than_the_tolerance_and_passes_just_inside_it()
    {
        var secret = WebhookSecret.New();
        var headers = WebhookHeaders.For(Id, Now, Body, [secret]);

        Assert.True(WebhookSignature.Verify(Id, headers.Timestamp, Body, headers.Signature, secret, Now.AddMinutes(5)));
        Assert.False(WebhookSignature.Verify(Id, headers.Timestamp, Body, headers.Signature, secret, Now.AddMinutes(5).AddSeconds(1)));
        Assert.False(WebhookSignature.Verify(Id, headers.Timestamp, Body, headers.Signature, secret, Now.AddMinutes(2), TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public void Verification_fails_for_a_timestamp_further_ahead_than_the_tolerance()
    {
        var secret = WebhookSecret.New();
        var headers = WebhookHeaders.For(Id, Now, Body, [secret]);

        Assert.True(WebhookSignature.Verify(Id, headers.Timestamp, Body, headers.Signature, secret, Now.AddMinutes(-5)));
        Assert.False(WebhookSignature.Verify(Id, headers.Timestamp, Body, headers.Signature, secret, Now.AddMinutes(-5).AddSeconds(-1)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("soon")]
    [InlineData("-1748779200")]
    [InlineData("+1748779200")]
    [InlineData(" 1748779200")]
    [InlineData("99999999999999999999")]
    public void Verification_fails_for_a_timestamp_header_that_is_not_unix_seconds(string timestamp)
    {
        var secret = WebhookSecret.New();
        var signature = WebhookSignature.Sign(Id, Now.ToUnixTimeSeconds(), Body, [secret]);

        Assert.False(WebhookSignature.Verify(Id, timestamp, Body, signature, secret, Now));
    }

    [Theory]
    [InlineData("")]
    [InlineData("v1")]
    [InlineData("v1,")]
    [InlineData("v1,not base64!")]
    [InlineData("v2,{0}")]
    [InlineData("{0}")]
    public void Verification_fails_for_a_signature_header_without_a_matching_v1_signature(string template)
    {
        var secret = WebhookSecret.New();
        var timestamp = Now.ToUnixTimeSeconds();
        var bare = WebhookSignature.Sign(Id, timestamp, Body, [secret])["v1,".Length..];

        var header = string.Format(template, bare);
        Assert.False(WebhookSignature.Verify(Id, timestamp.ToString(), Body, header, secret, Now));
    }

    [Fact]
    public void Two_secrets_give_two_signatures_and_either_secret_verifies()
    {
        var (current, previous) = (WebhookSecret.New(), WebhookSecret.New());
        var headers = WebhookHeaders.For(Id, Now, Body, [current, previous]);

        var signatures = headers.Signature.Split(' ');
        Assert.Equal(2, signatures.Length);
        Assert.All(signatures, s => Assert.StartsWith("v1,", s));
        Assert.NotEqual(signatures[0], signatures[1]);
        Assert.Equal(signatures[0], WebhookSignature.Sign(Id, Now.ToUnixTimeSeconds(), Body, [current]));
        Assert.True(WebhookSignature.Verify(Id, headers.Timestamp, Body, headers.Signature, current, Now));
        Assert.True(WebhookSignature.Verify(Id, headers.Timestamp, Body, headers.Signature, previous, Now));
        Assert.False(WebhookSignature.Verify(Id, headers.Timestamp, Body, headers.Signature, WebhookSecret.New(), Now));
    }

    [Fact]
    public void Signing_with_no_secret_is_refused()
    {
        Assert.Throws<ArgumentException>(() => WebhookSignature.Sign(Id, Now.ToUnixTimeSeconds(), Body, []));
    }

    [Theory]
    [InlineData("")]
    [InlineData("msg.42")]
    [InlineData("msg 42")]
    [InlineData("msg_42\r\nx-evil: 1")]
    public void A_message_id_with_a_full_stop_space_or_control_is_refused(string id)
    {
        Assert.Throws<ArgumentException>(() => WebhookSignature.Sign(id, Now.ToUnixTimeSeconds(), Body, [WebhookSecret.New()]));
    }

    [Fact]
    public void A_body_with_text_beyond_ascii_is_signed_as_utf8()
    {
        var secret = WebhookSecret.New();
        const string body = """{"title":"Société Générale lève 10 M€ 🚀"}""";
        var signature = WebhookSignature.Sign(Id, Now.ToUnixTimeSeconds(), body, [secret]);

        var expected = Convert.ToBase64String(System.Security.Cryptography.HMACSHA256.HashData(
            WebhookSecret.KeyOf(secret), System.Text.Encoding.UTF8.GetBytes($"{Id}.{Now.ToUnixTimeSeconds()}.{body}")));
        Assert.Equal("v1," + expected, signature);
        Assert.True(WebhookSignature.Verify(Id, Now.ToUnixTimeSeconds().ToString(), body, signature, secret, Now));
    }
}
