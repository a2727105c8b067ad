using System.Globalization;
using MimeKit;
using Tidings.Data;

namespace Tidings.Delivery.Email;

/// <summary>How the SMTP connection is secured (Email:Smtp:Security).</summary>
public enum SmtpSecurity
{
    /// <summary>Plain text throughout: only for a relay on the same host or a test server.</summary>
    None,
    /// <summary>Plain connect, then STARTTLS, which the server must offer (port 587).</summary>
    StartTls,
    /// <summary>TLS from the first byte (port 465).</summary>
    Tls,
}

/// <summary>
/// Where e-mail goes and from whom (configuration section Email): From ("Name &lt;addr&gt;" or an address), Smtp:Host,
/// Smtp:Port (default 587), Smtp:Security (none, starttls (default), tls), Smtp:Username and Smtp:Password (both or neither),
/// Smtp:Timeout (default 00:00:30, bounds each SMTP step), BaseUrl (the app's public address, for the links in a message).
/// </summary>
public sealed record EmailSettings(
    string FromAddress, string? FromName, string Host, int Port, SmtpSecurity Security,
    string? Username, string? Password, TimeSpan Timeout, string BaseUrl)
{
    public const int DefaultPort = 587;
    public const string DefaultBaseUrl = "http://127.0.0.1:5080";
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The settings, or null when Email:Smtp:Host or Email:From is missing: e-mail is then off, which is not an error.</summary>
    public static EmailSettings? From(IConfiguration configuration)
    {
        var host = Value(configuration, "Email:Smtp:Host");
        var from = Value(configuration, "Email:From");
        if (host is null || from is null)
            return null;

        if (Uri.CheckHostName(host) == UriHostNameType.Unknown)
            throw new InvalidConfigurationException($"Email:Smtp:Host '{host}' is not a host name or an IP address.");
        if (!MailboxAddress.TryParse(from, out var mailbox) || !IsAddress(mailbox.Address))
            throw new InvalidConfigurationException($"Email:From '{from}' is not an e-mail address (write 'name@example.com' or 'Name <name@example.com>').");

        var port = Value(configuration, "Email:Smtp:Port") is { } portText
            ? int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is >= 1 and <= 65535 ? p
                : throw new InvalidConfigurationException($"Email:Smtp:Port '{portText}' is not a port number from 1 to 65535.")
            : DefaultPort;

        var security = Value(configuration, "Email:Smtp:Security")?.ToLowerInvariant() switch
        {
            null or "starttls" => SmtpSecurity.StartTls,
            "none" => SmtpSecurity.None,
            "tls" => SmtpSecurity.Tls,
            var other => throw new InvalidConfigurationException($"Email:Smtp:Security '{other}' is not one of none, starttls, tls."),
        };

        var timeout = Value(configuration, "Email:Smtp:Timeout") is { } timeoutText
            ? TimeSpan.TryParse(timeoutText, CultureInfo.InvariantCulture, out var t) && t > TimeSpan.Zero && t <= TimeSpan.FromMinutes(10) ? t
                : throw new InvalidConfigurationException($"Email:Smtp:Timeout '{timeoutText}' is not a time span above 00:00:00 and at most 00:10:00.")
            : DefaultTimeout;

        var username = Value(configuration, "Email:Smtp:Username");
        var password = configuration["Email:Smtp:Password"] is { Length: > 0 } secret ? secret : null;
        if ((username is null) != (password is null))
            throw new InvalidConfigurationException(username is null
                ? "Email:Smtp:Password is set but Email:Smtp:Username is not: set both or neither."
                : "Email:Smtp:Username is set but Email:Smtp:Password is not: set both or neither.");

        var baseUrl = Value(configuration, "Email:BaseUrl") ?? DefaultBaseUrl;
        if (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var baseUri) || baseUri.Scheme is not ("http" or "https")
            || baseUri.Query.Length > 0 || baseUri.Fragment.Length > 0 || baseUri.UserInfo.Length > 0)
            throw new InvalidConfigurationException($"Email:BaseUrl '{baseUrl}' is not an http or https address without query or user name (the app's public address).");

        return new EmailSettings(mailbox.Address, string.IsNullOrWhiteSpace(mailbox.Name) ? null : mailbox.Name.Trim(),
            host, port, security, username, password, timeout, baseUrl.TrimEnd('/'));
    }

    /// <summary>The password is never printed, so the settings can be logged.</summary>
    public override string ToString() =>
        $"EmailSettings {{ From = {FromAddress}, Host = {Host}, Port = {Port}, Security = {Security}, Username = {Username ?? "(none)"}, Timeout = {Timeout}, BaseUrl = {BaseUrl} }}";

    internal static bool IsAddress(string address)
    {
        var at = address.LastIndexOf('@');
        return at > 0 && at < address.Length - 1 && !address.Any(char.IsWhiteSpace);
    }

    private static string? Value(IConfiguration configuration, string key) =>
        configuration[key] is { } value && value.Trim() is { Length: > 0 } trimmed ? trimmed : null;
}
