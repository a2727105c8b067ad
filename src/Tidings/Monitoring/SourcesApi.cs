using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Tidings.Classification;
using Tidings.Clients;
using Tidings.Data;
using Tidings.Monitoring.Fetching;
using Tidings.Users;
using Tidings.Web;

namespace Tidings.Monitoring;

/// <summary>
/// A client's sources: members add, change, stop, restart, check and remove them; everyone reads them. An address is
/// checked when it is given (http or https, a host that resolves, no private address unless the deployment allows them)
/// and again by the fetcher at every connection. A source's polling state is the monitor's; a person changes only
/// what it watches and how (address, keep) and whether it runs.
/// </summary>
public static class SourcesApi
{
    public static IEndpointRouteBuilder MapSourcesApi(this IEndpointRouteBuilder app)
    {
        var clients = app.MapGroup("/api/clients/{id}/sources").WithTags("Sources").RequireAuthorization(Policies.Viewer);
        clients.MapGet("/", ListAsync).WithName("ListClientSources")
            .WithSummary("The client's live sources, oldest first, each with its polling state; not paged (a client has a few).");
        clients.MapPost("/", CreateAsync).WithName("CreateSource").RequireAuthorization(Policies.Member)
            .WithSummary("Watch a feed, the client's website (its feeds are found when it is first polled) or the deployment's news search for this client; " +
                "422 when the address may not be fetched, 409 when the client already watches it.")
            .Produces<SourceDto>(StatusCodes.Status201Created).ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        clients.MapPost("/discover", DiscoverAsync).WithName("DiscoverSources").RequireAuthorization(Policies.Member)
            .WithSummary("Look at the client's domain for feeds (links on its home page, the usual addresses) and propose them, or with add=true add those not watched yet; " +
                "422 when the client has no domain.")
            .Produces<DiscoveryDto>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        var sources = app.MapGroup("/api/sources").WithTags("Sources").RequireAuthorization(Policies.Viewer);
        sources.MapGet("/{id}", GetAsync).WithName("GetSource")
            .WithSummary("A source and its polling state; the ETag header is its version.");
        sources.MapPatch("/{id}", UpdateAsync).WithName("UpdateSource").RequireAuthorization(Policies.Member)
            .WithSummary("Merge-patch a source's url or keep, or stop it (stopped: true) or restart it (stopped: false: due now, failures forgotten); a stale If-Match answers 412.")
            .Accepts<UpdateSourceRequest>("application/merge-patch+json", "application/json")
            .Produces<SourceDto>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        sources.MapDelete("/{id}", DeleteAsync).WithName("DeleteSource").RequireAuthorization(Policies.Member)
            .WithSummary("Stop watching a source; it goes to the trash and its events stay.")
            .ProducesProblem(StatusCodes.Status412PreconditionFailed);
        sources.MapPost("/{id}/check", CheckAsync).WithName("CheckSource").RequireAuthorization(Policies.Member)
            .WithSummary("Fetch the source now, store what it has that is new, and answer what was found; 409 while the monitor is fetching it, 422 when its client is inactive.")
            .Produces<SourceCheckDto>().ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        return app;
    }

    /// <summary>The fields PATCH accepts, for the OpenAPI document.</summary>
    public sealed record UpdateSourceRequest(string? Url, string? Keep, bool? Stopped);

    /// <summary>GET /api/clients/{id}/sources; the client page lists them through it too.</summary>
    public static async Task<Results<Ok<List<SourceDto>>, NotFound>> ListAsync(Guid id, TidingsDbContext db, CancellationToken ct)
    {
        if (!await db.Clients.AnyAsync(c => c.Id == id, ct))
            return TypedResults.NotFound();
        var rows = await db.Sources.AsNoTracking().Where(s => s.ClientId == id).OrderBy(s => s.CreatedAt).ThenBy(s => s.Id).ToListAsync(ct);
        return TypedResults.Ok(rows.Select(SourceDto.From).ToList());
    }

