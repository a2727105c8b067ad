using System.Net;
using Tidings.Monitoring.Fetching;

namespace Tidings.Tests.Monitoring.Fetching;

public sealed class AddressRulesTests
{
    [Theory]
    [InlineData("169.254.169.254")]
    [InlineData("10.0.0.5")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.255")]
    [InlineData("192.168.1.1")]
    [InlineData("127.0.0.1")]
    [InlineData("127.1.2.3")]
    [InlineData("100.64.0.1")]
    [InlineData("0.0.0.0")]
    [InlineData("0.1.2.3")]
    [InlineData("224.0.0.1")]
    [InlineData("239.255.255.250")]
    [InlineData("255.255.255.255")]
    [InlineData("192.0.2.10")]
    [InlineData("::1")]
    [InlineData("::")]
    [InlineData("fe80::1")]
    [InlineData("fc00::1")]
    [InlineData("fd12:3456::1")]
    [InlineData("ff02::1")]
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("::ffff:169.254.169.254")]
    [InlineData("64:ff9b::a9fe:a9fe")]
    [InlineData("2002:7f00:1::1")]
    [InlineData("2001:db8::1")]
    public void Addresses_off_the_public_internet_are_refused(string address) =>
        Assert.True(AddressRules.IsRefused(IPAddress.Parse(address)));

    [Theory]
    [InlineData("93.184.216.34")]
    [InlineData("8.8.8.8")]
    [InlineData("172.32.0.1")]
    [InlineData("100.128.0.1")]
    [InlineData("2606:4700::1111")]
    [InlineData("::ffff:93.184.216.34")]
    [InlineData("2002:5db8:d822::1")]
    public void Public_addresses_are_allowed(string address) =>
        Assert.False(AddressRules.IsRefused(IPAddress.Parse(address)));

    [Theory]
    [InlineData("ftp://x", "uses ftp; Tidings fetches only http and https")]
    [InlineData("file:///etc/passwd", "uses file; Tidings fetches only http and https")]
    [InlineData("http://localhost/", "localhost resolves to")]
    [InlineData("http://127.0.0.1:8080/feed", "The address 127.0.0.1 is loopback")]
    [InlineData("http://169.254.169.254/latest/meta-data", "The address 169.254.169.254 is link-local")]
    [InlineData("http://[::1]/", "The address ::1 is loopback")]
    [InlineData("https://10.0.0.5/", "The address 10.0.0.5 is private")]
    public async Task Adding_a_source_at_a_refused_address_or_scheme_is_refused_in_words(string url, string words)
    {
        var refusal = await AddressRules.RefusalAsync(new Uri(url), allowPrivate: false, CancellationToken.None);

        Assert.NotNull(refusal);
        Assert.Contains(words, refusal);
    }

    [Fact]
    public async Task A_host_that_does_not_resolve_is_refused_in_words()
    {
        var refusal = await AddressRules.RefusalAsync(new Uri("http://nothing.invalid/"), allowPrivate: false, CancellationToken.None);

        Assert.Equal("The host nothing.invalid was not found (it has no address in DNS).", refusal);
    }

    [Theory]
    [InlineData("https://93.184.216.34/feed")]
    [InlineData("http://[2606:4700::1111]/rss")]
    public async Task A_public_address_is_accepted(string url) =>
        Assert.Null(await AddressRules.RefusalAsync(new Uri(url), allowPrivate: false, CancellationToken.None));

    [Fact]
    public async Task Allowing_private_addresses_lets_loopback_in_but_not_other_schemes()
    {
        Assert.Null(await AddressRules.RefusalAsync(new Uri("http://localhost:5080/feed"), allowPrivate: true, CancellationToken.None));
        Assert.NotNull(await AddressRules.RefusalAsync(new Uri("ftp://localhost/feed"), allowPrivate: true, CancellationToken.None));
    }
}
