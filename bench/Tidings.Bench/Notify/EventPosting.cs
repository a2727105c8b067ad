using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Tidings.Bench.Drills;

namespace Tidings.Bench.Notify;

/// <summary>One event posted to the service: when it was sent and answered (Stopwatch timestamps), its status, and its id when created.</summary>
public sealed record PostedEvent(long SentAt, long AnsweredAt, int Status, Guid? EventId);

/// <summary>
/// The latency phase's side of the API: businesses signed up through the running service, each with a client and an
/// enabled json endpoint on the receiver that wants event.created (as an admin makes them), and new events posted by
/// their owners at a steady rate, each request sent on its schedule whatever the earlier ones are doing.
/// </summary>
public sealed class EventPosting(IReadOnlyList<(HttpClient Http, Guid ClientId)> owners) : IDisposable
{
    private sealed record Session(string Token, SessionUser User);
    private sealed record SessionUser(Guid Id);
    private sealed record Created(Guid Id);

    private int _next;

    public static async Task<EventPosting> SignUpAsync(Uri service, int businesses, string endpointUrl, CancellationToken ct)
    {
        var owners = new List<(HttpClient, Guid)>();
        using var anonymous = new HttpClient { BaseAddress = service };
        for (var b = 0; b < businesses; b++)
        {
            var name = $"Notify Latency {b}";
            var session = await DrillData.ReadAsync<Session>(await anonymous.PostAsJsonAsync("/api/auth/signup",
                new { businessName = name, email = $"owner-{Guid.NewGuid():N}@notify.test", password = DrillBusiness.Password, displayName = $"{name} owner" }, ct), ct);
            var http = new HttpClient { BaseAddress = service, Timeout = TimeSpan.FromSeconds(60) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", session.Token);
            var client = await DrillData.ReadAsync<Created>(await http.PostAsJsonAsync("/api/clients",
                new { name = $"{name} client", domain = $"latency{b}.example", searchKeywords = new[] { $"latency{b}" } }, ct), ct);
            await DrillData.ReadAsync<Created>(await http.PostAsJsonAsync("/api/webhooks",
                new { url = endpointUrl, format = "json", eventTypes = new[] { "event.created" }, description = "notify bench receiver" }, ct), ct);
            owners.Add((http, client.Id));
        }
        return new EventPosting(owners);
    }

    /// <summary>
    /// Posts <paramref name="count"/> events at <paramref name="perSecond"/>, the businesses in turn; answers each one's
    /// times once every request has been answered.
    /// </summary>
    public async Task<List<PostedEvent>> PostAsync(int count, double perSecond, string label, CancellationToken ct)
    {
        var start = Stopwatch.GetTimestamp();
        var requests = new List<Task<PostedEvent>>(count);
        for (var i = 0; i < count; i++)
        {
            var due = start + (long)(i / perSecond * Stopwatch.Frequency);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.Zero)
                await Task.Delay(wait, ct);
            requests.Add(PostOneAsync(Interlocked.Increment(ref _next), label, ct));
        }
        return [.. await Task.WhenAll(requests)];
    }

    private async Task<PostedEvent> PostOneAsync(int number, string label, CancellationToken ct)
    {
        var (http, clientId) = owners[number % owners.Count];
        var body = DrillData.NewEvent(clientId, $"{label} story {number}: Northwind signs a supply agreement with Contoso", number);
        var sent = Stopwatch.GetTimestamp();
        try
        {
            using var response = await http.PostAsJsonAsync("/api/events", body, ct);
            var answered = Stopwatch.GetTimestamp();
            Guid? id = null;
            if (response.StatusCode == HttpStatusCode.Created)
                id = (await response.Content.ReadFromJsonAsync<Created>(DrillData.Json, ct))?.Id;
            return new PostedEvent(sent, answered, (int)response.StatusCode, id);
        }
        catch (HttpRequestException)
        {
            return new PostedEvent(sent, Stopwatch.GetTimestamp(), 599, null);
        }
    }

    public void Dispose()
    {
        foreach (var (http, _) in owners)
            http.Dispose();
    }
}
