using Tidings.Data;
using Tidings.Events;
using Tidings.Monitoring.Feeds;
using Tidings.Monitoring.Fetching;
using Tidings.Monitoring.Matching;

namespace Tidings.Monitoring;

/// <summary>What one poll of a source found: how the fetch went, the validators to keep, and the items it kept, as events to create.</summary>
public sealed record PollOutcome(ClaimedSource Source, FetchOutcome Outcome, string? FeedUrl, string? Title, string? ETag, string? LastModified,
    TimeSpan? RetryAfter, TimeSpan? MaxAge, string? Error, IReadOnlyList<EventCreation.EventDraft> Found, int ItemsRead)
{
    /// <summary>A failure that keeps the source's address and validators for the next poll.</summary>
    public static PollOutcome Failure(ClaimedSource source, string error, TimeSpan? retryAfter = null) =>
        Failure(source, error, source.FeedUrl, retryAfter);

    /// <param name="feedUrl">The address to fetch at the next poll (null: a website's feed is looked for again).</param>
    public static PollOutcome Failure(ClaimedSource source, string error, string? feedUrl, TimeSpan? retryAfter) =>
        new(source, FetchOutcome.Failed, feedUrl, source.Title, source.ETag, source.LastModified, retryAfter, null, error, [], 0);
}

/// <summary>
/// Polls one source: works out the address (the feed, the feed found on the website, the filled news search), fetches
/// it conditionally, reads the feed and keeps the items that concern the client, as events ready for EventCreation
/// (no category: the classifier labels them). Writes nothing: MonitorRound writes under the business's tenant.
/// </summary>
public sealed class SourcePolling(FeedFetcher fetcher, FeedDiscovery discovery, MonitoringSettings settings)
{
    private const int MaxDescriptionLength = 4000;

    public async Task<PollOutcome> PollAsync(ClaimedSource source, DateTime now, CancellationToken ct)
    {
        string? feedUrl;
        var title = source.Title;
        switch (source.Kind)
        {
            case SourceKinds.NewsSearch:
                if (settings.NewsSearchUrl is null)
                    return PollOutcome.Failure(source, "This deployment has no news search (Monitoring:NewsSearchUrl is not set).");
                feedUrl = NewsSearch.UrlFor(settings.NewsSearchUrl, source.ClientName, source.Keywords);
                break;
            case SourceKinds.Website when source.FeedUrl is null:
                var found = await discovery.DiscoverAsync(source.Url!, Recognise, ct);
                if (found.Count == 0)
                    return PollOutcome.Failure(source, $"No feed found on {source.Url}: its home page names none and none of the usual addresses answers with one.");
                feedUrl = found[0].Url.AbsoluteUri;
                title ??= found[0].Title;
                break;
            default:
                feedUrl = source.FeedUrl ?? source.Url;
                break;
        }
        if (!Uri.TryCreate(feedUrl, UriKind.Absolute, out var address))
            return PollOutcome.Failure(source, $"'{feedUrl}' is not an address Tidings can fetch.");

        // Validators belong to the address they came from; a new address starts afresh.
        var sameAddress = feedUrl == source.FeedUrl;
        var fetched = await fetcher.FetchAsync(address, sameAddress ? source.ETag : null, sameAddress ? source.LastModified : null, ct);
        switch (fetched.Outcome)
        {
            case FetchOutcome.Failed:
                // A website's feed that went away is looked for again on the next poll.
                var keep = source.Kind == SourceKinds.Website && fetched.Permanent ? null : feedUrl;
                return PollOutcome.Failure(source, fetched.Error ?? "The fetch failed.", keep, fetched.RetryAfter);
            case FetchOutcome.NotModified:
                return new PollOutcome(source, FetchOutcome.NotModified, feedUrl, title, fetched.ETag ?? source.ETag,
                    fetched.LastModified ?? source.LastModified, fetched.RetryAfter, fetched.MaxAge, null, [], 0);
        }

        ParsedFeed feed;
        try
        {
            feed = FeedParser.Parse(fetched.Body, fetched.ContentType, fetched.FinalUrl);
        }
        catch (NotAFeedException e)
        {
            return PollOutcome.Failure(source, e.Message, feedUrl, fetched.RetryAfter);
        }
        // The news search's own title names the search engine, not the outlet; its items name theirs in the link's host.
        title = source.Kind == SourceKinds.NewsSearch ? null : StorableText.Cleaned(feed.Title) ?? title ?? fetched.FinalUrl.Host;
        var events = Keep(source, feed, title, now);
        return new PollOutcome(source, FetchOutcome.Fetched, feedUrl, title ?? source.Title, fetched.ETag, fetched.LastModified,
            fetched.RetryAfter, fetched.MaxAge, null, events, feed.Items.Count);
    }

