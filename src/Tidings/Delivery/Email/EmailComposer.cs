using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Tidings.Data;

namespace Tidings.Delivery.Email;

/// <summary>
/// Writes the e-mails Tidings sends, plain text and HTML, as pure functions of their inputs. Every value from data is
/// HTML-encoded in the HTML part, every link is absolute, and every message ends with its unsubscribe link.
/// </summary>
public static class EmailComposer
{
    public const string OtherNotifications = "Other notifications";
    private const int SubjectMax = 180;

    private const string BodyStyle = "margin:0;padding:16px;background:#ffffff;color:#222222;font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.45";
    private const string MutedStyle = "color:#666666;font-size:13px";
    private const string LinkStyle = "color:#1a56db";

    public static EmailMessage Immediate(string? recipientName, string recipientEmail, NotificationItem item, string unsubscribeUrl, string baseUrl)
    {
        var app = AppAddress(baseUrl);
        Require(unsubscribeUrl);
        var link = LinkFor(item, app);
        var subject = OneLine(item.ClientName is { } client && !string.IsNullOrWhiteSpace(client) ? $"{client.Trim()}: {item.Title}" : item.Title);

        var text = new StringBuilder()
            .Append(Greeting(recipientName)).Append("\n\n")
            .Append(item.Title).Append('\n');
        if (!string.IsNullOrWhiteSpace(item.Message))
            text.Append(item.Message).Append('\n');
        text.Append('\n');
        foreach (var (label, value) in Facts(item))
            text.Append(label).Append(": ").Append(value).Append('\n');
        text.Append("\nOpen in Tidings: ").Append(link).Append('\n');
        AppendTextFooter(text, "You receive this because e-mail notifications are on for your Tidings account.", unsubscribeUrl);

        var html = new StringBuilder();
        AppendHtmlHead(html, subject);
        html.Append("<p>").Append(H(Greeting(recipientName))).Append("</p>\n")
            .Append("<h1 style=\"font-size:20px;margin:16px 0 8px\">").Append(H(item.Title)).Append("</h1>\n");
        if (!string.IsNullOrWhiteSpace(item.Message))
            html.Append("<p>").Append(HtmlLines(item.Message)).Append("</p>\n");
        var facts = Facts(item).ToList();
        if (facts.Count > 0)
        {
            html.Append("<p style=\"").Append(MutedStyle).Append("\">");
            html.AppendJoin("<br>", facts.Select(f => $"{H(f.Label)}: {H(f.Value)}"));
            html.Append("</p>\n");
        }
        html.Append("<p><a href=\"").Append(H(link)).Append("\" style=\"").Append(LinkStyle).Append("\">Open in Tidings</a></p>\n");
        AppendHtmlFooter(html, "You receive this because e-mail notifications are on for your Tidings account.", unsubscribeUrl);

        return new EmailMessage(recipientEmail.Trim(), NameOrNull(recipientName), subject, text.ToString(), html.ToString(),
            $"tidings.notification.{item.Id:N}.{RecipientKey(recipientEmail)}@{MessageIdDomain(app)}", unsubscribeUrl);
    }

