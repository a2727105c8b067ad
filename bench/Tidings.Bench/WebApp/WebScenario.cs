using System.CommandLine;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Tidings.Bench.Dataset;

namespace Tidings.Bench.WebApp;

/// <summary>
/// `web`: the feed page people read (GET /, HTML, signed in by the session cookie) against the API page it is built from
/// (GET /api/events, JSON), the same 50 events of the large business, timed in turn after a warm-up; and the page's
/// weight: its HTML and every stylesheet and script it references, as sent and gzipped.
/// </summary>
public static partial class WebScenario
{
    public const string Name = "web";
    public const int PageSize = 50;

    /// <summary>The issue's goals, reported and never asserted.</summary>
    public const double RatioGoal = 1.5;
    public const int WeightGoalBytes = 150_000;

    private static readonly Option<int?> RequestsOption = new("--requests") { Description = "Requests of each page measured, in turn (default 1,000; --quick 50)." };

    public static Command Create()
    {
        var command = new Command(Name, "Time the feed page (GET /) against GET /api/events for the same 50 events, and weigh the page with its CSS and scripts.");
        command.Options.Add(RequestsOption);
        new ScenarioOptions(defaultEvents: 100_000, quickEvents: 5_000).AddTo(command, RunAsync);
        return command;
    }

    private static async Task RunAsync(ScenarioSettings settings, ParseResult parsed, CancellationToken ct)
    {
        var requests = parsed.GetValue(RequestsOption) ?? (settings.Quick ? 50 : 1_000);
        if (requests < 1)
            throw new BenchFailedException("--requests must be positive.");
        foreach (var target in settings.Targets)
        {
            var startedAt = DateTimeOffset.UtcNow;
            await using var database = await BenchDatabase.CreateAsync(target, settings.Keep, ct);
            var data = await DatasetLoader.LoadAsync(database, new DatasetShape(settings.Events, settings.Businesses), ct);
            await using var service = await BenchService.StartAsync(database.Settings, ct);
            using var browser = await SignInWithCookieAsync(service, data.Large.PrincipalEmail, ct);

            await CheckSamePageAsync(browser, ct);
            Func<Task> feedPage = () => GetAsync(browser, "/", ct);
            Func<Task> api = () => GetAsync(browser, $"/api/events?limit={PageSize}", ct);
            var warming = System.Diagnostics.Stopwatch.StartNew();
            do
            {
                await feedPage();
                await api();
            }
            while (warming.Elapsed < settings.WarmUpFor);
            // Budget zero: exactly `requests` rounds, each running both, the one first that went second in the round before.
            var measured = await Latency.MeasureInTurnAsync([feedPage, api], TimeSpan.Zero, requests, warmup: 0);
            var (page, json) = (measured[0], measured[1]);
            var weight = await WeighAsync(browser, ct);

            var ratio = page.P50Ms / json.P50Ms;
            List<Figure> figures = [.. data.Figures()];
            figures.AddRange(page.Figures("feed page GET /"));
            figures.AddRange(json.Figures($"GET /api/events?limit={PageSize}"));
            figures.Add(new("feed page / API (p50)", ratio, "x"));
            foreach (var part in weight)
            {
                figures.Add(new($"weight {part.Path}", part.Bytes, "bytes"));
                figures.Add(new($"weight {part.Path}, as sent", part.Sent, "bytes"));
                figures.Add(new($"weight {part.Path}, gzip", part.Gzip, "bytes"));
            }
            var (total, totalSent, totalGzip) = (weight.Sum(p => p.Bytes), weight.Sum(p => p.Sent), weight.Sum(p => p.Gzip));
            figures.Add(new("page weight", total, "bytes"));
            figures.Add(new("page weight, as sent", totalSent, "bytes"));
            figures.Add(new("page weight, gzip", totalGzip, "bytes"));

            List<BenchTable> tables =
            [
                new($"The large business's first page ({data.Large.Events:N0} of {settings.Events:N0} events), {PageSize} events, {requests:N0} requests each, p50 / p95 / p99 ms",
                    ["request", "p50", "p95", "p99", "per s"],
                    [Row("feed page GET /", page), Row($"GET /api/events?limit={PageSize}", json), ["feed page / API (p50)", $"{ratio:0.00}x", "", "", ""]]),
                new("Page weight of GET / (what the browser fetches: uncompressed, as the service sends it to a browser offering gzip and brotli, and gzip of all)",
                    ["resource", "bytes", "as sent", "gzip bytes"],
                    [.. weight.Select(p => (IReadOnlyList<string>)[p.Path, $"{p.Bytes:N0}", $"{p.Sent:N0}", $"{p.Gzip:N0}"]), ["total", $"{total:N0}", $"{totalSent:N0}", $"{totalGzip:N0}"]]),
            ];
            string[] notes =
            [
                $"Goals (reported, not asserted): feed page p50 at most {RatioGoal}x the API's: {ratio:0.00}x, {(ratio <= RatioGoal ? "met" : "MISSED")}; " +
                $"page weight under {WeightGoalBytes:N0} bytes as sent: {totalSent:N0} ({total:N0} uncompressed, {totalGzip:N0} were all gzipped), {(totalSent < WeightGoalBytes ? "met" : "MISSED")}.",
            ];
            var result = new BenchResult(Name, target.Name, database.Server, startedAt, settings.Events, settings.Quick,
                MachineInfo.Current(), figures, tables, notes);
            Console.WriteLine();
            Console.WriteLine(result.ToMarkdown());
            Console.WriteLine($"Wrote {await result.SaveAsync(settings.ResultsDirectory, ct)}");
        }
    }

