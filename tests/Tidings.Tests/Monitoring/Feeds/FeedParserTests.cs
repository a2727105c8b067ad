using System.Text;
using Tidings.Monitoring.Feeds;
using static Tidings.Tests.Monitoring.Feeds.FeedDocuments;

namespace Tidings.Tests.Monitoring.Feeds;

public sealed class FeedParserTests
{
    [Theory]
    [InlineData("rss_version_090.xml", "RSS 0.90")]
    [InlineData("rss_version_091_userland.xml", "RSS 0.91")]
    [InlineData("rss_version_092.xml", "RSS 0.92")]
    [InlineData("rdf_item_link.xml", "RSS 1.0")]
    [InlineData("large_rss.xml", "RSS 2.0")]
    [InlineData("rss2.0NSwithModules.xml", "RSS 2.0")]
    [InlineData("amp52.xml", "Atom 0.3")]
    [InlineData("large_atom.xml", "Atom 1.0")]
    [InlineData("example.json", "JSON Feed 1.0")]
    [InlineData("jsonfeed_1.1_authors_object.json", "JSON Feed 1.1")]
    public void Each_format_and_version_is_named(string sample, string format) =>
        Assert.Equal(format, ParseSample(sample).Format);

    [Fact]
    public void CDATA_titles_and_descriptions_are_read_as_their_text()
    {
        var item = Single(Parse(Rss(RssItem(
            "<title><![CDATA[Acme & Co <b>buys</b> Widgets]]></title><description><![CDATA[<p>Deal closed.</p>]]></description>"))));

        Assert.Equal("Acme & Co buys Widgets", item.Title);
        Assert.Equal("Deal closed.", item.Summary);
    }

    [Fact]
    public void Entities_are_decoded_once_per_layer_including_html_entities_xml_lacks()
    {
        var item = Single(Parse(Rss(RssItem("<title>AT&amp;amp;T&#8217;s deal &hellip; &nbsp;done</title><link>https://example.org/a</link>"))));

        Assert.Equal("AT&T’s deal … \u00a0done", item.Title);
    }

    [Fact]
    public void A_feed_with_xml_base_resolves_relative_links()
    {
        var feed = Parse(Atom(
            "<entry xml:base=\"posts/\"><title>One</title><link href=\"one.html\"/></entry>" +
            "<entry><title>Two</title><link href=\"/two.html\"/></entry>",
            feedAttributes: " xml:base=\"https://news.example.com/2024/\""));

        Assert.Equal("https://news.example.com/2024/posts/one.html", feed.Items[0].Link);
        Assert.Equal("https://news.example.com/two.html", feed.Items[1].Link);
    }

    [Fact]
    public void Relative_links_without_xml_base_resolve_against_the_document_url()
    {
        var feed = Parse(Rss(RssItem("<title>One</title><link>../posts/1</link>"), channel: "<title>Blog</title><link>/</link>"));

        Assert.Equal("https://example.org/posts/1", feed.Items[0].Link);
        Assert.Equal("https://example.org/", feed.SiteLink);
    }

    [Fact]
    public void A_guid_is_the_link_only_when_it_is_a_permalink_web_address()
    {
        var feed = Parse(Rss(
            RssItem("<title>A</title><guid>https://example.org/a</guid>") +
            RssItem("<title>B</title><guid isPermaLink=\"false\">https://example.org/b</guid>") +
            RssItem("<title>C</title><guid>tag:example.org,2024:c</guid>")));

        Assert.Equal(["https://example.org/a", null, null], feed.Items.Select(i => i.Link));
        Assert.Equal(["https://example.org/a", "https://example.org/b", "tag:example.org,2024:c"], feed.Items.Select(i => i.Id));
    }

    [Fact]
    public void Descriptions_become_plain_text_without_scripts_or_styles()
    {
        var item = Single(Parse(Rss(RssItem(
            "<title>T</title><description>&lt;p&gt;Acme &lt;em&gt;raised&lt;/em&gt; $5M.&lt;/p&gt;&lt;script&gt;steal(document.cookie)&lt;/script&gt;" +
            "&lt;style&gt;p { color: red }&lt;/style&gt;&lt;p&gt;Series&amp;nbsp;A.&lt;/p&gt;&lt;!-- note --&gt;</description>"))));

        Assert.Equal("Acme raised $5M. Series\u00a0A.", item.Summary);
    }

    [Fact]
    public void The_longer_of_description_and_full_content_is_the_summary_and_it_is_capped()
    {
        var longText = string.Join(' ', Enumerable.Repeat("word", 2000));
        var item = Single(Parse(Rss(RssItem(
            $"<title>T</title><description>Short teaser.</description><content:encoded><![CDATA[<div>{longText}</div>]]></content:encoded>"))));

        Assert.StartsWith("word word", item.Summary);
        Assert.InRange(item.Summary!.Length, 3900, 4000);
        Assert.EndsWith("…", item.Summary);
    }