    public static EmailMessage Digest(string? recipientName, string recipientEmail, string period, DateTimeOffset localDate,
        IReadOnlyList<NotificationItem> items, string unsubscribeUrl, string baseUrl)
    {
        if (period is not ("daily" or "weekly"))
            throw new ArgumentException($"The digest period '{period}' is not daily or weekly.", nameof(period));
        if (items.Count == 0)
            throw new ArgumentException("A digest needs at least one notification: an empty digest is not sent.", nameof(items));
        var app = AppAddress(baseUrl);
        Require(unsubscribeUrl);

        var groups = Grouped(items);
        var heading = $"Your {period} Tidings digest for {localDate.ToString("d MMMM yyyy", CultureInfo.InvariantCulture)}";
        var clientCount = groups.Count(g => g.Client is not null);
        var count = Count(items.Count, "notification") + (clientCount > 0 ? $" about {Count(clientCount, "client")}" : "");
        var subject = OneLine($"{heading}: {Count(items.Count, "notification")}");

        var text = new StringBuilder()
            .Append(Greeting(recipientName)).Append("\n\n")
            .Append(heading).Append('\n')
            .Append(count).Append(", highest relevance first.\n");
        var html = new StringBuilder();
        AppendHtmlHead(html, subject);
        html.Append("<p>").Append(H(Greeting(recipientName))).Append("</p>\n")
            .Append("<h1 style=\"font-size:20px;margin:16px 0 4px\">").Append(H(heading)).Append("</h1>\n")
            .Append("<p style=\"").Append(MutedStyle).Append("\">").Append(H(count)).Append(", highest relevance first.</p>\n");

        foreach (var group in groups)
        {
            var title = $"{group.Client ?? OtherNotifications} ({group.Items.Count})";
            text.Append("\n== ").Append(title).Append(" ==\n");
            html.Append("<h2 style=\"font-size:17px;margin:20px 0 6px;border-bottom:1px solid #dddddd\">").Append(H(title)).Append("</h2>\n<ul style=\"padding-left:20px;margin:0\">\n");
            foreach (var item in group.Items)
            {
                var link = LinkFor(item, app);
                var facts = string.Join(", ", Facts(item, withClient: false).Select(f => f.Label == "Relevance" ? $"relevance {f.Value}" : f.Value));
                text.Append("\n- ").Append(item.Title).Append(facts.Length > 0 ? $" [{facts}]" : "").Append('\n');
                if (!string.IsNullOrWhiteSpace(item.Message))
                    text.Append("  ").Append(item.Message.ReplaceLineEndings("\n  ")).Append('\n');
                text.Append("  ").Append(link).Append('\n');

                html.Append("<li style=\"margin:0 0 12px\"><a href=\"").Append(H(link)).Append("\" style=\"").Append(LinkStyle).Append(";font-weight:bold\">")
                    .Append(H(item.Title)).Append("</a>");
                if (facts.Length > 0)
                    html.Append(" <span style=\"").Append(MutedStyle).Append("\">").Append(H(facts)).Append("</span>");
                if (!string.IsNullOrWhiteSpace(item.Message))
                    html.Append("<br>").Append(HtmlLines(item.Message));
                html.Append("</li>\n");
            }
            html.Append("</ul>\n");
        }
        var why = $"You receive this {period} digest because digests are on for your Tidings account.";
        AppendTextFooter(text, why, unsubscribeUrl);
        AppendHtmlFooter(html, why, unsubscribeUrl);

        return new EmailMessage(recipientEmail.Trim(), NameOrNull(recipientName), subject, text.ToString(), html.ToString(),
            $"tidings.digest.{period}.{localDate:yyyyMMdd}.{RecipientKey(recipientEmail)}@{MessageIdDomain(app)}", unsubscribeUrl);
    }

    /// <summary>Clients by their most relevant notification, most relevant first; notifications without a client last.</summary>
    internal static IReadOnlyList<(string? Client, IReadOnlyList<NotificationItem> Items)> Grouped(IEnumerable<NotificationItem> items) =>
        items.GroupBy(i => string.IsNullOrWhiteSpace(i.ClientName) ? null : i.ClientName.Trim(), StringComparer.OrdinalIgnoreCase)
            .Select(g => (Client: g.Key, Items: (IReadOnlyList<NotificationItem>)g
                .OrderByDescending(i => i.Relevance ?? double.NegativeInfinity).ThenByDescending(i => i.CreatedAt).ThenBy(i => i.Id).ToList()))
            .OrderBy(g => g.Client is null)
            .ThenByDescending(g => g.Items[0].Relevance ?? double.NegativeInfinity)
            .ThenBy(g => g.Client, StringComparer.OrdinalIgnoreCase)
            .ToList();

