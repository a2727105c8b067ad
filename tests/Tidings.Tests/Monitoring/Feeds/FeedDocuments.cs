using System.Text;
using Tidings.Monitoring.Feeds;

namespace Tidings.Tests.Monitoring.Feeds;

/// <summary>Small feed documents built in code for the focused tests, and parsing them as the monitor would.</summary>
internal static class FeedDocuments
{
    public static readonly Uri FeedUrl = new("https://example.org/blog/feed.xml");

    public static string Rss(string items, string channel = "<title>Blog</title><link>https://example.org/</link>") =>
        $"<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" " +
        $"xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><channel>{channel}{items}</channel></rss>";

    public static string RssItem(string inner) => $"<item>{inner}</item>";

    public static string Atom(string entries, string feedAttributes = "", string head = "<title>Blog</title>") =>
        $"<feed xmlns=\"http://www.w3.org/2005/Atom\"{feedAttributes}>{head}{entries}</feed>";

    public static ParsedFeed Parse(string document, string? contentType = null, Uri? url = null) =>
        FeedParser.Parse(Encoding.UTF8.GetBytes(document), contentType, url ?? FeedUrl);

    public static ParsedFeed Parse(byte[] document, string? contentType = null, Uri? url = null) =>
        FeedParser.Parse(document, contentType, url ?? FeedUrl);

    public static ParsedFeed ParseSample(string name) =>
        FeedParser.Parse(FeedSamples.Bytes(name), FeedSamples.Get(name).ContentType, FeedSamples.Get(name).DocumentUrl);

    public static FeedItem Single(ParsedFeed feed) => Assert.Single(feed.Items);
}
