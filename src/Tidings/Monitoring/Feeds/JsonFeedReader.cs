using System.Text.Json;

namespace Tidings.Monitoring.Feeds;

/// <summary>Reads JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1); fields of an unexpected shape are ignored, not fatal.</summary>
internal static class JsonFeedReader
{
    private static readonly JsonDocumentOptions Options = new()
    {
        AllowTrailingCommas = true,
        CommentHandling = JsonCommentHandling.Skip,
        MaxDepth = 64,
    };

    public static FeedDocument Read(string text, Uri documentUrl)
    {
        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(text, Options);
        }
        catch (JsonException)
        {
            throw new NotAFeedException("The document looks like JSON but is not valid JSON, so it is not a feed.");
        }
        using (json)
        {
            var root = json.RootElement;
            var version = root.ValueKind == JsonValueKind.Object ? String(root, "version") : null;
            var items = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("items", out var list) && list.ValueKind == JsonValueKind.Array
                ? list
                : (JsonElement?)null;
            var isJsonFeed = version?.Contains("jsonfeed.org/version/", StringComparison.OrdinalIgnoreCase) == true;
            if (!isJsonFeed && items is null)
                throw new NotAFeedException("The document is JSON but not a JSON Feed.");
            var format = version?[(version.LastIndexOf('/') + 1)..] switch
            {
                "1" or "1.0" => "JSON Feed 1.0",
                "1.1" => "JSON Feed 1.1",
                { Length: > 0 } other when isJsonFeed => "JSON Feed " + other,
                _ => "JSON Feed",
            };
            var entries = new List<FeedEntry>();
            if (items is { } array)
            {
                foreach (var item in array.EnumerateArray())
                {
                    if (item.ValueKind == JsonValueKind.Object)
                        entries.Add(Item(item, documentUrl));
                }
            }
            return new FeedDocument(format, PlainText.FromText(String(root, "title")), Resolve(String(root, "home_page_url"), documentUrl), entries);
        }
    }

    private static FeedEntry Item(JsonElement item, Uri documentUrl)
    {
        var summaries = new List<string>(3);
        foreach (var (key, isHtml) in SummaryKeys)
        {
            var value = String(item, key);
            var text = isHtml ? PlainText.FromHtml(value, PlainText.SummaryLimit) : PlainText.FromText(value, PlainText.SummaryLimit);
            if (text is not null)
                summaries.Add(text);
        }
        return new FeedEntry(
            String(item, "id")?.Trim() is { Length: > 0 } id ? id : null,
            PlainText.FromText(String(item, "title")),
            Resolve(String(item, "url") ?? String(item, "external_url"), documentUrl),
            XmlFeedReader.Summary(summaries, html: false),
            FeedDates.Parse(String(item, "date_published")),
            FeedDates.Parse(String(item, "date_modified")));
    }

    private static readonly (string Key, bool Html)[] SummaryKeys = [("summary", false), ("content_text", false), ("content_html", true)];

    /// <summary>A string property, a number written as text (some feeds give ids as numbers), or null.</summary>
    private static string? String(JsonElement element, string name)
    {
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out var value))
            return null;
        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        };
    }

    private static string? Resolve(string? address, Uri documentUrl)
    {
        address = address?.Trim();
        if (string.IsNullOrEmpty(address))
            return null;
        return Uri.TryCreate(documentUrl, address, out var resolved) ? resolved.AbsoluteUri : null;
    }
}