    [Fact]
    public void Layout_whitespace_folds_and_typed_spaces_stay()
    {
        var item = Single(Parse(Rss(RssItem("<title>\n   Acme\n\t  buys   Widgets\r\n </title>"))));

        Assert.Equal("Acme buys   Widgets", item.Title);
    }

    [Fact]
    public void Atom_text_constructs_are_read_by_their_type()
    {
        var feed = Parse(Atom(
            "<entry><title type=\"text\">a &lt;b&gt; c</title></entry>" +
            "<entry><title type=\"html\">a &lt;b&gt;bold&lt;/b&gt; c</title></entry>" +
            "<entry><title type=\"xhtml\"><div xmlns=\"http://www.w3.org/1999/xhtml\">a <b>bold</b> &lt;c&gt;</div></title></entry>"));

        Assert.Equal(["a <b> c", "a bold c", "a bold <c>"], feed.Items.Select(i => i.Title));
    }

    [Fact]
    public void An_item_without_a_title_is_titled_by_a_cut_of_its_summary_else_its_link()
    {
        var summary = string.Join(' ', Enumerable.Repeat("Acme", 100));
        var feed = Parse(Rss(
            RssItem($"<description>{summary}</description><link>https://example.org/1</link>") +
            RssItem("<link>https://example.org/2</link>")));

        Assert.StartsWith("Acme Acme", feed.Items[0].Title);
        Assert.True(feed.Items[0].Title.Length <= 120);
        Assert.Equal(summary, feed.Items[0].Summary);
        Assert.Equal("https://example.org/2", feed.Items[1].Title);
    }

    [Fact]
    public void An_item_with_neither_title_summary_nor_link_is_skipped()
    {
        // entry_issued_parsed.xml has one entry holding only a date: read, but nothing a person could use.
        Assert.Single(FeedParser.Read(FeedSamples.Bytes("entry_issued_parsed.xml"), null, FeedUrl).Entries);

        Assert.Empty(ParseSample("entry_issued_parsed.xml").Items);
    }

