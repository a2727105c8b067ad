using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MimeKit;
using Tidings.Delivery.Email;
using Tidings.Tests.Infrastructure;

namespace Tidings.Tests.Delivery.Email;

public class MailSenderTests
{
    private const string Unsubscribe = "http://127.0.0.1:5080/unsubscribe?token=abc123";

    private static EmailSettings Settings(int port) =>
        new("tidings@example.test", "Tidings", "127.0.0.1", port, SmtpSecurity.None, null, null, TimeSpan.FromSeconds(20), "http://127.0.0.1:5080");

    private static (MailSender Sender, CapturedLogs Logs, ILoggerFactory Factory) Sender(EmailSettings? settings)
    {
        var logs = new CapturedLogs();
        var factory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        return (new MailSender(settings, factory.CreateLogger<MailSender>()), logs, factory);
    }

    private static EmailMessage Message(string to = "ada@example.test")
    {
        var item = new NotificationItem(Guid.NewGuid(), "Acme raises <$20M>", "A funding event scored 0.91 for Acme.", null, "Acme", "Funding", 0.91, DateTimeOffset.UtcNow);
        return EmailComposer.Immediate("Ada Lovelace", to, item, Unsubscribe, "http://127.0.0.1:5080");
    }

    [Fact]
    public async Task A_message_arrives_with_both_parts_its_subject_message_id_and_unsubscribe_headers()
    {
        await using var smtp = await LoopbackSmtpServer.StartAsync();
        var (sender, _, factory) = Sender(Settings(smtp.Port));
        using var _ = factory;
        var message = Message();

        await sender.SendAsync(message, CancellationToken.None);

        var received = Assert.Single(smtp.Messages);
        Assert.Equal("tidings@example.test", received.From);
        Assert.Equal(["ada@example.test"], received.To);
        var mime = received.Message;
        Assert.Equal(message.Subject, mime.Subject);
        Assert.Equal(message.MessageId, mime.MessageId);
        Assert.Equal("Tidings", Assert.IsType<MailboxAddress>(Assert.Single(mime.From)).Name);
        Assert.Equal("Ada Lovelace", Assert.IsType<MailboxAddress>(Assert.Single(mime.To)).Name);
        Assert.Equal($"<{Unsubscribe}>", mime.Headers["List-Unsubscribe"]);
        Assert.Equal("List-Unsubscribe=One-Click", mime.Headers["List-Unsubscribe-Post"]);
        var alternative = Assert.IsType<MultipartAlternative>(mime.Body);
        Assert.Equal(2, alternative.Count);
        Assert.Equal(message.PlainText.ReplaceLineEndings(), mime.TextBody!.ReplaceLineEndings());
        Assert.Equal(message.Html.ReplaceLineEndings(), mime.HtmlBody!.ReplaceLineEndings());
        Assert.Contains("Acme raises &lt;$20M&gt;", mime.HtmlBody);
    }

    [Fact]
    public async Task A_message_without_an_unsubscribe_address_has_no_unsubscribe_headers()
    {
        await using var smtp = await LoopbackSmtpServer.StartAsync();
        var (sender, _, factory) = Sender(Settings(smtp.Port));
        using var _ = factory;

        await sender.SendAsync(Message() with { UnsubscribeUrl = null }, CancellationToken.None);

        var mime = Assert.Single(smtp.Messages).Message;
        Assert.False(mime.Headers.Contains("List-Unsubscribe"));
        Assert.False(mime.Headers.Contains("List-Unsubscribe-Post"));
    }

    [Fact]
    public async Task With_email_off_sending_returns_quietly_and_says_so_once_in_the_log()
    {
        var (sender, logs, factory) = Sender(null);
        using var _ = factory;

        await sender.SendAsync(Message(), CancellationToken.None);
        await sender.SendAsync(Message(), CancellationToken.None);
        await sender.SendAsync(Message(), CancellationToken.None);

        var entry = Assert.Single(logs.Entries);
        Assert.StartsWith("E-mail is off: ", entry.Message);
        Assert.Equal(LogLevel.Information, entry.Level);
        Assert.False(sender.IsOn);
    }

    [Fact]
    public async Task A_recipient_the_server_refuses_with_550_is_a_permanent_failure_in_words()
    {
        await using var smtp = await LoopbackSmtpServer.StartAsync();
        var (sender, _, factory) = Sender(Settings(smtp.Port));
        using var _ = factory;

        var error = await Assert.ThrowsAsync<MailDeliveryException>(() => sender.SendAsync(Message("refused@example.test"), CancellationToken.None));

        Assert.True(error.Permanent);
        Assert.Contains("refused the recipient refused@example.test", error.Message);
        Assert.Contains("550", error.Message);
        Assert.Contains("will not be tried again", error.Message);
        Assert.Empty(smtp.Messages);
    }

