using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Tidings.Delivery.Email;

/// <summary>
/// Sends one message over SMTP (MailKit): connect with the configured security, authenticate when a user name is set,
/// send, disconnect. With no settings, e-mail is off: that is said once in the log and every send returns quietly.
/// A failure comes out as <see cref="MailDeliveryException"/>, permanent or not, so an outbox knows whether to retry.
/// </summary>
public sealed class MailSender(EmailSettings? settings, ILogger<MailSender> logger)
{
    private int offLogged;

    public bool IsOn => settings is not null;

    public async Task SendAsync(EmailMessage message, CancellationToken ct)
    {
        if (settings is null)
        {
            if (Interlocked.Exchange(ref offLogged, 1) == 0)
                logger.LogInformation("E-mail is off: Email:Smtp:Host or Email:From is not set, so no e-mail is sent (this is said once).");
            return;
        }

        var mime = ToMime(settings, message);
        using var client = new SmtpClient { Timeout = (int)Math.Min(int.MaxValue, settings.Timeout.TotalMilliseconds) };
        try
        {
            await client.ConnectAsync(settings.Host, settings.Port, SocketOptions(settings.Security), ct);
            if (settings.Username is not null)
                await client.AuthenticateAsync(settings.Username, settings.Password ?? "", ct);
            await client.SendAsync(mime, ct);
            await client.DisconnectAsync(quit: true, ct);
            logger.LogDebug("Sent e-mail {MessageId} through {Host}:{Port}.", message.MessageId, settings.Host, settings.Port);
        }
        catch (Exception e) when (Failure(e, settings, ct) is { } failure)
        {
            throw failure;
        }
    }

    internal static MimeMessage ToMime(EmailSettings settings, EmailMessage message)
    {
        if (!EmailSettings.IsAddress(message.ToAddress) || !MailboxAddress.TryParse(message.ToAddress, out var to))
            throw new MailDeliveryException($"'{message.ToAddress}' is not an e-mail address, so nothing was sent to it.", permanent: true);
        if (message.UnsubscribeUrl is { } url && !EmailComposer.IsWebAddress(url))
            throw new ArgumentException($"The unsubscribe address '{url}' is not an absolute http or https address.", nameof(message));

        var mime = new MimeMessage();
        mime.From.Add(new MailboxAddress(settings.FromName ?? "", settings.FromAddress));
        mime.To.Add(new MailboxAddress(message.ToName ?? "", to.Address));
        mime.Subject = message.Subject;
        mime.MessageId = message.MessageId;
        mime.Date = DateTimeOffset.UtcNow;
        if (message.UnsubscribeUrl is { } unsubscribe)
        {
            mime.Headers.Add("List-Unsubscribe", $"<{unsubscribe}>");
            mime.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        }
        mime.Body = new BodyBuilder { TextBody = message.PlainText, HtmlBody = message.Html }.ToMessageBody();
        return mime;
    }

    private static SecureSocketOptions SocketOptions(SmtpSecurity security) => security switch
    {
        SmtpSecurity.None => SecureSocketOptions.None,
        SmtpSecurity.Tls => SecureSocketOptions.SslOnConnect,
        _ => SecureSocketOptions.StartTls,
    };

    /// <summary>The failure in words, or null for a cancellation the caller asked for (which goes out as it is).</summary>
    private static MailDeliveryException? Failure(Exception e, EmailSettings settings, CancellationToken ct)
    {
        var server = $"the mail server {settings.Host}:{settings.Port}";
        return e switch
        {
            OperationCanceledException when ct.IsCancellationRequested => null,
            MailDeliveryException => null,
            SmtpCommandException command => new MailDeliveryException(Refusal(command, server, settings), permanent: (int)command.StatusCode >= 500, command),
            // A wrong password is wrong for every message; retrying lets the mail go once the setting is fixed.
            AuthenticationException => new MailDeliveryException(
                $"{Capitalised(server)} refused the user name or password (Email:Smtp:Username, Email:Smtp:Password): {e.Message}", permanent: false, e),
            // MailKit's word for a server that does not offer STARTTLS when Email:Smtp:Security asks for it.
            NotSupportedException when settings.Security == SmtpSecurity.StartTls => new MailDeliveryException(
                $"{Capitalised(server)} does not offer STARTTLS, which Email:Smtp:Security (starttls) requires: use tls for port 465, or none only for a relay on a trusted network.", permanent: false, e),
            SslHandshakeException => new MailDeliveryException(
                $"No secure connection could be made with {server} (Email:Smtp:Security is {settings.Security}): {FirstLine(e.Message)}", permanent: false, e),
            SocketException socket => new MailDeliveryException(
                $"Could not reach {server}: {socket.Message}. The message will be tried again.", permanent: false, e),
            TimeoutException or OperationCanceledException => new MailDeliveryException(
                $"{Capitalised(server)} did not answer within {settings.Timeout}. The message will be tried again.", permanent: false, e),
            SmtpProtocolException or IOException or ServiceNotConnectedException => new MailDeliveryException(
                $"The connection with {server} failed: {FirstLine(e.Message)}. The message will be tried again.", permanent: false, e),
            _ => null,
        };
    }

    private static string Refusal(SmtpCommandException e, string server, EmailSettings settings)
    {
        var answer = $"{(int)e.StatusCode} {FirstLine(e.Message)}".TrimEnd();
        var retry = (int)e.StatusCode >= 500 ? "It will not be tried again." : "It will be tried again.";
        return e.ErrorCode switch
        {
            SmtpErrorCode.RecipientNotAccepted => $"{Capitalised(server)} refused the recipient {e.Mailbox?.Address} ({answer}). {retry}",
            SmtpErrorCode.SenderNotAccepted => $"{Capitalised(server)} refused the sender {settings.FromAddress} set in Email:From ({answer}). {retry}",
            SmtpErrorCode.MessageNotAccepted => $"{Capitalised(server)} refused the message ({answer}). {retry}",
            _ => $"{Capitalised(server)} answered {answer}. {retry}",
        };
    }

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();

    private static string Capitalised(string text) => string.Concat(text[..1].ToUpperInvariant(), text.AsSpan(1));
}
