using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Tidings.Events;

namespace Tidings.Bench.Drills;

/// <summary>A signed-up business as the drills use it: its owner's bearer token and the ids of what it holds.</summary>
public sealed record DrillBusiness(Guid Id, Guid OwnerId, string Email, string Token, List<Guid> ClientIds, List<Guid> EventIds, Guid TagId)
{
    public const string Password = "drill-password-1";

    public HttpClient Client(Uri baseAddress)
    {
        var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(100) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        http.DefaultRequestHeaders.UserAgent.ParseAdd("Tidings.Drill");
        return http;
    }
}

/// <summary>
/// The drills' data, made through the API of the running service as a user would make it: a business with
/// clients, events (by /api/events/batch) and a tag; and a second, foreign business whose ids the hostile
/// requests try.
/// </summary>
public static class DrillData
{
    // Only the fields the drills read, so the drills do not depend on how the API's own DTOs are declared.
    private sealed record Session(string Token, SessionUser User);
    private sealed record SessionUser(Guid Id, Created Business);
    private sealed record Created(Guid Id);
    private sealed record CreatedBatch(List<Created> Events);
    private sealed record MarkedRead(int Marked);

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static readonly string[] Categories = ["funding", "acquisition", "leadership_change", "product_launch", "partnership"];

    public static async Task<DrillBusiness> CreateAsync(Uri service, string name, int clients, int events, CancellationToken ct)
    {
        var email = $"owner-{Guid.NewGuid():N}@drill.test";
        using var anonymous = new HttpClient { BaseAddress = service };
        var session = await ReadAsync<Session>(await anonymous.PostAsJsonAsync("/api/auth/signup",
            new { businessName = name, email, password = DrillBusiness.Password, displayName = $"{name} owner" }, ct), ct);
        var business = new DrillBusiness(session.User.Business.Id, session.User.Id, email, session.Token, [], [], Guid.Empty);
        using var http = business.Client(service);
        for (var i = 0; i < clients; i++)
        {
            var client = await ReadAsync<Created>(await http.PostAsJsonAsync("/api/clients",
                new { name = $"{name} client {i}", domain = $"client{i}.example", searchKeywords = new[] { $"client{i}" } }, ct), ct);
            business.ClientIds.Add(client.Id);
        }
        for (var done = 0; done < events; done += EventCreation.MaxBatch)
        {
            var batch = Enumerable.Range(done, Math.Min(EventCreation.MaxBatch, events - done))
                .Select(i => NewEvent(business.ClientIds[i % business.ClientIds.Count], $"{name} story {i}", i)).ToList();
            var created = await ReadAsync<CreatedBatch>(await http.PostAsJsonAsync("/api/events/batch", new { events = batch }, ct), ct);
            business.EventIds.AddRange(created.Events.Select(e => e.Id));
        }
        // The owner has read some of them, as a business with this many events would have: the interactions table is not
        // empty when the load starts (an empty one is planned as empty, and the first minute measures that).
        await ReadAsync<MarkedRead>(await http.PostAsJsonAsync("/api/events/mark-read", new { ids = business.EventIds.Skip(business.EventIds.Count / 2).Take(1_000) }, ct), ct);
        var tag = await ReadAsync<Created>(await http.PostAsJsonAsync("/api/tags", new { name = $"{name} tag", color = "#336699" }, ct), ct);
        return business with { TagId = tag.Id };
    }

    /// <summary>A valid event body; <paramref name="i"/> spreads dates over a year and picks a category.</summary>
    public static object NewEvent(Guid clientId, string title, int i) => new
    {
        clientId, title, url = $"https://news.example/{Uri.EscapeDataString(title)}", source = "drill", sourceType = "news",
        category = Categories[i % Categories.Length], relevanceScore = 0.5,
        eventDate = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(i * 37 % 525_600),
    };

    public static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken ct)
    {
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(ct);
            if (!response.IsSuccessStatusCode)
                throw new BenchFailedException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.PathAndQuery} answered {(int)response.StatusCode}: {body}");
            return JsonSerializer.Deserialize<T>(body, Json) ?? throw new BenchFailedException($"{response.RequestMessage?.RequestUri} answered no body.");
        }
    }
}
