using System.Text.RegularExpressions;
using Tidings.Delivery.Email;

namespace Tidings.Tests.Delivery.Email;

public class EmailComposerTests
{
    private const string App = "https://tidings.example.test";
    private const string Unsubscribe = "https://tidings.example.test/unsubscribe?token=abc123";
    private static readonly DateTimeOffset Morning = new(2026, 12, 6, 8, 0, 0, TimeSpan.FromHours(1));

    private static NotificationItem Item(string title, string? client, double? relevance, string? linkPath = null, string? category = "Funding") =>
        new(Guid.NewGuid(), title, $"Message about {title}.", linkPath, client, category, relevance, Morning.AddHours(-1));

    [Fact]
    public void A_digest_groups_by_client_with_the_most_relevant_client_first_and_its_most_relevant_item_first()
    {
        var items = new[]
        {
            Item("Acme low", "Acme", 0.30),
            Item("Zeta top", "Zeta", 0.95),
            Item("Acme high", "Acme", 0.80),
            Item("Loose", null, 0.99),
            Item("Zeta low", "Zeta", 0.10),
            Item("Acme unscored", "Acme", null),
        };

        var message = EmailComposer.Digest("Ada", "ada@example.test", "daily", Morning, items, Unsubscribe, App);

        AssertInOrder(message.PlainText, "== Zeta (2) ==", "Zeta top", "Zeta low", "== Acme (3) ==", "Acme high", "Acme low", "Acme unscored", "== Other notifications (1) ==", "Loose");
        AssertInOrder(message.Html, "Zeta (2)", "Zeta top", "Zeta low", "Acme (3)", "Acme high", "Acme low", "Acme unscored", "Other notifications (1)", "Loose");
    }

    [Fact]
    public void A_digest_says_its_period_date_and_count_in_both_parts()
    {
        var items = new[] { Item("One", "Acme", 0.5), Item("Two", "Zeta", 0.6), Item("Three", "Acme", 0.7) };

        var message = EmailComposer.Digest("Ada", "ada@example.test", "daily", Morning, items, Unsubscribe, App);

        foreach (var part in new[] { message.PlainText, message.Html })
        {
            Assert.Contains("Your daily Tidings digest for 6 December 2026", part);
            Assert.Contains("3 notifications about 2 clients", part);
            Assert.Contains("Hello Ada,", part);
        }
        Assert.Contains("6 December 2026", message.Subject);
        Assert.Contains("3 notifications", message.Subject);
        Assert.Contains("Your weekly Tidings digest", EmailComposer.Digest(null, "ada@example.test", "weekly", Morning, items, Unsubscribe, App).PlainText);
    }

    [Fact]
    public void Every_link_in_a_digest_is_absolute_and_points_into_the_app()
    {
        var own = Item("Own link", "Acme", 0.9, linkPath: "/events/42?tab=sources");
        var plain = Item("No link", "Acme", 0.8);
        var outside = Item("Outside link", "Acme", 0.7, linkPath: "https://evil.example/phish");
        var protocolRelative = Item("Protocol-relative link", "Acme", 0.6, linkPath: "//evil.example/phish");

        var message = EmailComposer.Digest("Ada", "ada@example.test", "daily", Morning, [own, plain, outside, protocolRelative], Unsubscribe, App + "/");

        Assert.Contains($"{App}/events/42?tab=sources", message.PlainText);
        Assert.Contains($"{App}/events/{plain.Id}", message.PlainText);
        Assert.Contains($"{App}/events/{outside.Id}", message.PlainText);
        Assert.Contains($"{App}/events/{protocolRelative.Id}", message.PlainText);
        Assert.DoesNotContain("evil.example", message.PlainText);
        Assert.DoesNotContain("evil.example", message.Html);
        var hrefs = Regex.Matches(message.Html, "href=\"([^\"]*)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(5, hrefs.Count);
        Assert.All(hrefs, href => Assert.StartsWith(App + "/", href));
    }

    [Fact]
    public void A_hostile_title_is_encoded_in_the_html_and_no_script_gets_through()
    {
        var hostile = new NotificationItem(Guid.NewGuid(), "<script>alert(1)</script>", "Tom & Jerry's \"deal\" <b>closed</b>",
            "/events/1\"><script>alert(2)</script>", "<img src=x onerror=alert(3)>", "<i>Funding</i>", 0.9, Morning);

        var immediate = EmailComposer.Immediate("<Mallory>", "ada@example.test", hostile, Unsubscribe, App);
        var digest = EmailComposer.Digest("<Mallory>", "ada@example.test", "daily", Morning, [hostile], Unsubscribe, App);

        foreach (var html in new[] { immediate.Html, digest.Html })
        {
            Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("<i>", html);
            Assert.DoesNotContain("<b>", html);
            Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html);
            Assert.Contains("Tom &amp; Jerry&#39;s &quot;deal&quot; &lt;b&gt;closed&lt;/b&gt;", html);
            Assert.Contains("Hello &lt;Mallory&gt;,", html);
        }
        Assert.Contains("<script>alert(1)</script>", immediate.PlainText);
        Assert.Contains($"{App}/events/{hostile.Id}", immediate.PlainText);
        Assert.DoesNotContain("alert(2)", immediate.PlainText);
    }

