using System.Security.Cryptography;
using System.Text;

namespace Tidings.Monitoring.Fetching;

/// <summary>
/// Proposes feeds for a client's website: those its home page names in &lt;link rel="alternate"&gt;, else (or when
/// none of those is a feed) the usual paths. Every candidate is fetched and kept only when <c>recognise</c>
/// says it is a feed. A bare domain is tried over https, then over http only when https does not connect.
/// A few candidates are fetched at a time, and the whole search stops at <see cref="Budget"/> with what it has.
/// </summary>
public sealed class FeedDiscovery(FeedFetcher fetcher)
{
    public const int MaxFeeds = 5;
    public static readonly TimeSpan Budget = TimeSpan.FromSeconds(45);

    private const int MaxNamedCandidates = 10;
    private const int FetchesAtOnce = 3;

    private static readonly string[] UsualPaths =
        ["/feed", "/rss", "/feed.xml", "/rss.xml", "/atom.xml", "/index.xml", "/blog/feed", "/news/feed", "/press/feed", "/newsroom/feed"];

    /// <param name="recognise">The feed's title when the fetched answer is a feed ("" for an untitled one), null when it is not.</param>
    public async Task<IReadOnlyList<DiscoveredFeed>> DiscoverAsync(string domainOrUrl, Func<FetchResult, string?> recognise, CancellationToken ct)
    {
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(ct);
        budget.CancelAfter(Budget);
        var found = new List<DiscoveredFeed>();
        try
        {
            if (await HomePageAsync(domainOrUrl, budget.Token) is not { } home)
                return found;
            if (home.Outcome == FetchOutcome.Fetched && recognise(home) is { } ownTitle)
                return [new DiscoveredFeed(home.FinalUrl, Titled(ownTitle))];
            var named = home.Outcome == FetchOutcome.Fetched && home.Body is { } page
                ? FeedLinks.In(Encoding.UTF8.GetString(page), home.FinalUrl).Take(MaxNamedCandidates).ToList()
                : [];
            var seen = new HashSet<string>();
            await KeepFeedsAsync(named, recognise, found, seen, budget.Token);
            if (found.Count == 0)
            {
                var root = new Uri(home.FinalUrl.GetLeftPart(UriPartial.Authority));
                await KeepFeedsAsync(UsualPaths.Select(p => new DiscoveredFeed(new Uri(root, p), null)).ToList(), recognise, found, seen, budget.Token);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // Out of time: what was found so far is still worth proposing.
        }
        return found;
    }

    /// <summary>The home page answer (a failed one too, when the server answered: its usual paths may still serve feeds); null when nothing answered.</summary>
    private async Task<FetchResult?> HomePageAsync(string domainOrUrl, CancellationToken ct)
    {
        var text = domainOrUrl.Trim();
        if (text.Contains("://", StringComparison.Ordinal))
            return Uri.TryCreate(text, UriKind.Absolute, out var given) ? Answered(await fetcher.FetchAsync(given, null, null, ct)) : null;
        if (!Uri.TryCreate("https://" + text.TrimEnd('/') + "/", UriKind.Absolute, out var secure))
            return null;
        var result = await fetcher.FetchAsync(secure, null, null, ct);
        if (result is { Outcome: FetchOutcome.Failed, StatusCode: null, Permanent: false })
            result = await fetcher.FetchAsync(new UriBuilder(secure) { Scheme = "http", Port = secure.IsDefaultPort ? -1 : secure.Port }.Uri, null, null, ct);
        return Answered(result);
    }

    private static FetchResult? Answered(FetchResult result) => result.StatusCode is null ? null : result;

    private async Task KeepFeedsAsync(List<DiscoveredFeed> candidates, Func<FetchResult, string?> recognise, List<DiscoveredFeed> found, HashSet<string> seen, CancellationToken ct)
    {
        var results = new FetchResult?[candidates.Count];
        try
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, candidates.Count), new ParallelOptions { MaxDegreeOfParallelism = FetchesAtOnce, CancellationToken = ct },
                async (i, token) => results[i] = await fetcher.FetchAsync(candidates[i].Url, null, null, token));
        }
        finally
        {
            // In the candidates' order, so the page's own first choice comes first; the same feed under two
            // addresses (a redirect, or /feed and /rss serving one document) is proposed once.
            for (var i = 0; i < candidates.Count && found.Count < MaxFeeds; i++)
            {
                if (results[i] is not { Outcome: FetchOutcome.Fetched, Body: { } body } result || recognise(result) is not { } title)
                    continue;
                var keys = new[] { candidates[i].Url.AbsoluteUri, result.FinalUrl.AbsoluteUri, Convert.ToHexString(SHA256.HashData(body)) };
                if (keys.Any(seen.Contains))
                    continue;
                seen.UnionWith(keys);
                found.Add(new DiscoveredFeed(candidates[i].Url, Titled(title) ?? candidates[i].Title));
            }
        }
    }

    private static string? Titled(string title) => string.IsNullOrWhiteSpace(title) ? null : title.Trim();
}
