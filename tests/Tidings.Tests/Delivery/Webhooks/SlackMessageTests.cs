using System.Text.Json;
using Tidings.Delivery.Webhooks;

namespace Tidings.Tests.Delivery.Webhooks;

public sealed class SlackMessageTests
{
    private static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement.Clone();

    private static string[] BlockTypes(JsonElement message) =>
        message.GetProperty("blocks").EnumerateArray().Select(b => b.GetProperty("type").GetString()!).ToArray();

    [Fact]
    public void A_message_has_a_fallback_text_a_linked_title_section_its_fields_and_the_event_type()
    {
        var message = Parse(SlackMessage.For("event.created", "Acme raises $5M", "Series A led by Example Ventures.",
            "https://tidings.example/events/42", [("Client", "Acme"), ("Category", "Funding")]));

        Assert.Equal(["section", "section", "context"], BlockTypes(message));
        var blocks = message.GetProperty("blocks");
        var main = blocks[0].GetProperty("text");
        Assert.Equal("mrkdwn", main.GetProperty("type").GetString());
        Assert.Equal("*<https://tidings.example/events/42|Acme raises $5M>*\nSeries A led by Example Ventures.", main.GetProperty("text").GetString());
        Assert.Equal(["*Client*\nAcme", "*Category*\nFunding"],
            blocks[1].GetProperty("fields").EnumerateArray().Select(f => f.GetProperty("text").GetString()));
        Assert.Equal("event.created", blocks[2].GetProperty("elements")[0].GetProperty("text").GetString());
        Assert.Equal("*Acme raises $5M*\nSeries A led by Example Ventures.\nhttps://tidings.example/events/42", message.GetProperty("text").GetString());
    }

    [Fact]
    public void Without_text_link_or_fields_only_the_title_and_type_remain()
    {
        var message = Parse(SlackMessage.For("event.created", "Acme raises $5M", "  ", null, []));

        Assert.Equal(["section", "context"], BlockTypes(message));
        Assert.Equal("*Acme raises $5M*", message.GetProperty("blocks")[0].GetProperty("text").GetProperty("text").GetString());
        Assert.Equal("*Acme raises $5M*", message.GetProperty("text").GetString());
    }

    [Fact]
    public void Ampersands_and_angle_brackets_are_escaped_everywhere_slack_reads_mrkdwn()
    {
        var message = Parse(SlackMessage.For("event.created", "Smith & Sons <acquired> by <!channel>", "a < b && c > d",
            "https://tidings.example/e?a=1&b=<2>|3", [("R&D", "<@U123>")]));

        var main = message.GetProperty("blocks")[0].GetProperty("text").GetProperty("text").GetString()!;
        Assert.Equal("*<https://tidings.example/e?a=1&b=%3C2%3E%7C3|Smith &amp; Sons &lt;acquired&gt; by &lt;!channel&gt;>*\na &lt; b &amp;&amp; c &gt; d", main);
        Assert.Equal("*R&amp;D*\n&lt;@U123&gt;", message.GetProperty("blocks")[1].GetProperty("fields")[0].GetProperty("text").GetString());
        Assert.DoesNotContain("<!channel>", message.GetProperty("text").GetString());
        Assert.DoesNotContain("<@U123>", message.GetRawText());
    }

    [Fact]
    public void Long_texts_are_cut_to_slacks_limits_without_splitting_an_escape()
    {
        var text = string.Concat(Enumerable.Repeat("R&D <", 2000));
        var fields = Enumerable.Range(1, 25).Select(i => ($"Label {i}", new string('&', 3000))).ToList();

        var message = Parse(SlackMessage.For("event.created", new string('T', 400), text, "https://tidings.example/e/1", fields));

        var blocks = message.GetProperty("blocks");
        var main = blocks[0].GetProperty("text").GetProperty("text").GetString()!;
        Assert.True(main.Length <= SlackMessage.SectionTextLimit, $"{main.Length} characters");
        Assert.EndsWith("…", main);
        Assert.Matches(@"^(?:[^&]|&amp;|&lt;|&gt;)*$", main);
        Assert.True(message.GetProperty("text").GetString()!.Length <= SlackMessage.SectionTextLimit);
        Assert.Contains("|" + new string('T', SlackMessage.TitleLimit - 1) + "…>*\n", main);

        var fieldSections = blocks.EnumerateArray().Where(b => b.TryGetProperty("fields", out _)).ToList();
        Assert.Equal([10, 10, 5], fieldSections.Select(s => s.GetProperty("fields").GetArrayLength()));
        Assert.All(fieldSections.SelectMany(s => s.GetProperty("fields").EnumerateArray()), field =>
        {
            var shown = field.GetProperty("text").GetString()!;
            Assert.True(shown.Length <= SlackMessage.FieldTextLimit, $"{shown.Length} characters");
            Assert.Matches(@"^(?:[^&]|&amp;)*…$", shown);
        });
    }

    [Fact]
    public void More_fields_than_four_sections_hold_are_left_out()
    {
        var fields = Enumerable.Range(1, 45).Select(i => ($"L{i}", $"V{i}")).ToList();

        var message = Parse(SlackMessage.For("event.created", "T", null, null, fields));

        Assert.Equal(1 + SlackMessage.FieldSections + 1, message.GetProperty("blocks").GetArrayLength());
        Assert.DoesNotContain("L41", message.GetRawText());
    }

    [Fact]
    public void A_title_on_several_lines_is_shown_on_one()
    {
        var message = Parse(SlackMessage.For("event.created", "Acme\r\n raises\n$5M", null, "https://tidings.example/e/1", []));

        Assert.Equal("*<https://tidings.example/e/1|Acme raises $5M>*", message.GetProperty("blocks")[0].GetProperty("text").GetProperty("text").GetString());
    }

    [Theory]
    [InlineData("javascript:alert(1)")]
    [InlineData("/events/42")]
    [InlineData("ftp://tidings.example/e")]
    public void A_link_that_is_not_an_absolute_web_address_is_refused(string link)
    {
        Assert.Throws<ArgumentException>(() => SlackMessage.For("event.created", "T", null, link, []));
    }

    [Fact]
    public void A_link_too_long_to_leave_room_for_the_text_is_left_out()
    {
        var message = Parse(SlackMessage.For("event.created", "T", "text", "https://tidings.example/?q=" + new string('a', 2000), []));

        Assert.Equal("*T*\ntext", message.GetProperty("blocks")[0].GetProperty("text").GetProperty("text").GetString());
    }
}
