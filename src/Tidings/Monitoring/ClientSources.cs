using Microsoft.EntityFrameworkCore;
using Tidings.Clients;
using Tidings.Data;

namespace Tidings.Monitoring;

/// <summary>What a change to a client means for its sources, joined to the client's own save.</summary>
public static class ClientSources
{
    /// <summary>
    /// What a new client is watched through without anyone asking: its website when it has a domain (its feeds are
    /// found at the first poll; POST .../sources/discover lists them), and the deployment's news search when there is one.
    /// The website's address is checked at every connection, as any source's.
    /// </summary>
    public static IEnumerable<Source> ForNewClient(Client client, MonitoringSettings settings, TidingsDbContext db)
    {
        if (Website(client) is { } website)
            yield return SourcesApi.NewSource(client, SourceKinds.Website, website, null, db);
        if (settings.NewsSearchUrl is not null)
            yield return SourcesApi.NewSource(client, SourceKinds.NewsSearch, null, null, db);
    }

    /// <summary>
    /// A domain given (or changed) is watched through its website when the client has no website source at that
    /// address; a shorter frequency brings its sources' next poll forward, so going from weekly to hourly does not wait a week.
    /// </summary>
    public static async Task FollowAsync(TidingsDbContext db, Client client, string? domainBefore, string frequencyBefore, CancellationToken ct)
    {
        if (client.Domain != domainBefore && Website(client) is { } website
            && !await db.Sources.AnyAsync(s => s.ClientId == client.Id && s.Kind == SourceKinds.Website && s.Url == website, ct))
            db.Sources.Add(SourcesApi.NewSource(client, SourceKinds.Website, website, null, db));

        var interval = PollSchedule.Interval(client.MonitoringFrequency);
        if (client.MonitoringFrequency != frequencyBefore && interval < PollSchedule.Interval(frequencyBefore))
        {
            var soonest = StoredTime.Now(db.Clock) + interval;
            foreach (var source in await db.Sources.Where(s => s.ClientId == client.Id && s.NextDueAt > soonest).ToListAsync(ct))
                source.NextDueAt = soonest;
        }
    }

    /// <summary>The client's website as a source's address, when its domain gives one that fits.</summary>
    private static string? Website(Client client) =>
        ClientSites.HomeOf(client.Domain)?.AbsoluteUri is { Length: <= Source.MaxUrlLength } url ? url : null;
}