    /// <summary>POST /api/clients/{id}/sources; the client page adds a source through it too.</summary>
    public static async Task<IResult> CreateAsync(Guid id, CreateSourceRequest request, TidingsDbContext db, MonitoringSettings settings,
        FetchSettings fetching, HttpResponse response, CancellationToken ct)
    {
        var errors = new FieldErrors();
        if (request.Kind is null)
            errors.Add("kind", "Required.");
        errors.OneOf("kind", request.Kind, SourceKinds.All).OneOf("keep", request.Keep, KeepRules.Every);
        string? url = null;
        if (request.Kind == SourceKinds.NewsSearch)
        {
            if (request.Url is not null)
                errors.Add("url", "A news search has no address of its own: it is the deployment's, filled with the client's name and keywords.");
        }
        else if (request.Kind is not null)
            url = Address(errors, request.Url, request.Kind);
        if (errors.Any)
            return errors.Problem();

        var client = await db.Clients.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id, ct);
        if (client is null)
            return TypedResults.NotFound();
        if (request.Kind == SourceKinds.NewsSearch && settings.NewsSearchUrl is null)
            return Refusals.NotAllowed("This deployment has no news search: its operator has not set Monitoring:NewsSearchUrl.");
        if (url is not null && await AddressRules.RefusalAsync(new Uri(url), fetching.AllowPrivateAddresses, ct) is { } refusal)
            return Refusals.NotAllowed(refusal);
        if (await WatchedAsync(db, id, request.Kind!, url, null, ct))
            return AlreadyWatched();

