using System.ServiceModel.Syndication;
using System.Text;
using System.Xml;
using Tidings.Monitoring.Feeds;
using Xunit.Abstractions;
using CodeHollowReader = CodeHollow.FeedReader.FeedReader;

namespace Tidings.Tests.Monitoring.Feeds;

/// <summary>
/// Scores each candidate feed reader on every fact Samples/expected.json asserts, the figures docs/feed-reading.md
/// reports. Each library gets the same post-processing as Tidings' reader (titles to plain text, relative links
/// resolved against the document URL), so what differs is the parsing. Run with a detailed console logger to see them.
/// </summary>
public sealed class ParserComparison(ITestOutputHelper output)
{
    private sealed record Candidate(string Name, Func<FeedSample, SampleReading?> Read);

    private static readonly Candidate[] Candidates =
    [
        new("CodeHollow.FeedReader 2.1.1", ReadWithCodeHollow),
        new("CodeHollow.FeedReader 2.1.1 on text Tidings decoded and repaired", ReadWithCodeHollowOnRepairedText),
        new("System.ServiceModel.Syndication 10.0.15", ReadWithSyndication),
        new("Tidings through FeedParser.Parse (stand-in titles, items with nothing to show left out)", ReadThroughParse),
        new("Tidings (System.Xml XmlReader + System.Text.Json, own repair and HTML-to-text)", FeedSampleTests.ReadWithTidings),
    ];

    [Fact]
    public void The_chosen_reader_gets_the_most_sample_facts_right()
    {
        var samples = FeedSamples.All.Values.OrderBy(s => s.Name, StringComparer.Ordinal).ToList();
        var report = new StringBuilder();
        var totals = new Dictionary<string, int>();
        foreach (var candidate in Candidates)
        {
            int facts = 0, right = 0, verdicts = 0, rightVerdicts = 0;
            var misses = new List<string>();
            var rejections = new List<string>();
            foreach (var sample in samples)
            {
                SampleReading? reading;
                try
                {
                    reading = candidate.Read(sample);
                }
                catch (Exception e) when (e is not NotAFeedException)
                {
                    // A library that throws on a document has rejected it.
                    reading = null;
                    if (sample.Facts[0].Expected == "true")
                        rejections.Add($"    {sample.Name}: {e.GetType().Name} in {e.TargetSite?.DeclaringType?.Name}.{e.TargetSite?.Name}: {e.Message.Split('\n')[0].Trim()}");
                }
                foreach (var outcome in FeedSamples.Score(sample, reading))
                {
                    facts++;
                    right += outcome.Right ? 1 : 0;
                    if (outcome.Fact.Name == "is_feed")
                    {
                        verdicts++;
                        rightVerdicts += outcome.Right ? 1 : 0;
                    }
                    if (!outcome.Right)
                        misses.Add($"    {sample.Name} {outcome.Fact.Name}: expected [{outcome.Fact.Expected ?? "null"}], got [{outcome.Actual ?? "null"}]");
                }
            }
            totals[candidate.Name] = right;
            report.AppendLine($"{candidate.Name}: {right} of {facts} facts right; {rightVerdicts} of {verdicts} files accepted or rejected correctly");
            foreach (var miss in misses)
                report.AppendLine(miss);
            if (rejections.Count > 0)
                report.AppendLine("  feeds it threw on:");
            foreach (var rejection in rejections)
                report.AppendLine(rejection);
        }
        report.AppendLine();
        report.AppendLine("Time per parse, fastest and median of 200 after 3 s of warm-up (figures for docs/feed-reading.md, not asserted):");
        var timed = TimedSamples().ToList();
        // Until the JIT has recompiled the hot paths (tiered compilation), times say more about the JIT than the reader.
        var warmUp = System.Diagnostics.Stopwatch.StartNew();
        while (warmUp.Elapsed < TimeSpan.FromSeconds(3))
        {
            foreach (var candidate in Candidates)
            {
                foreach (var (_, sample) in timed)
                    candidate.Read(sample);
            }
        }
        foreach (var (label, sample) in timed)
        {
            foreach (var candidate in Candidates)
            {
                var (fastest, median) = Microseconds(candidate, sample);
                report.AppendLine($"  {label}, {candidate.Name}: {fastest:0} µs fastest, {median:0} µs median");
            }
        }
        output.WriteLine(report.ToString());
        File.WriteAllText(Path.Combine(AppContext.BaseDirectory, "feed-reader-comparison.txt"), report.ToString());

        var tidings = totals[Candidates[^1].Name];
        Assert.All(totals.Values, count => Assert.True(tidings >= count, report.ToString()));
    }

    /// <summary>The public reading: what the monitor sees once the item rules have applied; the facts state the document's own values.</summary>
    private static SampleReading? ReadThroughParse(FeedSample sample)
    {
        ParsedFeed feed;
        try
        {
            feed = FeedParser.Parse(sample.Body, sample.ContentType, sample.DocumentUrl);
        }
        catch (NotAFeedException)
        {
            return null;
        }
        var first = feed.Items.Count > 0 ? feed.Items[0] : null;
        return new SampleReading(feed.Format, feed.Title, feed.Items.Count,
            first is null ? null : new SampleReadingItem(first.Title, first.Link, first.Id, first.Published ?? first.Updated));
    }

