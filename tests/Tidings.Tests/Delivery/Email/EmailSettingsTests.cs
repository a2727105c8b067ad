using Microsoft.Extensions.Configuration;
using Tidings.Data;
using Tidings.Delivery.Email;

namespace Tidings.Tests.Delivery.Email;

public class EmailSettingsTests
{
    private static IConfiguration Config(params (string Key, string? Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key, v.Value))).Build();

    private static readonly (string, string?)[] Minimal = [("Email:Smtp:Host", "smtp.example.test"), ("Email:From", "tidings@example.test")];

    [Fact]
    public void No_email_section_means_email_is_off()
    {
        Assert.Null(EmailSettings.From(Config()));
    }

    [Fact]
    public void A_host_without_a_from_address_or_a_from_address_without_a_host_means_email_is_off()
    {
        Assert.Null(EmailSettings.From(Config(("Email:Smtp:Host", "smtp.example.test"))));
        Assert.Null(EmailSettings.From(Config(("Email:From", "tidings@example.test"), ("Email:Smtp:Port", "not a port"))));
        Assert.Null(EmailSettings.From(Config(("Email:Smtp:Host", "  "), ("Email:From", "tidings@example.test"))));
    }

    [Fact]
    public void Host_and_from_alone_give_the_defaults()
    {
        var settings = EmailSettings.From(Config(Minimal))!;

        Assert.Equal("smtp.example.test", settings.Host);
        Assert.Equal("tidings@example.test", settings.FromAddress);
        Assert.Null(settings.FromName);
        Assert.Equal(587, settings.Port);
        Assert.Equal(SmtpSecurity.StartTls, settings.Security);
        Assert.Null(settings.Username);
        Assert.Null(settings.Password);
        Assert.Equal(TimeSpan.FromSeconds(30), settings.Timeout);
        Assert.Equal("http://127.0.0.1:5080", settings.BaseUrl);
    }

    [Fact]
    public void Every_setting_is_read()
    {
        var settings = EmailSettings.From(Config(
            ("Email:Smtp:Host", "127.0.0.1"), ("Email:From", "Tidings Alerts <alerts@example.test>"), ("Email:Smtp:Port", "465"),
            ("Email:Smtp:Security", "TLS"), ("Email:Smtp:Username", "mailer"), ("Email:Smtp:Password", "s3cret"),
            ("Email:Smtp:Timeout", "00:01:15"), ("Email:BaseUrl", "https://tidings.example.test/app/")))!;

        Assert.Equal("alerts@example.test", settings.FromAddress);
        Assert.Equal("Tidings Alerts", settings.FromName);
        Assert.Equal(465, settings.Port);
        Assert.Equal(SmtpSecurity.Tls, settings.Security);
        Assert.Equal("mailer", settings.Username);
        Assert.Equal("s3cret", settings.Password);
        Assert.Equal(TimeSpan.FromSeconds(75), settings.Timeout);
        Assert.Equal("https://tidings.example.test/app", settings.BaseUrl);
        Assert.Equal(SmtpSecurity.None, EmailSettings.From(Config([.. Minimal, ("Email:Smtp:Security", "none")]))!.Security);
        Assert.Equal(SmtpSecurity.StartTls, EmailSettings.From(Config([.. Minimal, ("Email:Smtp:Security", "starttls")]))!.Security);
    }

    [Fact]
    public void The_password_is_not_printed_with_the_settings()
    {
        var settings = EmailSettings.From(Config([.. Minimal, ("Email:Smtp:Username", "mailer"), ("Email:Smtp:Password", "hunter2-secret")]))!;

        Assert.DoesNotContain("hunter2-secret", settings.ToString());
        Assert.Contains("mailer", settings.ToString());
    }

    [Theory]
    [InlineData("Email:From", "not an address", "Email:From")]
    [InlineData("Email:From", "Name <no-at-sign>", "Email:From")]
    [InlineData("Email:Smtp:Host", "bad host!", "Email:Smtp:Host")]
    [InlineData("Email:Smtp:Port", "0", "Email:Smtp:Port")]
    [InlineData("Email:Smtp:Port", "70000", "Email:Smtp:Port")]
    [InlineData("Email:Smtp:Port", "587x", "Email:Smtp:Port")]
    [InlineData("Email:Smtp:Security", "ssl", "Email:Smtp:Security")]
    [InlineData("Email:Smtp:Timeout", "0", "Email:Smtp:Timeout")]
    [InlineData("Email:Smtp:Timeout", "-00:00:05", "Email:Smtp:Timeout")]
    [InlineData("Email:Smtp:Timeout", "soon", "Email:Smtp:Timeout")]
    [InlineData("Email:Smtp:Username", "mailer", "Email:Smtp:Password")]
    [InlineData("Email:Smtp:Password", "secret", "Email:Smtp:Username")]
    [InlineData("Email:BaseUrl", "tidings.example.test", "Email:BaseUrl")]
    [InlineData("Email:BaseUrl", "ftp://tidings.example.test", "Email:BaseUrl")]
    [InlineData("Email:BaseUrl", "https://tidings.example.test/?a=1", "Email:BaseUrl")]
    public void A_bad_value_stops_the_start_with_a_one_line_message_naming_the_setting(string key, string value, string named)
    {
        var values = Minimal.Where(m => m.Item1 != key).Append((key, value)).ToArray();

        var error = Assert.Throws<InvalidConfigurationException>(() => EmailSettings.From(Config(values)));

        Assert.Contains(named, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }
}
