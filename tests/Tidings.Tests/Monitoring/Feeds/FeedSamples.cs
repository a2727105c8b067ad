using System.Globalization;
using System.Text.Json;

namespace Tidings.Tests.Monitoring.Feeds;

/// <summary>A sample file of Samples/files, with the headers and URL its facts assume (Samples/README.md).</summary>
public sealed record FeedSample(string Name, byte[] Body, string? ContentType, Uri DocumentUrl, IReadOnlyList<SampleFact> Facts)
{
    public override string ToString() => Name;
}

/// <summary>One asserted fact: its name ("first_item.link") and the expected value as text (null when the file has none).</summary>
public sealed record SampleFact(string Name, string? Expected);

/// <summary>What a reader made of a sample, in the shape the facts are stated in; null stands for "rejected as not a feed".</summary>
public sealed record SampleReading(string Format, string? Title, int ItemCount, SampleReadingItem? FirstItem);

public sealed record SampleReadingItem(string? Title, string? Link, string? Id, DateTime? Date);

public sealed record FactOutcome(SampleFact Fact, string? Actual)
{
    public bool Right => Fact.Expected == Actual;
}

/// <summary>The samples and their facts from Samples/expected.json, and how a reading is scored against them.</summary>
public static class FeedSamples
{
    public static string Folder { get; } = Path.Combine(AppContext.BaseDirectory, "Monitoring", "Feeds", "Samples");

    private static readonly Lazy<IReadOnlyDictionary<string, FeedSample>> Loaded = new(Load);

    public static IReadOnlyDictionary<string, FeedSample> All => Loaded.Value;

    public static FeedSample Get(string name) => All[name];

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var name in All.Keys.Order(StringComparer.Ordinal))
            data.Add(name);
        return data;
    }

    public static byte[] Bytes(string name) => File.ReadAllBytes(Path.Combine(Folder, "files", name));

    private static IReadOnlyDictionary<string, FeedSample> Load()
    {
        using var expected = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Folder, "expected.json")));
        var samples = new Dictionary<string, FeedSample>(StringComparer.Ordinal);
        foreach (var file in expected.RootElement.GetProperty("files").EnumerateObject())
        {
            var facts = file.Value;
            string? Header(string name) =>
                facts.TryGetProperty("http_headers", out var headers) && headers.TryGetProperty(name, out var value) ? value.GetString() : null;
            var firstItem = facts.TryGetProperty("first_item", out var item) ? item : (JsonElement?)null;
            var example = firstItem is { } i && i.TryGetProperty("link_example", out var e) ? e : (JsonElement?)null;
            // The URL the facts assume the file was fetched from: the worked example's, the Content-Location the file
            // is to be served with (the fetcher hands the parser that URL), else any URL, the links being absolute.
            var url = example?.GetProperty("fetched_from").GetString() ?? Header("Content-Location") ?? $"https://example.org/feeds/{file.Name}";
            samples[file.Name] = new FeedSample(file.Name, Bytes(file.Name), Header("Content-Type"), new Uri(url), FactsOf(facts));
        }
        return samples;
    }

    private static List<SampleFact> FactsOf(JsonElement facts)
    {
        var isFeed = facts.GetProperty("is_feed").GetBoolean();
        List<SampleFact> list = [new("is_feed", isFeed ? "true" : "false")];
        if (!isFeed)
            return list;
        list.Add(new("format", Family(facts.GetProperty("format").GetString()!)));
        if (facts.TryGetProperty("item_count", out var count))
            list.Add(new("item_count", count.GetInt32().ToString(CultureInfo.InvariantCulture)));
        if (facts.TryGetProperty("first_item", out var item))
        {
            foreach (var key in (string[])["title", "link", "id", "date_utc"])
            {
                if (item.TryGetProperty(key, out var value))
                    list.Add(new("first_item." + key, value.GetString()));
            }
            if (item.TryGetProperty("link_example", out var example))
                list.Add(new("first_item.link", example.GetProperty("link").GetString()));
        }
        if (facts.TryGetProperty("feed", out var feed) && feed.TryGetProperty("title", out var title))
            list.Add(new("feed.title", title.GetString()));
        return list;
    }

    /// <summary>The format family a format names: "RSS", "Atom" or "JSON Feed" (an Atom-like &lt;feed&gt; counts as Atom).</summary>
    public static string Family(string format) =>
        format.StartsWith("RSS", StringComparison.Ordinal) ? "RSS"
        : format.StartsWith("Atom", StringComparison.Ordinal) ? "Atom"
        : format.StartsWith("JSON Feed", StringComparison.Ordinal) ? "JSON Feed"
        : format;

    /// <summary>Each fact of the sample beside what the reading gives for it.</summary>
    public static IReadOnlyList<FactOutcome> Score(FeedSample sample, SampleReading? reading)
    {
        var outcomes = new List<FactOutcome>(sample.Facts.Count);
        foreach (var fact in sample.Facts)
            outcomes.Add(new FactOutcome(fact, Actual(fact.Name, reading)));
        return outcomes;
    }

    private static string? Actual(string fact, SampleReading? reading)
    {
        if (fact == "is_feed")
            return reading is null ? "false" : "true";
        if (reading is null)
            return "(rejected)";
        var item = reading.FirstItem;
        return fact switch
        {
            "format" => Family(reading.Format),
            "item_count" => reading.ItemCount.ToString(CultureInfo.InvariantCulture),
            "feed.title" => reading.Title,
            _ when item is null => "(no item)",
            "first_item.title" => item.Title,
            "first_item.link" => item.Link,
            "first_item.id" => item.Id,
            "first_item.date_utc" => item.Date?.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            _ => throw new ArgumentOutOfRangeException(nameof(fact), fact, "Not a scored fact."),
        };
    }
}