    private static IEnumerable<(string Label, FeedSample Sample)> TimedSamples()
    {
        var items = string.Concat(Enumerable.Range(1, 20).Select(i =>
            $"<item><title>Acme Corp raises Series {i} round &amp; hires</title><link>https://news.example.com/{i}</link>" +
            $"<guid>https://news.example.com/{i}</guid><pubDate>Sun, 10 Mar 2024 17:{i:00}:00 +0100</pubDate>" +
            $"<description>{System.Net.WebUtility.HtmlEncode(string.Concat(Enumerable.Repeat("<p>Acme, a maker of <b>widgets</b>, said on Monday it raised money from investors.</p>", 6)))}</description></item>"));
        var body = Encoding.UTF8.GetBytes($"<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>News</title>{items}</channel></rss>");
        yield return ($"20-item RSS 2.0 ({body.Length / 1024} KB)", new FeedSample("twenty.xml", body, null, new Uri("https://news.example.com/feed"), []));
        yield return ("large_rss.xml (25 items, 163 KB)", FeedSamples.Get("large_rss.xml"));
        yield return ("large_atom.xml (25 entries, 186 KB)", FeedSamples.Get("large_atom.xml"));
    }

    private static (double Fastest, double Median) Microseconds(Candidate candidate, FeedSample sample)
    {
        var times = new double[200];
        for (var i = 0; i < times.Length; i++)
        {
            var start = System.Diagnostics.Stopwatch.GetTimestamp();
            candidate.Read(sample);
            times[i] = System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }
        Array.Sort(times);
        return (times[0], times[times.Length / 2]);
    }

    private static SampleReading? ReadWithCodeHollow(FeedSample sample) =>
        FromCodeHollow(CodeHollowReader.ReadFromByteArray(sample.Body), sample);

    private static SampleReading? ReadWithCodeHollowOnRepairedText(FeedSample sample)
    {
        var text = FeedEncoding.Decode(sample.Body, sample.ContentType);
        var start = text.IndexOf('<');
        if (start > 0 && text.AsSpan(0, start).Trim().IsEmpty)
            text = text[start..];
        return FromCodeHollow(CodeHollowReader.ReadFromString(TolerantXml.Repair(text)), sample);
    }

    private static SampleReading? FromCodeHollow(CodeHollow.FeedReader.Feed feed, FeedSample sample)
    {
        var family = feed.Type.ToString() switch
        {
            var t when t.Contains("Atom", StringComparison.OrdinalIgnoreCase) => "Atom",
            var t when t.Contains("Json", StringComparison.OrdinalIgnoreCase) => "JSON Feed",
            var t when t.Contains("Rss", StringComparison.OrdinalIgnoreCase) => "RSS",
            var t => t,
        };
        var first = feed.Items.FirstOrDefault();
        var date = first?.PublishingDate ?? (first?.SpecificItem as CodeHollow.FeedReader.Feeds.AtomFeedItem)?.UpdatedDate;
        return new SampleReading(family, PlainText.FromHtml(feed.Title), feed.Items.Count,
            first is null ? null : new SampleReadingItem(PlainText.FromHtml(first.Title), Resolve(first.Link, sample.DocumentUrl),
                Empty(first.Id), Utc(date)));
    }

    private static SampleReading? ReadWithSyndication(FeedSample sample)
    {
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore, XmlResolver = null };
        using var reader = XmlReader.Create(new MemoryStream(sample.Body), settings);
        var feed = SyndicationFeed.Load(reader);
        var format = reader.NamespaceURI == "http://www.w3.org/2005/Atom" || feed.Items.Any() && feed.Items.First().Links.Any(l => l.RelationshipType is not null)
            ? "Atom"
            : "RSS";
        format = FormatOf(sample.Body) ?? format;
        var first = feed.Items.FirstOrDefault();
        var link = first?.Links.FirstOrDefault(l => l.RelationshipType is null or "alternate");
        DateTime? date = first is null ? null
            : first.PublishDate != default ? first.PublishDate.UtcDateTime
            : first.LastUpdatedTime != default ? first.LastUpdatedTime.UtcDateTime
            : null;
        return new SampleReading(format, PlainText.FromHtml(feed.Title?.Text), feed.Items.Count(),
            first is null ? null : new SampleReadingItem(PlainText.FromHtml(first.Title?.Text),
                link is null ? null : Resolve((link.BaseUri is null ? link.Uri : new Uri(link.BaseUri, link.Uri)).OriginalString, sample.DocumentUrl),
                Empty(first.Id), date));
    }

    /// <summary>SyndicationFeed does not say which format it read; its two formatters are RSS 2.0 and Atom 1.0, told apart by the root.</summary>
    private static string? FormatOf(byte[] body)
    {
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore, XmlResolver = null };
        using var reader = XmlReader.Create(new MemoryStream(body), settings);
        reader.MoveToContent();
        return reader.LocalName switch { "feed" => "Atom", "rss" => "RSS", _ => null };
    }

    private static string? Resolve(string? link, Uri documentUrl) =>
        string.IsNullOrWhiteSpace(link) ? null
        : Uri.TryCreate(documentUrl, link.Trim(), out var absolute) ? absolute.AbsoluteUri
        : link;

    private static string? Empty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static DateTime? Utc(DateTime? date) => date switch
    {
        null => null,
        { Kind: DateTimeKind.Local } local => local.ToUniversalTime(),
        { } other => DateTime.SpecifyKind(other, DateTimeKind.Utc),
    };
}
