using Microsoft.EntityFrameworkCore;
using Tidings.Clients;
using Tidings.Data;

namespace Tidings.Monitoring;

/// <summary>What a change to a client means for its sources, joined to the client's own save.</summary>
public static class ClientSources
{
    /// <summary>
    /// A domain given (or changed) is watched through its website when the client has no website source at that
    /// address; a shorter frequency brings its sources' next poll forward, so going from weekly to hourly does not wait a week.
    /// </summary>
    public static async Task FollowAsync(TidingsDbContext db, Client client, string? domainBefore, string frequencyBefore, CancellationToken ct)
    {
        if (client.Domain != domainBefore && ClientSites.HomeOf(client.Domain) is { } home && home.AbsoluteUri.Length <= Source.MaxUrlLength
            && !await db.Sources.AnyAsync(s => s.ClientId == client.Id && s.Kind == SourceKinds.Website && s.Url == home.AbsoluteUri, ct))
            db.Sources.Add(SourcesApi.NewSource(client, SourceKinds.Website, home.AbsoluteUri, null, db));

        var interval = PollSchedule.Interval(client.MonitoringFrequency);
        if (client.MonitoringFrequency != frequencyBefore && interval < PollSchedule.Interval(frequencyBefore))
        {
            var soonest = StoredTime.Now(db.Clock) + interval;
            foreach (var source in await db.Sources.Where(s => s.ClientId == client.Id && s.NextDueAt > soonest).ToListAsync(ct))
                source.NextDueAt = soonest;
        }
    }
}
