using System.Text;
using Tidings.Monitoring.Feeds;
using static Tidings.Tests.Monitoring.Feeds.FeedDocuments;

namespace Tidings.Tests.Monitoring.Feeds;

public sealed class FeedEncodingTests
{
    private static readonly Encoding Windows1252 = CodePagesEncodingProvider.Instance.GetEncoding(1252)!;

    [Fact]
    public void The_encoding_declared_in_the_prolog_is_used_for_legacy_charsets()
    {
        var koi8 = ParseSample("encoding_koi8r.xml");
        Assert.Equal("Пример RSS ленты", koi8.Title);
        Assert.Equal("Первая новость", koi8.Items[0].Title);

        Assert.Equal("Café", ParseSample("iso-8859-1.xml").Title);
    }

    [Fact]
    public void The_charset_of_the_content_type_wins_over_the_prolog()
    {
        Assert.Equal("This is a £“test.”", Single(ParseSample("http_text_xml_charset_overrides_encoding_2.xml")).Summary);
        Assert.Equal("This is a £“test.”", Single(ParseSample("http_text_xml_charset_2.xml")).Summary);
    }

    [Fact]
    public void Euc_kr_and_iso_8859_7_documents_are_decoded()
    {
        var euckr = CodePagesEncodingProvider.Instance.GetEncoding("euc-kr")!;
        var body = euckr.GetBytes("<?xml version=\"1.0\" encoding=\"euc-kr\"?>" + Rss(RssItem("<title>년 뉴스</title>"))[38..]);
        Assert.Equal("년 뉴스", Single(Parse(body)).Title);

        var greek = CodePagesEncodingProvider.Instance.GetEncoding("iso-8859-7")!;
        Assert.Equal("Ειδήσεις", Single(Parse(greek.GetBytes(Rss(RssItem("<title>Ειδήσεις</title>"))), "application/rss+xml; charset=ISO-8859-7")).Title);
    }

    [Theory]
    [InlineData("utf8-incorrect-prolog.xml", "Café")]
    [InlineData("invalid-prolog.xml", "Café")]
    public void Utf8_bytes_under_a_wrong_or_unknown_declaration_are_read_as_utf8(string sample, string firstTitle)
    {
        var feed = ParseSample(sample);
        Assert.Equal(firstTitle, feed.Items[0].Title);
        Assert.Equal("테스트 피드", feed.Title);
    }

    [Fact]
    public void Utf8_bytes_declared_windows_1252_are_read_as_utf8() =>
        Assert.Equal("Euro €", ParseSample("windows-1252-incorrect-prolog.xml").Title);

    [Fact]
    public void Undeclared_bytes_that_are_not_utf8_are_read_as_windows_1252()
    {
        var body = Windows1252.GetBytes(Rss(RssItem("<title>“Smart” quotes – and £</title>")).Replace(" encoding=\"utf-8\"", ""));
        Assert.Equal("“Smart” quotes – and £", Single(Parse(body)).Title);
    }

    [Theory]
    [InlineData("utf-16be.xml")]
    [InlineData("utf-16le-bom.xml")]
    [InlineData("utf-8-bom.xml")]
    public void Utf16_with_or_without_a_byte_order_mark_and_utf8_with_one_are_read(string sample)
    {
        var feed = ParseSample(sample);
        Assert.Equal("RSS", feed.Format);
        Assert.Empty(feed.Items);
    }

    [Fact]
    public void Utf16_text_is_decoded_with_or_without_a_byte_order_mark()
    {
        var document = Rss(RssItem("<title>Ünïcødé ✓</title>")).Replace("utf-8", "utf-16");
        var littleEndianWithMark = Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes(document)).ToArray();
        var bigEndianWithout = Encoding.BigEndianUnicode.GetBytes(document);

        Assert.Equal("Ünïcødé ✓", Single(Parse(littleEndianWithMark)).Title);
        Assert.Equal("Ünïcødé ✓", Single(Parse(bigEndianWithout)).Title);
    }
}
