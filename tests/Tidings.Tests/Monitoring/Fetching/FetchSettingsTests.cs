using Microsoft.Extensions.Configuration;
using Tidings.Data;
using Tidings.Monitoring.Fetching;

namespace Tidings.Tests.Monitoring.Fetching;

public sealed class FetchSettingsTests
{
    private static IConfiguration Configuration(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Fact]
    public void Without_settings_a_fetch_takes_at_most_20_seconds_5_MiB_and_5_redirects_from_public_addresses_naming_Tidings()
    {
        var settings = FetchSettings.From(Configuration());

        Assert.Equal(TimeSpan.FromSeconds(20), settings.Timeout);
        Assert.Equal(5 * 1024 * 1024, settings.MaxBodyBytes);
        Assert.Equal(5, settings.MaxRedirects);
        Assert.False(settings.AllowPrivateAddresses);
        Assert.StartsWith("Tidings/", settings.UserAgent);
    }

    [Fact]
    public void The_monitoring_section_sets_timeout_size_private_addresses_and_user_agent()
    {
        var settings = FetchSettings.From(Configuration(
            ("Monitoring:Timeout", "00:00:07.5"), ("Monitoring:MaxBodyBytes", "1048576"),
            ("Monitoring:AllowPrivateAddresses", "true"), ("Monitoring:UserAgent", "Tidings/2.0 (ops@example.test)")));

        Assert.Equal(TimeSpan.FromSeconds(7.5), settings.Timeout);
        Assert.Equal(1048576, settings.MaxBodyBytes);
        Assert.True(settings.AllowPrivateAddresses);
        Assert.Equal("Tidings/2.0 (ops@example.test)", settings.UserAgent);
    }

    [Theory]
    [InlineData("Monitoring:Timeout", "soon")]
    [InlineData("Monitoring:Timeout", "00:00:00")]
    [InlineData("Monitoring:Timeout", "01:00:00")]
    [InlineData("Monitoring:MaxBodyBytes", "5MB")]
    [InlineData("Monitoring:MaxBodyBytes", "-1")]
    [InlineData("Monitoring:MaxBodyBytes", "10")]
    [InlineData("Monitoring:AllowPrivateAddresses", "sometimes")]
    [InlineData("Monitoring:UserAgent", "Tidings\n1.0")]
    public void A_bad_value_is_refused_in_one_line_naming_the_setting(string key, string value)
    {
        var e = Assert.Throws<InvalidConfigurationException>(() => FetchSettings.From(Configuration((key, value))));

        Assert.Contains(key, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
