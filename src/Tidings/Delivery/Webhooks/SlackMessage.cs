using System.Text.Json.Nodes;
using Tidings.Data;

namespace Tidings.Delivery.Webhooks;

/// <summary>
/// The body of a post to a Slack-compatible incoming webhook: a mrkdwn "text" (all that Slack's look-alikes and
/// notifications show) and Block Kit blocks for Slack itself, every text escaped and cut to Slack's limits.
/// </summary>
public static class SlackMessage
{
    public const int SectionTextLimit = 3000;
    public const int FieldTextLimit = 2000;
    public const int FieldsPerSection = 10;
    public const int FieldSections = 4;
    public const int TitleLimit = 250;
    public const int LabelLimit = 100;
    public const int LinkLimit = 1000;

    public static string For(string type, string title, string? text, string? link, IReadOnlyList<(string Label, string Value)> fields)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(title);
        ArgumentNullException.ThrowIfNull(fields);
        var url = link is null ? null : SafeUrl(link);
        var shownTitle = Bounded(OneLine(title), TitleLimit);
        var heading = url is null ? $"*{shownTitle}*" : $"*<{url}|{shownTitle}>*";
        var shownText = string.IsNullOrWhiteSpace(text) ? null : Bounded(text.Trim(), SectionTextLimit - heading.Length - 1);
        var body = shownText is null ? heading : $"{heading}\n{shownText}";

        var blocks = new JsonArray { new JsonObject { ["type"] = "section", ["text"] = Mrkdwn(body) } };
        // Slack refuses a section of more than ten fields and a message of more than fifty blocks; events carry a handful.
        foreach (var chunk in fields.Take(FieldsPerSection * FieldSections).Chunk(FieldsPerSection))
            blocks.Add(new JsonObject
            {
                ["type"] = "section",
                ["fields"] = new JsonArray(chunk.Select(field => (JsonNode)Mrkdwn(Field(field.Label, field.Value))).ToArray()),
            });
        blocks.Add(new JsonObject
        {
            ["type"] = "context",
            ["elements"] = new JsonArray(Mrkdwn(Bounded(OneLine(type), FieldTextLimit))),
        });

        // Slack's look-alikes show only this, and some of them no link syntax: the address is written out.
        var fallback = string.Join('\n', new[] { $"*{shownTitle}*", shownText, url }.Where(part => part is not null));
        var message = new JsonObject { ["text"] = fallback, ["blocks"] = blocks };
        return message.ToJsonString();
    }

    /// <summary>Slack's three control characters written as entities, as Slack asks of any text it should show as is.</summary>
    public static string Escaped(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

    private static string Field(string label, string value)
    {
        var heading = $"*{Bounded(OneLine(label), LabelLimit)}*";
        return $"{heading}\n{Bounded(value, FieldTextLimit - heading.Length - 1)}";
    }

    private static JsonObject Mrkdwn(string text) => new() { ["type"] = "mrkdwn", ["text"] = text };

    /// <summary>Escaped text of at most <paramref name="max"/> characters: cut before escaping, so no entity is cut in half.</summary>
    private static string Bounded(string text, int max)
    {
        var keep = max;
        while (true)
        {
            var escaped = Escaped(StorableText.Cut(text, keep));
            if (escaped.Length <= max || keep <= 1)
                return escaped;
            keep = Math.Max(1, keep - (escaped.Length - max));
        }
    }

    private static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    // Inside <url|label> a raw "<", ">" or "|" would end the link early. A link too long to leave room for the text
    // (feeds carry such tracking links) is left out rather than refusing the message.
    private static string? SafeUrl(string link)
    {
        if (!Uri.TryCreate(link, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            throw new ArgumentException($"A Slack message links to an absolute http(s) address: \"{link}\".", nameof(link));
        var url = uri.AbsoluteUri.Replace("|", "%7C").Replace("<", "%3C").Replace(">", "%3E").Replace(" ", "%20");
        return url.Length <= LinkLimit ? url : null;
    }
}
