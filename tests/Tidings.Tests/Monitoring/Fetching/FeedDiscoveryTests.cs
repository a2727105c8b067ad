using System.Text;
using System.Text.RegularExpressions;
using Tidings.Monitoring.Fetching;

namespace Tidings.Tests.Monitoring.Fetching;

public sealed class FeedDiscoveryTests
{
    private static FeedFetcher Fetcher() => new(FetchSettings.Default with { AllowPrivateAddresses = true });

    /// <summary>A stand-in for the feed parser: RSS or Atom by its first tag, titled by its first &lt;title&gt;.</summary>
    private static string? Recognise(FetchResult result)
    {
        var text = Encoding.UTF8.GetString(result.Body!).TrimStart();
        if (!text.StartsWith("<rss", StringComparison.Ordinal) && !text.StartsWith("<feed", StringComparison.Ordinal))
            return null;
        return Regex.Match(text, "<title>(.*?)</title>").Groups[1].Value;
    }

    private static SitePage Feed(string title) =>
        SitePage.Text($"<rss version=\"2.0\"><channel><title>{title}</title></channel></rss>", "application/rss+xml");

    private static SitePage Page(string head) => SitePage.Text($"<!doctype html><html><head>{head}</head><body>Hello</body></html>");

    [Fact]
    public async Task The_feeds_a_home_page_names_in_link_tags_are_proposed_with_their_titles()
    {
        await using var site = await LoopbackSite.StartAsync();
        site.Serve("/", Page("""
            <link rel="stylesheet" href="/style.css">
            <link rel="alternate" hreflang="fr" href="/fr/">
            <LINK REL="alternate" TYPE="application/rss+xml" title="Page's name" HREF="news/rss.xml">
            <link href='/atom?lang=en&amp;full=1' type='application/atom+xml; charset=utf-8' rel='alternate feed'>
            <!-- <link rel="alternate" type="application/rss+xml" href="/old.xml"> -->
            """));
        site.Serve("/news/rss.xml", Feed("Acme news"));
        site.Serve("/atom", SitePage.Text("<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>Acme blog</title></feed>", "application/atom+xml"));
        using var fetcher = Fetcher();

        var feeds = await new FeedDiscovery(fetcher).DiscoverAsync(site.Url("/").AbsoluteUri, Recognise, CancellationToken.None);

        Assert.Equal(
            [new DiscoveredFeed(site.Url("/news/rss.xml"), "Acme news"), new DiscoveredFeed(new Uri(site.BaseAddress, "/atom?lang=en&full=1"), "Acme blog")],
            feeds);
        Assert.Empty(site.RequestsFor("/old.xml"));
        Assert.Empty(site.RequestsFor("/feed"));
    }

    [Fact]
    public async Task A_base_href_is_where_relative_feed_links_start()
    {
        await using var site = await LoopbackSite.StartAsync();
        site.Serve("/en/", Page("""<base href="/blog/"><link rel=alternate type=application/rss+xml href=feed.xml>"""));
        site.Serve("/blog/feed.xml", Feed("Blog"));
        using var fetcher = Fetcher();

        var feeds = await new FeedDiscovery(fetcher).DiscoverAsync(site.Url("/en/").AbsoluteUri, Recognise, CancellationToken.None);

        Assert.Equal([new DiscoveredFeed(site.Url("/blog/feed.xml"), "Blog")], feeds);
    }

    [Fact]
    public async Task A_named_candidate_that_is_not_a_feed_is_dropped()
    {
        await using var site = await LoopbackSite.StartAsync();
        site.Serve("/", Page("""
            <link rel="alternate" type="application/rss+xml" href="/comments.xml">
            <link rel="alternate" type="application/rss+xml" href="/news.xml">
            """));
        site.Serve("/comments.xml", SitePage.Text("<html><body>Not here</body></html>"));
        site.Serve("/news.xml", Feed("News"));
        using var fetcher = Fetcher();

        var feeds = await new FeedDiscovery(fetcher).DiscoverAsync(site.Url("/").AbsoluteUri, Recognise, CancellationToken.None);

        Assert.Equal([new DiscoveredFeed(site.Url("/news.xml"), "News")], feeds);
        Assert.Single(site.RequestsFor("/comments.xml"));
    }