    /// <summary>The item's own path inside the app, or its event page; never an address outside the app.</summary>
    internal static string LinkFor(NotificationItem item, string app) =>
        item.LinkPath is { } path && IsAppPath(path) ? app + path : $"{app}/events/{item.Id}";

    internal static bool IsWebAddress(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && !url.Any(c => c <= ' ' || c == '\u007F');

    /// <summary>A path of the app's own ("/events/…"): URL characters only, and not "//host", which would leave the app.</summary>
    private static bool IsAppPath(string path) =>
        path.Length > 1 && path[0] == '/' && path[1] != '/' && path.All(c => char.IsAsciiLetterOrDigit(c) || "-._~/?#[]@!$&'()*+,;=%:".Contains(c));

    private static string AppAddress(string baseUrl) =>
        IsWebAddress(baseUrl) ? baseUrl.TrimEnd('/') : throw new ArgumentException($"The app address '{baseUrl}' is not an absolute http or https address.", nameof(baseUrl));

    private static void Require(string unsubscribeUrl)
    {
        if (!IsWebAddress(unsubscribeUrl))
            throw new ArgumentException($"The unsubscribe address '{unsubscribeUrl}' is not an absolute http or https address.", nameof(unsubscribeUrl));
    }

    private static IEnumerable<(string Label, string Value)> Facts(NotificationItem item, bool withClient = true)
    {
        if (withClient && !string.IsNullOrWhiteSpace(item.ClientName))
            yield return ("Client", item.ClientName.Trim());
        if (!string.IsNullOrWhiteSpace(item.Category))
            yield return ("Category", item.Category.Trim());
        if (item.Relevance is { } relevance)
            yield return ("Relevance", relevance.ToString("0.00", CultureInfo.InvariantCulture));
    }

    private static void AppendTextFooter(StringBuilder text, string why, string unsubscribeUrl) =>
        text.Append("\n-- \n").Append(why).Append('\n')
            .Append("Unsubscribe (turns these e-mails off, nothing else; no sign-in needed): ").Append(unsubscribeUrl).Append('\n');

    private static void AppendHtmlHead(StringBuilder html, string subject) =>
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width\">\n<title>")
            .Append(H(subject)).Append("</title>\n</head>\n<body style=\"").Append(BodyStyle).Append("\">\n<div style=\"max-width:640px;margin:0 auto\">\n");

    private static void AppendHtmlFooter(StringBuilder html, string why, string unsubscribeUrl) =>
        html.Append("<hr style=\"border:none;border-top:1px solid #dddddd;margin:24px 0 12px\">\n<p style=\"").Append(MutedStyle).Append("\">")
            .Append(H(why)).Append("<br><a href=\"").Append(H(unsubscribeUrl)).Append("\" style=\"").Append(LinkStyle).Append("\">Unsubscribe</a>")
            .Append(" (turns these e-mails off, nothing else; no sign-in needed)</p>\n</div>\n</body>\n</html>\n");

    private static string Greeting(string? name) => NameOrNull(name) is { } n ? $"Hello {n}," : "Hello,";

    private static string? NameOrNull(string? name) => string.IsNullOrWhiteSpace(name) ? null : OneLine(name);

    private static string Count(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";

    private static string OneLine(string text) => StorableText.Cut(string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)), SubjectMax);

    private static string H(string text) => WebUtility.HtmlEncode(text);

    private static string HtmlLines(string text) => H(text.Trim()).ReplaceLineEndings("<br>");

    /// <summary>The same address always gives the same key, so a retried message keeps its Message-Id; the address itself is not in it.</summary>
    private static string RecipientKey(string email) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(email.Trim().ToLowerInvariant())))[..16];

    private static string MessageIdDomain(string app) => new Uri(app).IdnHost is { Length: > 0 } host && !host.Contains(':') ? host : "tidings.invalid";
}
