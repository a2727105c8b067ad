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
public sealed class ApiClients(IReadOnlyList<HttpClient> clients, bool owned = true) : IDisposable
{
    public int Count => clients.Count;

    /// <summary>
    /// The first <paramref name="count"/> clients, still owned by this set: every way of a run signs in once,
    /// at the start, since the service throttles repeated sign-ins of one account (as it should).
    /// </summary>
    public ApiClients First(int count) => count <= clients.Count
        ? new ApiClients(clients.Take(count).ToList(), owned: false)
        : throw new ArgumentOutOfRangeException(nameof(count), $"Only {clients.Count} clients are signed in.");

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

    /// <summary>
    /// POSTs the events to /api/events/batch, <paramref name="batchSize"/> per request in order, all clients at a
    /// time; any answer but 200 with every event created fails the run. Latency is per request.
    /// </summary>
    public async Task<ApiRun> PostBatchesAsync(IReadOnlyList<NewEvent> events, int batchSize, CancellationToken ct)
    {
        var batches = events.Chunk(batchSize).Select(BatchBody).ToList();
        var duplicates = new bool[events.Count];
        var cpu = new CpuMeter();
        var latency = await ConcurrentRun.MeasureAsync(batches.Count, clients.Count, async (client, i, token) =>
        {
            var marked = await PostBatchAsync(clients[client], batches[i], token);
            if (marked.Length != Math.Min(batchSize, events.Count - i * batchSize))
                throw new BenchFailedException($"POST /api/events/batch created {marked.Length} events of a batch of {batchSize}.");
            marked.CopyTo(duplicates, i * batchSize);
        }, ct);
        return new ApiRun(latency, duplicates, cpu.Stop());
    }

    /// <summary>The batch body from the events' own bodies, serialised ahead of time as a poller would hold them.</summary>
    private static byte[] BatchBody(NewEvent[] events)
    {
        var body = new List<byte>("{\"events\":["u8.ToArray());
        for (var i = 0; i < events.Length; i++)
        {
            if (i > 0)
                body.Add((byte)',');
            body.AddRange(events[i].Body());
        }
        body.AddRange("]}"u8.ToArray());
        return [.. body];
    }

    private static async Task<bool[]> PostBatchAsync(HttpClient client, byte[] body, CancellationToken ct) =>
        (await PostAsync<CreatedBatch>(client, "/api/events/batch", body, HttpStatusCode.OK, ct)).Events.Select(e => e.IsDuplicate).ToArray();

    private sealed record CreatedBatch(List<Created> Events);

    /// <summary>One POST by the first client; answers whether the service marked the event a duplicate.</summary>
    public Task<bool> PostOneAsync(NewEvent ev, CancellationToken ct) => PostAsync(clients[0], ev.Body(), ct);

    public async Task GetAsync(string path, CancellationToken ct)
    {
        using var response = await clients[0].GetAsync(path, ct);
        if (!response.IsSuccessStatusCode)
            throw new BenchFailedException($"GET {path} answered {(int)response.StatusCode}.");
    }

    private static async Task<bool> PostAsync(HttpClient client, byte[] body, CancellationToken ct) =>
        (await PostAsync<Created>(client, "/api/events", body, HttpStatusCode.Created, ct)).IsDuplicate;

    /// <summary>A POST of a JSON body that must answer <paramref name="expected"/> with a <typeparamref name="T"/>; anything else fails the run.</summary>
    private static async Task<T> PostAsync<T>(HttpClient client, string path, byte[] body, HttpStatusCode expected, CancellationToken ct)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        try
        {
            using var response = await client.PostAsync(path, content, ct);
            if (response.StatusCode != expected)
            {
                var text = await response.Content.ReadAsStringAsync(ct);
                throw new BenchFailedException($"POST {path} answered {(int)response.StatusCode}, not {(int)expected}: {text[..Math.Min(text.Length, 300)]}");
            }
            return await response.Content.ReadFromJsonAsync<T>(ct)
                ?? throw new BenchFailedException($"POST {path} answered {(int)expected} with no body.");
        }
        catch (HttpRequestException e)
        {
            throw new BenchFailedException($"POST {path} failed: {e.Message}");
        }
    }

    private sealed record Created(Guid Id, bool IsDuplicate);

    public void Dispose()
    {
        if (!owned)
            return;
        foreach (var client in clients)
            client.Dispose();
    }
}
