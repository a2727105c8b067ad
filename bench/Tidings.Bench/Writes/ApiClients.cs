using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace Tidings.Bench.Writes;

/// <summary>What the service answered to a list of POSTs: per-request timing, and which events it marked as duplicates.</summary>
public sealed record ApiRun(Latency Latency, bool[] Duplicates, CpuUse Cpu);

/// <summary>
/// Signed-in API clients, one HttpClient (so one connection) each, posting events as a classifier
/// would: each signs in once and keeps its bearer token for every request.
/// </summary>
public sealed class ApiClients(IReadOnlyList<HttpClient> clients) : IDisposable
{
    public int Count => clients.Count;

    public static async Task<ApiClients> SignInAsync(BenchService service, string email, string password, int count, CancellationToken ct)
    {
        var signedIn = new List<HttpClient>();
        try
        {
            for (var i = 0; i < count; i++)
                signedIn.Add(await service.SignInAsync(email, password, ct));
            return new ApiClients(signedIn);
        }
        catch
        {
            signedIn.ForEach(c => c.Dispose());
            throw;
        }
    }

    /// <summary>POSTs every event once, all clients at a time; any answer but 201 Created fails the run.</summary>
    public async Task<ApiRun> PostAsync(IReadOnlyList<NewEvent> events, CancellationToken ct)
    {
        var bodies = events.Select(e => e.Body()).ToList();
        var duplicates = new bool[events.Count];
        var cpu = new CpuMeter();
        var latency = await ConcurrentRun.MeasureAsync(events.Count, clients.Count,
            async (client, i, token) => duplicates[i] = await PostAsync(clients[client], bodies[i], token), ct);
        return new ApiRun(latency, duplicates, cpu.Stop());
    }

    /// <summary>One POST by the first client; answers whether the service marked the event a duplicate.</summary>
    public Task<bool> PostOneAsync(NewEvent ev, CancellationToken ct) => PostAsync(clients[0], ev.Body(), ct);

    public async Task GetAsync(string path, CancellationToken ct)
    {
        using var response = await clients[0].GetAsync(path, ct);
        if (!response.IsSuccessStatusCode)
            throw new BenchFailedException($"GET {path} answered {(int)response.StatusCode}.");
    }

    private static async Task<bool> PostAsync(HttpClient client, byte[] body, CancellationToken ct)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        try
        {
            using var response = await client.PostAsync("/api/events", content, ct);
            if (response.StatusCode != HttpStatusCode.Created)
            {
                var text = await response.Content.ReadAsStringAsync(ct);
                throw new BenchFailedException($"POST /api/events answered {(int)response.StatusCode}, not 201: {text[..Math.Min(text.Length, 300)]}");
            }
            var created = await response.Content.ReadFromJsonAsync<Created>(ct)
                ?? throw new BenchFailedException("POST /api/events answered 201 with no body.");
            return created.IsDuplicate;
        }
        catch (HttpRequestException e)
        {
            throw new BenchFailedException($"POST /api/events failed: {e.Message}");
        }
    }

    private sealed record Created(Guid Id, bool IsDuplicate);

    public void Dispose()
    {
        foreach (var client in clients)
            client.Dispose();
    }
}