    /// <summary>For discovery: a candidate is a feed when it reads as one; its title, else its host, names it.</summary>
    public static string? Recognise(FetchResult result)
    {
        if (result.Outcome != FetchOutcome.Fetched || result.Body is null)
            return null;
        try
        {
            var feed = FeedParser.Parse(result.Body, result.ContentType, result.FinalUrl);
            return StorableText.Cleaned(feed.Title) ?? result.FinalUrl.Host;
        }
        catch (NotAFeedException)
        {
            return null;
        }
    }

    private static List<EventCreation.EventDraft> Keep(ClaimedSource source, ParsedFeed feed, string? title, DateTime now)
    {
        var mentions = source.Keep == KeepRules.Mentions ? new ClientMentions(source.ClientName, source.Keywords) : null;
        var events = new List<EventCreation.EventDraft>();
        foreach (var item in feed.Items)
        {
            var itemTitle = StorableText.Cleaned(item.Title);
            if (itemTitle is null)
                continue;
            var description = StorableText.Cleaned(item.Summary);
            string because;
            bool? subject = null;
            if (mentions is null)
                because = source.Kind == SourceKinds.Website ? "every item of the client's website" : "every item of this source";
            else if (mentions.Find(itemTitle, description) is { } mention)
                (because, subject) = (mention.Reason, mention.IsSubject);
            else
                continue;
            var link = item.Link is { Length: <= 1000 } l && Uri.TryCreate(l, UriKind.Absolute, out var u) && u.Scheme is "http" or "https" ? l : null;
            var date = item.Published ?? item.Updated ?? now;
            events.Add(new EventCreation.EventDraft(new Event
            {
                ClientId = source.ClientId,
                SourceId = source.Id,
                Title = StorableText.Cut(itemTitle, 500),
                Description = description is null ? null : StorableText.Cut(description, MaxDescriptionLength),
                Url = link,
                Source = StorableText.Cut(title ?? (link is not null ? new Uri(link).Host : "news search"), 200),
                SourceType = IsClientsOwn(source, link) ? SourceTypes.PressRelease : SourceTypes.News,
                KeptBecause = StorableText.Cut(because, 300),
                Category = "",
                // A date in the future is a feed's mistake; the story is news now.
                EventDate = StoredTime.Of(date > now ? now : date),
            }, HasRelevance: false, ClientIsSubject: subject));
        }
        return events;
    }

    /// <summary>The client's own site: a website source, or a link on the client's domain.</summary>
    private static bool IsClientsOwn(ClaimedSource source, string? link) =>
        source.Kind == SourceKinds.Website || ClientSites.Owns(source.ClientDomain, link);
}

/// <summary>The deployment's news search for one client: its name without legal suffix, or one of its keywords, each quoted.</summary>
public static class NewsSearch
{
    public static string UrlFor(string template, string clientName, IReadOnlyList<string>? keywords)
    {
        var terms = new List<string> { ClientMentions.WithoutLegalSuffix(clientName) };
        terms.AddRange((keywords ?? []).Where(k => !string.IsNullOrWhiteSpace(k)).Select(k => k.Trim()));
        var query = string.Join(" OR ", terms.Distinct(StringComparer.OrdinalIgnoreCase).Take(10).Select(t => $"\"{t.Replace("\"", "")}\""));
        return template.Replace("{query}", Uri.EscapeDataString(query), StringComparison.Ordinal);
    }
}
