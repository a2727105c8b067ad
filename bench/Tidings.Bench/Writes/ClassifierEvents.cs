using System.Text.Json;
using Tidings.Bench.Dataset;
using Tidings.Data;
using Tidings.Events;

namespace Tidings.Bench.Writes;

/// <summary>One new event as a classifier sends it; <see cref="RepeatOf"/> is the earlier one of the same batch it repeats.</summary>
public sealed record NewEvent(
    Guid ClientId, string Title, string Url, string Description, string Source, string Category,
    double RelevanceScore, double SentimentScore, double ConfidenceScore, DateTime EventDate, int? RepeatOf)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public bool IsRepeat => RepeatOf is not null;

    /// <summary>The POST /api/events body, serialised ahead of time as a classifier would hold it.</summary>
    public byte[] Body() => JsonSerializer.SerializeToUtf8Bytes(new
    {
        clientId = ClientId, title = Title, description = Description, url = Url, source = Source, sourceType = "news",
        category = Category, tags = new[] { Category }, relevanceScore = RelevanceScore, sentimentScore = SentimentScore,
        confidenceScore = ConfidenceScore, eventDate = EventDate,
    }, Json);

    /// <summary>The row the API would store for it, for the plain INSERT and COPY ceilings (duplicate link and stamps included).</summary>
    public Event Row(Guid businessId, Guid principalId, DateTime now, IReadOnlyList<Event> earlier) => new()
    {
        BusinessId = businessId, ClientId = ClientId, Title = Title, Description = Description, Url = Url, Source = Source,
        SourceType = "news", Category = Category, Tags = [Category], RelevanceScore = RelevanceScore,
        SentimentScore = SentimentScore, ConfidenceScore = ConfidenceScore, EventDate = EventDate, DiscoveredAt = now,
        ContentHash = ContentHash.Of(Url, Title, ClientId), DuplicateOfEventId = RepeatOf is { } j ? earlier[j].Id : null,
        CreatedByUserId = principalId, CreatedAt = now, UpdatedAt = now,
    };
}

/// <summary>
/// New events for one business as a classifier would post them: spread over its live clients, one in ten
/// at or above the default notification threshold (0.8), one in twenty repeating the URL and title of an
/// earlier event of the same batch (far enough back that its POST has finished, so dedup can see it).
/// Deterministic for a batch name.
/// </summary>
public static class ClassifierEvents
{
    public const double HighRelevanceShare = 0.10;
    public const double RepeatShare = 0.05;

    /// <summary>How far back a repeat reaches at least: more than any number of requests in flight.</summary>
    private const int RepeatLag = 64;

    private static readonly string[] Categories = ["funding", "product_launch", "partnership", "earnings", "leadership_change", "expansion", "acquisition"];
    private static readonly string[] Sources = ["TechCrunch", "Reuters", "Bloomberg", "Company blog", "PR Newswire"];

    public static IReadOnlyList<NewEvent> Make(GeneratedBusiness business, string batch, int count)
    {
        var random = new Random(StableSeed(batch));
        var now = DateTime.UtcNow;
        var events = new List<NewEvent>(count);
        for (var i = 0; i < count; i++)
        {
            var relevance = random.NextDouble() < HighRelevanceShare
                ? Math.Round(0.8 + 0.2 * random.NextDouble(), 3)
                : Math.Round(0.79 * random.NextDouble(), 3);
            if (i > RepeatLag && random.NextDouble() < RepeatShare)
            {
                var j = random.Next(i - RepeatLag);
                var original = events[j].RepeatOf is { } first ? events[first] : events[j];
                events.Add(original with
                {
                    RelevanceScore = relevance, Source = Sources[random.Next(Sources.Length)],
                    RepeatOf = events[j].RepeatOf ?? j,
                });
                continue;
            }
            var client = business.LiveClientIds[random.Next(business.LiveClientIds.Count)];
            var category = Categories[random.Next(Categories.Length)];
            events.Add(new NewEvent(
                client,
                // One number for the batch and the story: two stories' titles then state different facts, which keeps the
                // near-duplicate rule (NearDuplicates) from taking a warm-up's "story w-0-17" and "story 17" for one story.
                $"Classifier story {batch} {(uint)StableSeed(batch)}{i:D6}: {category.Replace('_', ' ')} at client {client.ToString()[^6..]}",
                $"https://news.example/bench-write/{batch}/{i}",
                $"Story {i} of batch {batch}, as a news classifier would pass it on ({category}): " +
                "a paragraph of text long enough to give the row a realistic width.",
                Sources[random.Next(Sources.Length)], category, relevance,
                Math.Round(random.NextDouble() * 2 - 1, 3), Math.Round(random.NextDouble(), 3),
                StoredTime.Of(now.AddMinutes(-random.Next(10, 3 * 24 * 60))), null));
        }
        return events;
    }

    // string.GetHashCode and HashCode differ from process to process; the batch must not.
    private static int StableSeed(string batch) => batch.Aggregate(42, (seed, c) => unchecked(seed * 31 + c));

    /// <summary>The rows the API would store for <paramref name="events"/>, fresh ids, duplicate links to earlier rows of the same list.</summary>
    public static List<Event> Rows(IReadOnlyList<NewEvent> events, GeneratedBusiness business)
    {
        var now = StoredTime.Of(DateTime.UtcNow);
        var rows = new List<Event>(events.Count);
        foreach (var e in events)
            rows.Add(e.Row(business.Id, business.PrincipalUserId, now, rows));
        return rows;
    }
}