    private static IReadOnlyList<string> Row(string name, Latency latency) =>
        [name, $"{latency.P50Ms:0.00}", $"{latency.P95Ms:0.00}", $"{latency.P99Ms:0.00}", $"{latency.PerSecond:0}"];

    /// <summary>Signs in as a browser does (POST /api/auth/login sets the session cookie) and answers a client that keeps the cookie.</summary>
    private static async Task<HttpClient> SignInWithCookieAsync(BenchService service, string email, CancellationToken ct)
    {
        var http = new HttpClient(new SocketsHttpHandler { CookieContainer = new CookieContainer(), UseCookies = true, AllowAutoRedirect = false })
        {
            BaseAddress = service.BaseAddress,
        };
        http.DefaultRequestHeaders.UserAgent.ParseAdd("Tidings.Bench");
        using var response = await http.PostAsJsonAsync("/api/auth/login", new { email, password = DatasetGenerator.Password }, ct);
        if (!response.IsSuccessStatusCode)
            throw new BenchFailedException($"signing in as {email} answered {(int)response.StatusCode}.");
        return http;
    }

    /// <summary>The body as a browser receives it: it offers gzip and brotli, and the client here does not decompress.</summary>
    private static async Task<long> SentAsync(HttpClient http, string path, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.AcceptEncoding.ParseAdd("gzip, br");
        using var response = await http.SendAsync(request, ct);
        if (response.StatusCode != HttpStatusCode.OK)
            throw new BenchFailedException($"GET {path} answered {(int)response.StatusCode}.");
        return (await response.Content.ReadAsByteArrayAsync(ct)).LongLength;
    }

    private static async Task<byte[]> GetAsync(HttpClient http, string path, CancellationToken ct)
    {
        using var response = await http.GetAsync(path, ct);
        if (response.StatusCode != HttpStatusCode.OK)
            throw new BenchFailedException($"GET {path} answered {(int)response.StatusCode}{(response.Headers.Location is { } to ? $" (to {to})" : "")}.");
        return await response.Content.ReadAsByteArrayAsync(ct);
    }

    /// <summary>Fails the run unless the page shows the API's page: the same 50 events, so the two figures are of the same work.</summary>
    private static async Task CheckSamePageAsync(HttpClient http, CancellationToken ct)
    {
        var html = System.Text.Encoding.UTF8.GetString(await GetAsync(http, "/", ct));
        var shown = ArticleId().Matches(html).Select(m => Guid.Parse(m.Groups["id"].Value)).ToList();
        var api = await http.GetFromJsonAsync<ApiPage>($"/api/events?limit={PageSize}", ct) ?? throw new BenchFailedException("GET /api/events had no body.");
        if (shown.Count != PageSize || !shown.SequenceEqual(api.Items.Select(i => i.Id)))
            throw new BenchFailedException($"the feed page shows {shown.Count} events, not the API's {api.Items.Count} in its order.");
    }

    private sealed record ApiPage(IReadOnlyList<ApiEvent> Items);
    private sealed record ApiEvent(Guid Id);

    public sealed record Part(string Path, long Bytes, long Sent, long Gzip);

    /// <summary>The page's HTML and every stylesheet and script it names, each as sent and as gzip (optimal) would send it.</summary>
    private static async Task<List<Part>> WeighAsync(HttpClient http, CancellationToken ct)
    {
        var html = await GetAsync(http, "/", ct);
        var text = System.Text.Encoding.UTF8.GetString(html);
        List<Part> parts = [new("/ (HTML)", html.Length, await SentAsync(http, "/", ct), Gzipped(html))];
        var assets = Stylesheet().Matches(text).Concat(Script().Matches(text)).Select(m => WebUtility.HtmlDecode(m.Groups["href"].Value)).Distinct();
        foreach (var path in assets)
        {
            var body = await GetAsync(http, path, ct);
            parts.Add(new(path, body.Length, await SentAsync(http, path, ct), Gzipped(body)));
        }
        if (parts.Count < 3)
            throw new BenchFailedException("the feed page names no stylesheet or no script: the page weight would leave them out.");
        return parts;
    }

    private static long Gzipped(byte[] body)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
            gzip.Write(body);
        return buffer.Length;
    }

    [GeneratedRegex("""<article id="event-(?<id>[0-9a-fA-F-]{36})""")]
    private static partial Regex ArticleId();

    [GeneratedRegex("""<link[^>]*\brel="stylesheet"[^>]*\bhref="(?<href>/[^"]*)"|<link[^>]*\bhref="(?<href>/[^"]*)"[^>]*\brel="stylesheet""")]
    private static partial Regex Stylesheet();

    [GeneratedRegex("""<script[^>]*\bsrc="(?<href>/[^"]*)""")]
    private static partial Regex Script();
}
