using Tidings.Monitoring.Feeds;

namespace Tidings.Tests.Monitoring.Feeds;

/// <summary>Every fact Samples/expected.json asserts, for every sample file, read as the monitor reads it.</summary>
public sealed class FeedSampleTests
{
    public static TheoryData<string> SampleNames => FeedSamples.Names();

    /// <summary>The reader's reading of a sample, in the facts' shape; null when it rejects the document as not a feed.</summary>
    internal static SampleReading? ReadWithTidings(FeedSample sample)
    {
        FeedDocument document;
        try
        {
            document = FeedParser.Read(sample.Body, sample.ContentType, sample.DocumentUrl);
        }
        catch (NotAFeedException)
        {
            return null;
        }
        var first = document.Entries.Count > 0 ? document.Entries[0] : null;
        return new SampleReading(document.Format, document.Title, document.Entries.Count,
            first is null ? null : new SampleReadingItem(first.Title, first.Link, first.Id, first.Published ?? first.Updated));
    }

    [Theory]
    [MemberData(nameof(SampleNames))]
    public void Every_fact_the_sample_asserts_is_read(string name)
    {
        var sample = FeedSamples.Get(name);
        var wrong = FeedSamples.Score(sample, ReadWithTidings(sample)).Where(o => !o.Right)
            .Select(o => $"{o.Fact.Name}: expected [{o.Fact.Expected ?? "null"}], read [{o.Actual ?? "null"}]")
            .ToList();
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }
}