        var source = NewSource(client, request.Kind!, url, request.Keep, db);
        db.Sources.Add(source);
        await db.SaveChangesAsync(ct);
        ETags.Set(response, source);
        return TypedResults.Created($"/api/sources/{source.Id}", SourceDto.From(source));
    }

    /// <summary>A new source, due at once; its keep rule by default all for the client's own site, mentions elsewhere.</summary>
    public static Source NewSource(Client client, string kind, string? url, string? keep, TidingsDbContext db) => new()
    {
        ClientId = client.Id,
        Kind = kind,
        Url = url,
        FeedUrl = kind == SourceKinds.Feed ? url : null,
        Keep = keep ?? (kind == SourceKinds.Feed && !ClientSites.Owns(client.Domain, url) ? KeepRules.Mentions : KeepRules.DefaultFor(kind)),
        NextDueAt = StoredTime.Now(db.Clock),
    };

    private static async Task<Results<Ok<SourceDto>, NotFound>> GetAsync(Guid id, TidingsDbContext db, HttpResponse response, CancellationToken ct)
    {
        var source = await db.Sources.AsNoTracking().SingleOrDefaultAsync(s => s.Id == id, ct);
        if (source is null)
            return TypedResults.NotFound();
        ETags.Set(response, source);
        return TypedResults.Ok(SourceDto.From(source));
    }

    private static async Task<IResult> UpdateAsync(Guid id, TidingsDbContext db, FetchSettings fetching, HttpContext http, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var patch = await PatchDocument.ReadAsync(http.Request, errors, ct);
        var source = await db.Sources.SingleOrDefaultAsync(s => s.Id == id, ct);
        if (source is null)
            return TypedResults.NotFound();
        if (ETags.IsStale(http.Request, source))
            return ETags.PreconditionFailed();

        var hasUrl = patch.Has<string>("url", out var url);
        if (hasUrl && source.Kind == SourceKinds.NewsSearch)
            errors.Add("url", "A news search has no address of its own.");
        else if (hasUrl)
            url = Address(errors, url, source.Kind);
        var hasKeep = patch.Has<string>("keep", out var keep);
        if (hasKeep && keep is null)
            errors.Add("keep", "Required.");
        errors.OneOf("keep", keep, KeepRules.Every);
        var hasStopped = patch.Has<bool?>("stopped", out var stopped);
        if (hasStopped && stopped is null)
            errors.Add("stopped", "Required.");
        patch.RefuseUnknownFields();
        if (errors.Any)
            return errors.Problem();

        var now = StoredTime.Now(db.Clock);
        if (hasUrl && url != source.Url)
        {
            if (await AddressRules.RefusalAsync(new Uri(url!), fetching.AllowPrivateAddresses, ct) is { } refusal)
                return Refusals.NotAllowed(refusal);
            if (await WatchedAsync(db, source.ClientId, source.Kind, url, source.Id, ct))
                return AlreadyWatched();
            // A new address: what was learnt of the old one (validators, the feed found on the site, failures) no longer holds.
            source.Url = url;
            source.FeedUrl = source.Kind == SourceKinds.Feed ? url : null;
            source.Title = null;
            source.ETag = null;
            source.LastModified = null;
            source.ConsecutiveFailures = 0;
            source.LastError = null;
            source.NextDueAt = now;
        }
        if (hasKeep)
            source.Keep = keep!;
        if (hasStopped && stopped == true)
            Stop(source, now, db.Actor.Name);
        else if (hasStopped && stopped == false)
            Restart(source, now);
        await db.SaveChangesAsync(ct);
        ETags.Set(http.Response, source);
        return TypedResults.Ok(SourceDto.From(source));
    }

    /// <summary>A person stops a running source; a stopped one stays as it is.</summary>
    public static void Stop(Source source, DateTime now, string actorName)
    {
        if (source.StoppedAt is not null)
            return;
        source.StoppedAt = now;
        source.StoppedReason = $"Stopped by {actorName}.";
    }

    /// <summary>A person restarts a stopped source: due now, its failures forgotten; a running one stays as it is.</summary>
    public static void Restart(Source source, DateTime now)
    {
        if (source.StoppedAt is null)
            return;
        source.StoppedAt = null;
        source.StoppedReason = null;
        source.ConsecutiveFailures = 0;
        source.LastError = null;
        source.NextDueAt = now;
    }

    private static Task<IResult> DeleteAsync(Guid id, TidingsDbContext db, HttpRequest request, CancellationToken ct) =>
        SoftDeleteRoutes.DeleteAsync(db, db.Sources.Where(s => s.Id == id), request, ct);

    /// <summary>POST /api/sources/{id}/check: a fetch now, answered with what it found; the client page checks through it too.</summary>
    public static async Task<IResult> CheckAsync(Guid id, TidingsDbContext db, SourcePolling polling, MonitoringSettings settings,
        HeadlineClassifier classifier, ClassifierKnowledge knowledge, MonitorRound round, HttpResponse response, CancellationToken ct)
    {
        var clientId = await db.Sources.Where(s => s.Id == id).Select(s => (Guid?)s.ClientId).SingleOrDefaultAsync(ct);
        if (clientId is null)
            return TypedResults.NotFound();
        if (!await db.Clients.AnyAsync(c => c.Id == clientId && c.IsActive, ct))
            return Refusals.NotAllowed("The client is inactive or in the trash: its sources are not fetched.");
        var now = StoredTime.Now(db.Clock);
        var claimed = await SourceClaims.ClaimOneAsync(db, id, $"{round.Process} (check by {db.Actor.Name})", now, now + settings.ClaimLease, ct);
        if (claimed is null)
            return TypedResults.Problem(title: "Being fetched", detail: "The monitor is fetching this source right now; look again in a moment.",
                statusCode: StatusCodes.Status409Conflict);
        var outcome = await polling.PollAsync(claimed, now, ct);
        var totals = await PollResults.WriteAsync(db, classifier, knowledge, settings, [outcome], [], StoredTime.Now(db.Clock), Random.Shared, ct);
        var source = await db.Sources.AsNoTracking().SingleAsync(s => s.Id == id, ct);
        ETags.Set(response, source);
        return TypedResults.Ok(new SourceCheckDto(OutcomeName(outcome.Outcome), outcome.Error, outcome.ItemsRead, outcome.Found.Count,
            totals.NewEvents, totals.Duplicates, SourceDto.From(source)));
    }

    /// <summary>POST /api/clients/{id}/sources/discover; the client page discovers through it too.</summary>
    public static async Task<IResult> DiscoverAsync(Guid id, DiscoverSourcesRequest? request, TidingsDbContext db, FeedDiscovery discovery,
        FetchSettings fetching, CancellationToken ct)
    {
        var client = await db.Clients.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id, ct);
        if (client is null)
            return TypedResults.NotFound();
        if (string.IsNullOrWhiteSpace(client.Domain))
            return Refusals.NotAllowed("The client has no domain: give it one to look for its feeds, or add a feed by its address.");
        var site = ClientSites.HomeOf(client.Domain);
        if (site is null)
            return Refusals.NotAllowed($"The client's domain '{client.Domain}' is not an address Tidings can look at.");
        if (await AddressRules.RefusalAsync(site, fetching.AllowPrivateAddresses, ct) is { } refusal)
            return Refusals.NotAllowed(refusal);

        var found = await discovery.DiscoverAsync(site.AbsoluteUri, SourcePolling.Recognise, ct);
        var watched = await db.Sources.AsNoTracking().Where(s => s.ClientId == id && s.FeedUrl != null)
            .Select(s => new { s.Id, s.FeedUrl }).ToListAsync(ct);
        var feeds = found.Select(f => (Feed: f, Source: watched.FirstOrDefault(w => w.FeedUrl == f.Url.AbsoluteUri)?.Id)).ToList();
        var added = new List<Source>();
        if (request?.Add == true)
        {
            foreach (var (feed, _) in feeds.Where(f => f.Source is null))
            {
                var source = NewSource(client, SourceKinds.Feed, feed.Url.AbsoluteUri, KeepRules.All, db);
                source.Title = feed.Title is null ? null : StorableText.Cut(feed.Title, 200);
                added.Add(source);
            }
            db.Sources.AddRange(added);
            await db.SaveChangesAsync(ct);
        }
        return TypedResults.Ok(new DiscoveryDto(site.AbsoluteUri,
            feeds.Select(f => new DiscoveredFeedDto(f.Feed.Url.AbsoluteUri, f.Feed.Title, f.Source is not null || request?.Add == true,
                f.Source ?? added.FirstOrDefault(a => a.FeedUrl == f.Feed.Url.AbsoluteUri)?.Id)).ToList(),
            added.Select(SourceDto.From).ToList()));
    }

    /// <summary>An address as stored: a website may be given as its bare domain.</summary>
    private static string? Address(FieldErrors errors, string? url, string kind) =>
        errors.FetchableUrl("url", kind == SourceKinds.Website && url is not null && !url.Contains("://", StringComparison.Ordinal) ? "https://" + url.Trim() : url,
            Source.MaxUrlLength);

    private static Task<bool> WatchedAsync(TidingsDbContext db, Guid clientId, string kind, string? url, Guid? except, CancellationToken ct) =>
        kind == SourceKinds.NewsSearch
            ? db.Sources.AnyAsync(s => s.ClientId == clientId && s.Kind == kind && s.Id != except, ct)
            : db.Sources.AnyAsync(s => s.ClientId == clientId && s.Kind == kind && s.Url == url && s.Id != except, ct);

    private static string OutcomeName(FetchOutcome outcome) => outcome switch
    {
        FetchOutcome.Fetched => "fetched",
        FetchOutcome.NotModified => "not_modified",
        _ => "failed",
    };

    private static IResult AlreadyWatched() => TypedResults.Problem(title: "Already watched",
        detail: "The client already has a live source of this kind at this address.", statusCode: StatusCodes.Status409Conflict);
}