    [Theory]
    [MemberData(nameof(FeedSampleTests.SampleNames), MemberType = typeof(FeedSampleTests))]
    public void Every_parsed_item_has_a_title_an_absolute_link_or_none_and_utc_dates(string name)
    {
        ParsedFeed feed;
        try
        {
            feed = ParseSample(name);
        }
        catch (NotAFeedException)
        {
            Assert.Equal("false", FeedSamples.Get(name).Facts[0].Expected);
            return;
        }
        foreach (var item in feed.Items)
        {
            Assert.False(string.IsNullOrWhiteSpace(item.Title));
            Assert.True(item.Link is null || Uri.IsWellFormedUriString(item.Link, UriKind.Absolute), item.Link);
            Assert.True(item.Published is null or { Kind: DateTimeKind.Utc });
            Assert.True(item.Updated is null or { Kind: DateTimeKind.Utc });
            Assert.DoesNotContain("<script", item.Summary ?? "", StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public void Published_and_updated_come_from_their_own_elements()
    {
        var rss = Single(Parse(Rss(RssItem("<title>T</title><pubDate>Sun, 10 Mar 2024 17:15:00 +0100</pubDate>"))));
        var atom = Parse(Atom("<entry><title>T</title><published>2024-03-10T17:15:00+01:00</published><updated>2024-03-11T08:00:00Z</updated></entry>" +
            "<entry><title>U</title><updated>2024-03-11T08:00:00Z</updated></entry>"));
        var dc = Single(Parse(Rss(RssItem("<title>T</title><dc:date>2024-03-10T16:15:00Z</dc:date>"))));

        Assert.Equal(new DateTime(2024, 3, 10, 16, 15, 0, DateTimeKind.Utc), rss.Published);
        Assert.Equal(new DateTime(2024, 3, 10, 16, 15, 0, DateTimeKind.Utc), atom.Items[0].Published);
        Assert.Equal(new DateTime(2024, 3, 11, 8, 0, 0, DateTimeKind.Utc), atom.Items[0].Updated);
        Assert.Null(atom.Items[1].Published);
        Assert.Equal(new DateTime(2024, 3, 11, 8, 0, 0, DateTimeKind.Utc), atom.Items[1].Updated);
        Assert.Equal(new DateTime(2024, 3, 10, 16, 15, 0, DateTimeKind.Utc), dc.Published);
    }

    [Fact]
    public void An_unreadable_date_is_no_date_and_the_item_is_still_read()
    {
        var item = Single(Parse(Rss(RssItem("<title>T</title><pubDate>sometime soon</pubDate>"))));

        Assert.Null(item.Published);
        Assert.Equal("T", item.Title);
    }

    [Fact]
    public void A_feed_cut_short_keeps_its_complete_items()
    {
        var document = Rss(RssItem("<title>One</title><link>https://example.org/1</link>") + RssItem("<title>Two</title><link>https://exa"));
        var feed = Parse(document[..document.IndexOf("</channel>", StringComparison.Ordinal)]);

        Assert.Equal("One", feed.Items[0].Title);
        Assert.Equal("https://example.org/1", feed.Items[0].Link);
    }

    [Fact]
    public void Bare_ampersands_and_a_lone_less_than_sign_are_recovered()
    {
        var item = Single(Parse(Rss(RssItem("<title>Q&A: 3 < 4 & more</title><link>https://example.org/?a=1&b=2</link>"))));

        Assert.Equal("Q&A: 3 < 4 & more", item.Title);
        Assert.Equal("https://example.org/?a=1&b=2", item.Link);
    }

    [Fact]
    public void JSON_Feed_items_are_read_with_html_content_as_plain_text()
    {
        var feed = ParseSample("example.json");

        Assert.Equal("My Example Feed", feed.Title);
        Assert.Equal("https://example.org/", feed.SiteLink);
        Assert.Equal("This is a second item.", feed.Items[0].Summary);
        Assert.Equal("Hello, world!", feed.Items[1].Summary);
        Assert.Equal("1", feed.Items[1].Id);
    }

    [Fact]
    public void JSON_Feed_numeric_ids_and_relative_urls_are_read()
    {
        var feed = Parse("{\"version\":\"https://jsonfeed.org/version/1.1\",\"title\":\"J\",\"items\":[{\"id\":42,\"url\":\"/p/42\",\"title\":\"T\"," +
            "\"date_modified\":\"2024-03-10T17:15:00+01:00\"}]}", "application/feed+json");

        var item = Single(feed);
        Assert.Equal("42", item.Id);
        Assert.Equal("https://example.org/p/42", item.Link);
        Assert.Equal(new DateTime(2024, 3, 10, 16, 15, 0, DateTimeKind.Utc), item.Updated);
    }

    [Theory]
    [InlineData("utf8.html")]
    [InlineData("iso-8859-1.html")]
    public void An_html_page_is_not_a_feed(string sample)
    {
        var error = Assert.Throws<NotAFeedException>(() => ParseSample(sample));
        Assert.Equal("The document is an HTML page, not a feed.", error.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  \r\n\t ")]
    public void An_empty_body_is_not_a_feed(string body)
    {
        var error = Assert.Throws<NotAFeedException>(() => Parse(body));
        Assert.Equal("The response was empty.", error.Message);
    }

    [Theory]
    [InlineData("rss_empty_document.xml", "The document holds no element, so it is not a feed.")]
    [InlineData("iso88591.xml", "The document is XML with a <note> root, not an RSS, RDF or Atom feed.")]
    public void Xml_that_is_not_a_feed_is_rejected_with_a_clear_message(string sample, string message) =>
        Assert.Equal(message, Assert.Throws<NotAFeedException>(() => ParseSample(sample)).Message);

    [Theory]
    [InlineData("{\"name\": \"not a feed\"}", "The document is JSON but not a JSON Feed.")]
    [InlineData("{\"version\": ", "The document looks like JSON but is not valid JSON, so it is not a feed.")]
    [InlineData("Service unavailable", "The document is neither XML nor JSON, so it is not a feed.")]
    public void Other_documents_are_rejected_with_a_clear_message(string body, string message) =>
        Assert.Equal(message, Assert.Throws<NotAFeedException>(() => Parse(body)).Message);

    [Fact]
    public void A_document_with_a_doctype_is_read_without_its_dtd()
    {
        Assert.Equal("found", ParseSample("always_strip_doctype.xml").Title);
        Assert.Equal("RSS 1.0", ParseSample("doctype_contains_entity_decl.xml").Format);
    }

    [Fact]
    public void Item_titles_ignore_titles_of_nested_elements() =>
        Assert.All(ParseSample("atom10_title.xml").Items, i => Assert.Equal("Correct Value", i.Title));

    [Fact]
    public void Module_elements_that_share_a_local_name_with_rss_ones_are_not_taken_for_them() =>
        Assert.Equal("correct description", Single(ParseSample("rss2.0noNSwithModulesLocalNameClash.xml")).Summary);

    [Fact]
    public void Titles_in_escaped_html_drop_their_scripts() =>
        Assert.Equal("safe description", Single(ParseSample("entry_title_script.xml")).Title);
}