    [Fact]
    public async Task A_4xx_answer_is_a_transient_failure_in_words()
    {
        await using var smtp = await LoopbackSmtpServer.StartAsync();
        var (sender, _, factory) = Sender(Settings(smtp.Port));
        using var _ = factory;

        var error = await Assert.ThrowsAsync<MailDeliveryException>(() => sender.SendAsync(Message("busy@example.test"), CancellationToken.None));

        Assert.False(error.Permanent);
        Assert.Contains("451", error.Message);
        Assert.Contains("will be tried again", error.Message);
    }

    [Fact]
    public async Task An_unreachable_server_is_a_transient_failure_in_words()
    {
        var (sender, _, factory) = Sender(Settings(ClosedPort()));
        using var _ = factory;

        var error = await Assert.ThrowsAsync<MailDeliveryException>(() => sender.SendAsync(Message(), CancellationToken.None));

        Assert.False(error.Permanent);
        Assert.StartsWith("Could not reach the mail server 127.0.0.1:", error.Message);
        Assert.Contains("tried again", error.Message);
    }

    [Fact]
    public async Task A_server_without_starttls_when_starttls_is_asked_for_is_a_failure_naming_the_setting()
    {
        await using var smtp = await LoopbackSmtpServer.StartAsync();
        var (sender, _, factory) = Sender(Settings(smtp.Port) with { Security = SmtpSecurity.StartTls });
        using var _ = factory;

        var error = await Assert.ThrowsAsync<MailDeliveryException>(() => sender.SendAsync(Message(), CancellationToken.None));

        Assert.False(error.Permanent);
        Assert.Contains("does not offer STARTTLS", error.Message);
        Assert.Contains("Email:Smtp:Security", error.Message);
        Assert.Empty(smtp.Messages);
    }

    [Fact]
    public async Task With_a_user_name_the_sender_signs_in_before_sending()
    {
        await using var smtp = await LoopbackSmtpServer.StartAsync(password: "s3cret");
        var (sender, _, factory) = Sender(Settings(smtp.Port) with { Username = LoopbackSmtpServer.User, Password = "s3cret" });
        using var _ = factory;

        await sender.SendAsync(Message(), CancellationToken.None);

        Assert.Single(smtp.Messages);
    }

    [Fact]
    public async Task A_refused_password_is_a_transient_failure_naming_the_settings()
    {
        await using var smtp = await LoopbackSmtpServer.StartAsync(password: "s3cret");
        var (sender, _, factory) = Sender(Settings(smtp.Port) with { Username = LoopbackSmtpServer.User, Password = "wrong" });
        using var _ = factory;

        var error = await Assert.ThrowsAsync<MailDeliveryException>(() => sender.SendAsync(Message(), CancellationToken.None));

        Assert.False(error.Permanent);
        Assert.Contains("Email:Smtp:Username", error.Message);
        Assert.DoesNotContain("wrong", error.Message);
        Assert.Empty(smtp.Messages);
    }

    [Fact]
    public async Task A_malformed_recipient_address_is_a_permanent_failure_without_a_connection()
    {
        var (sender, _, factory) = Sender(Settings(ClosedPort()));
        using var _ = factory;

        var error = await Assert.ThrowsAsync<MailDeliveryException>(() => sender.SendAsync(Message() with { ToAddress = "not an address" }, CancellationToken.None));

        Assert.True(error.Permanent);
        Assert.Contains("is not an e-mail address", error.Message);
    }

    [Fact]
    public void AddTidingsEmail_registers_one_sender_that_is_off_without_settings_and_on_with_them()
    {
        static MailSender Resolve(IConfiguration configuration)
        {
            var services = new ServiceCollection().AddLogging().AddTidingsEmail(configuration);
            var provider = services.BuildServiceProvider();
            Assert.Same(provider.GetRequiredService<MailSender>(), provider.GetRequiredService<MailSender>());
            return provider.GetRequiredService<MailSender>();
        }

        Assert.False(Resolve(new ConfigurationBuilder().Build()).IsOn);
        Assert.True(Resolve(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Email:Smtp:Host"] = "127.0.0.1",
            ["Email:From"] = "tidings@example.test",
        }).Build()).IsOn);
    }

    /// <summary>A port nothing listens on: bound by the system, then released.</summary>
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