    [Fact]
    public async Task When_the_page_names_no_feed_the_usual_paths_are_tried_and_the_same_feed_is_proposed_once()
    {
        await using var site = await LoopbackSite.StartAsync();
        site.Serve("/", Page("<title>Acme</title>"));
        var feed = Feed("Acme");
        site.Serve("/feed", SitePage.Redirect("/feed.xml", 301));
        site.Serve("/feed.xml", feed);
        site.Serve("/rss.xml", feed);
        site.Serve("/atom.xml", SitePage.Text("<feed><title>Acme (Atom)</title></feed>", "application/atom+xml"));
        site.Serve("/index.xml", SitePage.Text("<html>a page, not a feed</html>"));
        using var fetcher = Fetcher();

        var feeds = await new FeedDiscovery(fetcher).DiscoverAsync(site.Url("/").AbsoluteUri, Recognise, CancellationToken.None);

        Assert.Equal([new DiscoveredFeed(site.Url("/feed"), "Acme"), new DiscoveredFeed(site.Url("/atom.xml"), "Acme (Atom)")], feeds);
        Assert.Single(site.RequestsFor("/newsroom/feed"));
    }

    [Fact]
    public async Task When_none_of_the_named_candidates_is_a_feed_the_usual_paths_are_tried()
    {
        await using var site = await LoopbackSite.StartAsync();
        site.Serve("/", Page("""<link rel="alternate" type="application/rss+xml" href="/gone.xml">"""));
        site.Serve("/index.xml", Feed("Index"));
        using var fetcher = Fetcher();

        var feeds = await new FeedDiscovery(fetcher).DiscoverAsync(site.Url("/").AbsoluteUri, Recognise, CancellationToken.None);

        Assert.Equal([new DiscoveredFeed(site.Url("/index.xml"), "Index")], feeds);
    }

    [Fact]
    public async Task A_bare_domain_is_tried_over_http_when_https_does_not_connect()
    {
        await using var site = await LoopbackSite.StartAsync();
        site.Serve("/", Page("""<link rel="alternate" type="application/rss+xml" href="/feed.xml">"""));
        site.Serve("/feed.xml", Feed("Plain"));
        using var fetcher = Fetcher();

        var feeds = await new FeedDiscovery(fetcher).DiscoverAsync(site.BaseAddress.Authority, Recognise, CancellationToken.None);

        Assert.Equal([new DiscoveredFeed(site.Url("/feed.xml"), "Plain")], feeds);
    }

    [Fact]
    public async Task An_address_that_is_itself_a_feed_is_proposed_as_it_is()
    {
        await using var site = await LoopbackSite.StartAsync();
        site.Serve("/press.rss", Feed("Press"));
        using var fetcher = Fetcher();

        var feeds = await new FeedDiscovery(fetcher).DiscoverAsync(site.Url("/press.rss").AbsoluteUri, Recognise, CancellationToken.None);

        Assert.Equal([new DiscoveredFeed(site.Url("/press.rss"), "Press")], feeds);
        Assert.Single(site.Requests);
    }

    [Fact]
    public async Task At_most_five_feeds_are_proposed_in_the_pages_order()
    {
        await using var site = await LoopbackSite.StartAsync();
        site.Serve("/", Page(string.Concat(Enumerable.Range(1, 7).Select(i => $"""<link rel="alternate" type="application/rss+xml" href="/f{i}.xml">"""))));
        for (var i = 1; i <= 7; i++)
            site.Serve($"/f{i}.xml", Feed($"Feed {i}"));
        using var fetcher = Fetcher();

        var feeds = await new FeedDiscovery(fetcher).DiscoverAsync(site.Url("/").AbsoluteUri, Recognise, CancellationToken.None);

        Assert.Equal(Enumerable.Range(1, 5).Select(i => $"Feed {i}"), feeds.Select(f => f.Title));
    }

    [Fact]
    public async Task A_refused_site_yields_no_proposals_and_no_request()
    {
        await using var site = await LoopbackSite.StartAsync();
        site.Serve("/", Page("""<link rel="alternate" type="application/rss+xml" href="/feed.xml">"""));
        using var fetcher = new FeedFetcher(FetchSettings.Default);

        var feeds = await new FeedDiscovery(fetcher).DiscoverAsync(site.Url("/").AbsoluteUri, Recognise, CancellationToken.None);

        Assert.Empty(feeds);
        Assert.Empty(site.Requests);
    }
}
