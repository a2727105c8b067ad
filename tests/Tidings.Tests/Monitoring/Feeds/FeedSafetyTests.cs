using System.Net;
using System.Net.Sockets;
using Tidings.Monitoring.Feeds;
using static Tidings.Tests.Monitoring.Feeds.FeedDocuments;

namespace Tidings.Tests.Monitoring.Feeds;

/// <summary>XML parsing never resolves a DTD or an external entity and never expands declared entities.</summary>
public sealed class FeedSafetyTests
{
    [Fact]
    public void An_external_entity_is_never_read_from_a_file()
    {
        var secret = Path.Combine(Path.GetTempPath(), $"tidings-xxe-{Guid.NewGuid():N}.txt");
        File.WriteAllText(secret, "TOP-SECRET-CONTENT");
        try
        {
            foreach (var target in new[] { new Uri(secret).AbsoluteUri, "file:///etc/passwd" })
            {
                var document = $"<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY e SYSTEM \"{target}\">]>" +
                    "<rss version=\"2.0\"><channel><title>Feed &e;</title><item><title>Item &e;</title><link>https://example.org/1</link></item></channel></rss>";

                var text = Read(document);

                Assert.DoesNotContain("TOP-SECRET", text);
                Assert.DoesNotContain("root:", text);
            }
        }
        finally
        {
            File.Delete(secret);
        }
    }

    [Fact]
    public void A_billion_laughs_document_is_never_expanded()
    {
        var entities = "<!ENTITY lol \"lol\">" + string.Concat(Enumerable.Range(1, 9).Select(i =>
            $"<!ENTITY lol{i} \"{string.Concat(Enumerable.Repeat($"&lol{(i == 1 ? "" : i - 1)};", 10))}\">"));
        var document = $"<?xml version=\"1.0\"?><!DOCTYPE rss [{entities}]>" +
            "<rss version=\"2.0\"><channel><title>&lol9;</title><item><title>&lol9;</title><link>https://example.org/1</link></item></channel></rss>";
        var before = GC.GetAllocatedBytesForCurrentThread();

        var text = Read(document);

        Assert.True(text.Length < 1000, text);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 10_000_000);
    }

    [Fact]
    public void An_external_dtd_or_parameter_entity_is_never_fetched()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            var document = $"<?xml version=\"1.0\"?><!DOCTYPE rss SYSTEM \"http://127.0.0.1:{port}/rss.dtd\" [" +
                $"<!ENTITY % remote SYSTEM \"http://127.0.0.1:{port}/entities.ent\"> %remote;]>" +
                "<rss version=\"2.0\"><channel><title>Fine</title></channel></rss>";

            var feed = Parse(document);

            Assert.Equal("Fine", feed.Title);
            Assert.False(listener.Pending());
        }
        finally
        {
            listener.Stop();
        }
    }

    /// <summary>Everything the parser gave back, or the rejection's message: a refusal is as safe as leaving the entity out.</summary>
    private static string Read(string document)
    {
        try
        {
            var feed = Parse(document);
            return string.Join("\n", new[] { feed.Title }.Concat(feed.Items.SelectMany(i => new[] { i.Title, i.Summary })));
        }
        catch (NotAFeedException e)
        {
            return e.Message;
        }
    }
}