    [Fact]
    public void The_unsubscribe_link_is_in_both_parts_and_in_the_message_for_the_header()
    {
        var item = Item("Acme raises", "Acme", 0.9);

        foreach (var message in new[]
        {
            EmailComposer.Immediate("Ada", "ada@example.test", item, Unsubscribe, App),
            EmailComposer.Digest("Ada", "ada@example.test", "weekly", Morning, [item], Unsubscribe, App),
        })
        {
            Assert.Equal(Unsubscribe, message.UnsubscribeUrl);
            Assert.Contains(Unsubscribe, message.PlainText);
            Assert.Contains("href=\"https://tidings.example.test/unsubscribe?token=abc123\"", message.Html);
            Assert.Contains("Unsubscribe", message.Html);
        }
    }

    [Fact]
    public void An_immediate_message_carries_the_notification_its_client_category_relevance_and_link()
    {
        var item = Item("Acme raises $20M", "Acme", 0.873, category: "Funding");

        var message = EmailComposer.Immediate("Ada", "ada@example.test", item, Unsubscribe, App);

        Assert.Equal("Acme: Acme raises $20M", message.Subject);
        Assert.Equal("ada@example.test", message.ToAddress);
        Assert.Equal("Ada", message.ToName);
        foreach (var part in new[] { message.PlainText, message.Html })
        {
            Assert.Contains("Acme raises $20M", part);
            Assert.Contains("Message about Acme raises $20M.", part);
            Assert.Contains("Client: Acme", part);
            Assert.Contains("Category: Funding", part);
            Assert.Contains("Relevance: 0.87", part);
            Assert.Contains($"{App}/events/{item.Id}", part);
        }
    }

    [Fact]
    public void The_message_id_is_the_same_for_a_retry_and_differs_between_recipients_items_and_days()
    {
        var item = Item("Acme raises", "Acme", 0.9);
        var other = Item("Zeta sold", "Zeta", 0.9);

        var first = EmailComposer.Immediate("Ada", "ada@example.test", item, Unsubscribe, App);
        var retry = EmailComposer.Immediate("Ada", "ADA@example.test ", item, Unsubscribe, App);

        Assert.Equal(first.MessageId, retry.MessageId);
        Assert.Matches("^[^@<>\\s]+@tidings\\.example\\.test$", first.MessageId);
        Assert.DoesNotContain("ada@", first.MessageId, StringComparison.OrdinalIgnoreCase);
        Assert.NotEqual(first.MessageId, EmailComposer.Immediate("Bo", "bo@example.test", item, Unsubscribe, App).MessageId);
        Assert.NotEqual(first.MessageId, EmailComposer.Immediate("Ada", "ada@example.test", other, Unsubscribe, App).MessageId);

        var digest = EmailComposer.Digest("Ada", "ada@example.test", "daily", Morning, [item], Unsubscribe, App);
        Assert.Equal(digest.MessageId, EmailComposer.Digest("Ada", "ada@example.test", "daily", Morning, [item, other], Unsubscribe, App).MessageId);
        Assert.NotEqual(digest.MessageId, EmailComposer.Digest("Ada", "ada@example.test", "daily", Morning.AddDays(1), [item], Unsubscribe, App).MessageId);
        Assert.NotEqual(digest.MessageId, EmailComposer.Digest("Ada", "ada@example.test", "weekly", Morning, [item], Unsubscribe, App).MessageId);
    }

    [Fact]
    public void A_subject_is_one_line_even_when_the_title_has_line_breaks()
    {
        var message = EmailComposer.Immediate("Ada", "ada@example.test", Item("Acme\r\nBcc: everyone@example.test", "Acme", 0.9), Unsubscribe, App);

        Assert.Equal("Acme: Acme Bcc: everyone@example.test", message.Subject);
    }

    [Theory]
    [InlineData("hourly", Unsubscribe, App)]
    [InlineData("daily", "/unsubscribe?token=abc", App)]
    [InlineData("daily", "javascript:alert(1)", App)]
    [InlineData("daily", Unsubscribe, "tidings.example.test")]
    public void A_digest_refuses_a_bad_period_or_address(string period, string unsubscribe, string app)
    {
        Assert.Throws<ArgumentException>(() => EmailComposer.Digest("Ada", "ada@example.test", period, Morning, [Item("x", "Acme", 0.5)], unsubscribe, app));
    }

    [Fact]
    public void An_empty_digest_is_refused()
    {
        Assert.Throws<ArgumentException>(() => EmailComposer.Digest("Ada", "ada@example.test", "daily", Morning, [], Unsubscribe, App));
    }

    private static void AssertInOrder(string text, params string[] parts)
    {
        var at = 0;
        foreach (var part in parts)
        {
            var found = text.IndexOf(part, at, StringComparison.Ordinal);
            Assert.True(found >= 0, $"'{part}' is not after position {at} in:\n{text}");
            at = found + part.Length;
        }
    }
}
