using System.Text.Json;
using Tidings.Delivery.Webhooks;

namespace Tidings.Tests.Delivery.Webhooks;

public sealed class WebhookPayloadTests
{
    private sealed record EventData(long Id, string ClientName, string? Category);

    [Fact]
    public void The_envelope_has_the_type_the_utc_time_and_the_data_in_camel_case()
    {
        var occurred = new DateTimeOffset(2022, 11, 3, 21, 26, 10, TimeSpan.FromHours(1)).AddTicks(3_445_220);

        var json = WebhookPayload.For("event.created", occurred, new EventData(42, "Acme", null));

        Assert.Equal("""{"type":"event.created","timestamp":"2022-11-03T20:26:10.344522Z","data":{"id":42,"clientName":"Acme","category":null}}""", json);
    }

    [Fact]
    public void The_envelope_round_trips_through_a_receivers_parser()
    {
        var occurred = new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

        using var document = JsonDocument.Parse(WebhookPayload.For("event.created", occurred, new { id = 7, headline = "Acme \"raises\" <€5M>" }));

        Assert.Equal(occurred, document.RootElement.GetProperty("timestamp").GetDateTimeOffset());
        Assert.Equal("Acme \"raises\" <€5M>", document.RootElement.GetProperty("data").GetProperty("headline").GetString());
    }

    [Theory]
    [InlineData("event")]
    [InlineData("event.created_v2")]
    public void Well_formed_event_types_are_accepted(string type)
    {
        Assert.Contains($"\"type\":\"{type}\"", WebhookPayload.For(type, DateTimeOffset.UnixEpoch, new { }));
    }

    [Theory]
    [InlineData("")]
    [InlineData("event..created")]
    [InlineData(".event")]
    [InlineData("event created")]
    [InlineData("événement.créé")]
    public void Malformed_event_types_are_refused(string type)
    {
        Assert.Throws<ArgumentException>(() => WebhookPayload.For(type, DateTimeOffset.UnixEpoch, new { }));
    }
}
