using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Tidings.Audit;
using Tidings.Data;
using Tidings.Data.SoftDelete;
using Tidings.Tags;
using Tidings.Users;
using Tidings.Web;

namespace Tidings.Clients;

/// <summary>The business's clients: list and search, create, read, edit, delete and restore, assign, and their audit trail.</summary>
public static class ClientsApi
{
    public static IEndpointRouteBuilder MapClientsApi(this IEndpointRouteBuilder app)
    {
        var clients = app.MapGroup("/api/clients").WithTags("Clients").RequireAuthorization(Policies.Viewer);
        clients.MapGet("/", ListAsync).WithName("ListClients")
            .WithSummary("List clients ordered by name, then id (keyset cursor). q searches name and domain, case-insensitively.")
            .Produces<Page<ClientDto>>().ProducesValidationProblem();
        clients.MapPost("/", CreateAsync).WithName("CreateClient").RequireAuthorization(Policies.Member)
            .WithSummary("Create a client (member+); assigning someone else notifies them.")
            .Produces<ClientDto>(StatusCodes.Status201Created).ProducesValidationProblem().ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        clients.MapGet("/{id}", GetAsync).WithName("GetClient")
            .WithSummary("A client with its tags; the ETag header is its version.");
        clients.MapPatch("/{id}", UpdateAsync).WithName("UpdateClient").RequireAuthorization(Policies.Member)
            .WithSummary("Merge-patch a client (member+); a stale If-Match answers 412.")
            .Accepts<ClientPatchSchema>("application/merge-patch+json", "application/json")
            .Produces<ClientDto>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        clients.MapDelete("/{id}", DeleteAsync).WithName("DeleteClient").RequireAuthorization(Policies.Member)
            .WithSummary("Move a client to the trash (member+); its events, tag links and notifications hide with it.")
            .ProducesProblem(StatusCodes.Status412PreconditionFailed);
        clients.MapPost("/{id}/restore", RestoreAsync).WithName("RestoreClient").RequireAuthorization(Policies.Member)
            .WithSummary("Bring a client back from the trash (member+), with what was hidden with it; 409 when it is not in the trash.")
            .Produces<ClientDto>().ProducesProblem(StatusCodes.Status409Conflict);
        clients.MapPut("/{id}/assignee", AssignAsync).WithName("AssignClient").RequireAuthorization(Policies.Member)
            .WithSummary("Assign a client to an active user of the business, or to nobody with {\"userId\": null} (member+).")
            .Produces<ClientDto>().ProducesProblem(StatusCodes.Status412PreconditionFailed).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        clients.MapGet("/{id}/history", HistoryAsync).WithName("GetClientHistory")
            .WithSummary("The client's audit trail, newest first (every signed-in user, also for a client in the trash); addresses and user agents for admins only.")
            .Produces<Page<AuditEntryDto>>().ProducesValidationProblem();
        clients.MapGet("/{id}/health", HealthAsync).WithName("GetClientHealth")
            .WithSummary("The client's health score and who set it, its news signal (0..100, 50 = no news) computed now, and the events that moved it, biggest effect first (docs/health.md).")
            .Produces<ClientHealthDto>().ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<IResult> ListAsync(
        TidingsDbContext db, string? q, bool? active, Guid? assignedTo, string? tier, Guid? tag, int? limit, string? cursor, CancellationToken ct)
    {
        var query = new ClientListQuery(q, active, assignedTo, tier, tag);
        var errors = ValidateList(query, new FieldErrors());
        var take = Paging.Limit(limit, errors);
        if (errors.Any)
            return errors.Problem();
        return TypedResults.Ok(await ListPageAsync(db, query, take, cursor, ct));
    }

    /// <summary>The list's search and filters checked; errors go to <paramref name="errors"/>, named as the query parameters.</summary>
    public static FieldErrors ValidateList(ClientListQuery query, FieldErrors errors) =>
        errors.MaxLength("q", query.Q, 200).MaxLength("tier", query.Tier, 50);

    /// <summary>A page of the clients <paramref name="query"/> selects, by name then id, after <paramref name="cursor"/> (InvalidCursorException when forged).</summary>
    public static async Task<Page<ClientDto>> ListPageAsync(TidingsDbContext db, ClientListQuery query, int take, string? cursor, CancellationToken ct)
    {
        var after = Paging.Decode<ClientCursor>(cursor);
        if (after is { Name: null } || after?.Id == Guid.Empty)
            throw new InvalidCursorException();

        var clients = db.Clients.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(query.Q))
        {
            // lower() on both sides: PostgreSQL's LIKE is case-sensitive, SQLite's only for non-ASCII.
            var term = query.Q.Trim().ToLowerInvariant();
            clients = clients.Where(c => c.Name.ToLower().Contains(term) || (c.Domain != null && c.Domain.ToLower().Contains(term)));
        }
        if (query.Active is { } isActive)
            clients = clients.Where(c => c.IsActive == isActive);
        if (query.AssignedTo is { } assignee)
            clients = clients.Where(c => c.AssignedToUserId == assignee);
        if (!string.IsNullOrWhiteSpace(query.Tier))
        {
            var wanted = query.Tier.Trim();
            clients = clients.Where(c => c.Tier == wanted);
        }
        if (query.Tag is { } tagId)
            clients = clients.Where(c => c.ClientTags.Any(l => l.TagId == tagId));
        if (after is not null)
            clients = clients.Where(c => string.Compare(c.Name, after.Name) > 0 || (c.Name == after.Name && c.Id.CompareTo(after.Id) > 0));

        var rows = await clients.OrderBy(c => c.Name).ThenBy(c => c.Id).Take(take + 1).ToListAsync(ct);
        var tags = await TagsOfAsync(db, rows.Select(c => c.Id).ToList(), ct);
        return Paging.Of(rows, take,
            c => ClientDto.From(c, tags.GetValueOrDefault(c.Id, [])),
            c => Paging.Encode(new ClientCursor(c.Name, c.Id)));
    }

    private static async Task<IResult> CreateAsync(CreateClientRequest request, TidingsDbContext db, Monitoring.MonitoringSettings monitoring,
        HttpContext http, TimeProvider clock, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var changes = ValidateNew(request, errors, clock);
        if (errors.Any)
            return errors.Problem();
        if (request.AssignedToUserId is { } assignee && !await ClientAssignment.IsAssignableAsync(db, assignee, ct))
            return ClientAssignment.NotAssignable();

        var client = await AddAsync(db, changes, request.AssignedToUserId, monitoring, ct);
        ETags.Set(http.Response, client);
        return TypedResults.Created($"/api/clients/{client.Id}", ClientDto.From(client, []));
    }

    /// <summary>A new client's fields checked by the rules every client obeys; errors go to <paramref name="errors"/>, named as in the JSON.</summary>
    public static ClientChanges ValidateNew(CreateClientRequest request, FieldErrors errors, TimeProvider clock)
    {
        var changes = new ClientChanges(errors, clock.GetUtcNow().Year);
        changes.Name(request.Name);
        changes.Domain(request.Domain);
        changes.Industry(request.Industry);
        changes.Description(request.Description);
        changes.CompanySize(request.CompanySize);
        changes.RevenueRange(request.RevenueRange);
        changes.HeadquartersLocation(request.HeadquartersLocation);
        changes.FoundedYear(request.FoundedYear);
        changes.SearchKeywords(request.SearchKeywords);
        if (request.MonitoringFrequency is not null)
            changes.MonitoringFrequency(request.MonitoringFrequency);
        if (request.IsActive is not null)
            changes.IsActive(request.IsActive);
        changes.Tier(request.Tier);
        changes.HealthScore(request.HealthScore);
        changes.Notes(request.Notes);
        return changes;
    }

    /// <summary>Stores a client from valid <paramref name="changes"/>, with its assignee (already checked), health and the sources its domain gives.</summary>
    public static async Task<Client> AddAsync(TidingsDbContext db, ClientChanges changes, Guid? assignee, Monitoring.MonitoringSettings monitoring, CancellationToken ct)
    {
        var client = new Client { Name = "" };
        changes.ApplyTo(client);
        await ClientAssignment.AssignAsync(db, client, assignee, ct);
        await ClientHealth.ScoreIfUnscoredAsync(db, client, ct);
        db.Clients.Add(client);
        db.Sources.AddRange(Monitoring.ClientSources.ForNewClient(client, monitoring, db));
        await db.SaveChangesAsync(ct);
        return client;
    }

    private static async Task<Results<Ok<ClientDto>, NotFound>> GetAsync(Guid id, TidingsDbContext db, HttpResponse response, CancellationToken ct)
    {
        var client = await db.Clients.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id, ct);
        if (client is null)
            return TypedResults.NotFound();
        ETags.Set(response, client);
        return TypedResults.Ok(await ToDtoAsync(db, client, ct));
    }

    private static async Task<IResult> UpdateAsync(Guid id, TidingsDbContext db, HttpContext http, TimeProvider clock, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var patch = await PatchDocument.ReadAsync(http.Request, errors, ct);
        var changes = ReadPatch(patch, new ClientChanges(errors, clock.GetUtcNow().Year));
        patch.RefuseUnknownFields();
        if (errors.Any)
            return errors.Problem();

        var (client, refusal) = await EditAsync(db, id, changes, c => ETags.IsStale(http.Request, c), ct);
        if (refusal is not null)
            return refusal;
        ETags.Set(http.Response, client!);
        return TypedResults.Ok(await ToDtoAsync(db, client!, ct));
    }

    /// <summary>
    /// Applies valid <paramref name="changes"/> to the client and saves: the client, or a refusal (404 missing, 412 when
    /// <paramref name="isStale"/> says the caller read an older version, 422 an assignee who may not have it).
    /// </summary>
    public static async Task<(Client? Client, IResult? Refusal)> EditAsync(TidingsDbContext db, Guid id, ClientChanges changes,
        Func<Client, bool> isStale, CancellationToken ct)
    {
        var client = await db.Clients.SingleOrDefaultAsync(c => c.Id == id, ct);
        if (client is null)
            return (null, TypedResults.NotFound());
        if (isStale(client))
            return (null, ETags.PreconditionFailed());
        if (changes is { AssigneeGiven: true, Assignee: { } assignee } && assignee != client.AssignedToUserId
            && !await ClientAssignment.IsAssignableAsync(db, assignee, ct))
            return (null, ClientAssignment.NotAssignable());

        var (domainBefore, frequencyBefore) = (client.Domain, client.MonitoringFrequency);
        changes.ApplyTo(client);
        if (changes.AssigneeGiven)
            await ClientAssignment.AssignAsync(db, client, changes.Assignee, ct);
        if (changes.HealthScoreGiven)
            await ClientHealth.ScoreIfUnscoredAsync(db, client, ct);
        await Monitoring.ClientSources.FollowAsync(db, client, domainBefore, frequencyBefore, ct);
        await db.SaveChangesAsync(ct);
        return (client, null);
    }

    private static ClientChanges ReadPatch(PatchDocument patch, ClientChanges changes)
    {
        if (patch.Has<string>("name", out var name)) changes.Name(name);
        if (patch.Has<string>("domain", out var domain)) changes.Domain(domain);
        if (patch.Has<string>("industry", out var industry)) changes.Industry(industry);
        if (patch.Has<string>("description", out var description)) changes.Description(description);
        if (patch.Has<string>("companySize", out var companySize)) changes.CompanySize(companySize);
        if (patch.Has<string>("revenueRange", out var revenueRange)) changes.RevenueRange(revenueRange);
        if (patch.Has<string>("headquartersLocation", out var headquarters)) changes.HeadquartersLocation(headquarters);
        if (patch.Has<int?>("foundedYear", out var foundedYear)) changes.FoundedYear(foundedYear);
        if (patch.Has<List<string?>>("searchKeywords", out var keywords)) changes.SearchKeywords(keywords);
        if (patch.Has<string>("monitoringFrequency", out var frequency)) changes.MonitoringFrequency(frequency);
        if (patch.Has<bool?>("isActive", out var isActive)) changes.IsActive(isActive);
        if (patch.Has<string>("tier", out var tier)) changes.Tier(tier);
        if (patch.Has<double?>("healthScore", out var healthScore)) changes.HealthScore(healthScore);
        if (patch.Has<string>("notes", out var notes)) changes.Notes(notes);
        if (patch.Has<Guid?>("assignedToUserId", out var assignee)) changes.AssignedToUserId(assignee);
        return changes;
    }

    /// <summary>DELETE /api/clients/{id}: to the trash, honouring If-Match; the page calls it too.</summary>
    public static Task<IResult> DeleteAsync(Guid id, TidingsDbContext db, HttpRequest request, CancellationToken ct) =>
        SoftDeleteRoutes.DeleteAsync(db, db.Clients.Where(c => c.Id == id), request, ct);

    /// <summary>The restore route, which the trash page calls too.</summary>
    public static async Task<IResult> RestoreAsync(Guid id, TidingsDbContext db, HttpResponse response, CancellationToken ct)
    {
        var client = await db.Clients.IgnoreQueryFilters([SoftDeleteRules.Filter]).SingleOrDefaultAsync(c => c.Id == id, ct);
        if (client is null)
            return TypedResults.NotFound();
        if (!client.IsDeleted)
            return TypedResults.Problem(title: "Not in the trash", detail: "The client is not deleted.", statusCode: StatusCodes.Status409Conflict);
        db.Restore(client);
        await db.SaveChangesAsync(ct);
        ETags.Set(response, client);
        return TypedResults.Ok(await ToDtoAsync(db, client, ct));
    }

    private static async Task<IResult> AssignAsync(Guid id, AssigneeRequest body, TidingsDbContext db, HttpContext http, CancellationToken ct)
    {
        var client = await db.Clients.SingleOrDefaultAsync(c => c.Id == id, ct);
        if (client is null)
            return TypedResults.NotFound();
        if (ETags.IsStale(http.Request, client))
            return ETags.PreconditionFailed();
        if (body.UserId is { } assignee && assignee != client.AssignedToUserId && !await ClientAssignment.IsAssignableAsync(db, assignee, ct))
            return ClientAssignment.NotAssignable();
        await ClientAssignment.AssignAsync(db, client, body.UserId, ct);
        await db.SaveChangesAsync(ct);
        ETags.Set(http.Response, client);
        return TypedResults.Ok(await ToDtoAsync(db, client, ct));
    }

    private static async Task<IResult> HistoryAsync(Guid id, TidingsDbContext db, ClaimsPrincipal reader, IAuthorizationService authorization,
        int? limit, string? cursor, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var take = Paging.Limit(limit, errors);
        if (errors.Any)
            return errors.Problem();
        var after = Paging.Decode<AuditCursor>(cursor);
        if (after is not null && (after.Id == Guid.Empty || after.CreatedAt.Kind != DateTimeKind.Utc))
            throw new InvalidCursorException();
        // A client in the trash keeps its history readable: that is where one looks for who deleted it.
        if (!await db.Clients.IgnoreQueryFilters([SoftDeleteRules.Filter]).AnyAsync(c => c.Id == id, ct))
            return TypedResults.NotFound();

        return TypedResults.Ok(await AuditApi.PageAsync(HistoryOf(db, id), take, after, await AuditApi.SeesConnectionsAsync(authorization, reader), ct));
    }

    /// <summary>The audit entries of one client (its own row's changes).</summary>
    public static IQueryable<Data.Auditing.AuditLog> HistoryOf(TidingsDbContext db, Guid id)
    {
        var table = db.Model.FindEntityType(typeof(Client))!.GetTableName();
        var recordId = id.ToString();
        return db.AuditLogs.AsNoTracking().Where(a => a.TableName == table && a.RecordId == recordId);
    }

    private static async Task<Results<Ok<ClientHealthDto>, NotFound>> HealthAsync(Guid id, TidingsDbContext db, CancellationToken ct)
    {
        var client = await db.Clients.AsNoTracking().Where(c => c.Id == id)
            .Select(c => new { c.HealthScore, c.HealthScoreSource }).SingleOrDefaultAsync(ct);
        if (client is null)
            return TypedResults.NotFound();
        var now = StoredTime.Now(db.Clock);
        var signal = await ClientHealth.OfClientAsync(db, id, now, ct);
        return TypedResults.Ok(ClientHealthDto.From(id, client.HealthScore, client.HealthScoreSource, signal, now));
    }

    private static async Task<ClientDto> ToDtoAsync(TidingsDbContext db, Client client, CancellationToken ct) =>
        ClientDto.From(client, (await TagsOfAsync(db, [client.Id], ct)).GetValueOrDefault(client.Id, []));

    /// <summary>The live tags of a page of clients, in one query.</summary>
    private static async Task<Dictionary<Guid, List<TagDto>>> TagsOfAsync(TidingsDbContext db, List<Guid> clientIds, CancellationToken ct)
    {
        var links = await db.ClientTags.AsNoTracking()
            .Where(l => clientIds.Contains(l.ClientId))
            .OrderBy(l => l.Tag!.Name).ThenBy(l => l.TagId)
            .Select(l => new { l.ClientId, Tag = l.Tag! })
            .ToListAsync(ct);
        return links.GroupBy(l => l.ClientId).ToDictionary(g => g.Key, g => g.Select(l => TagDto.From(l.Tag)).ToList());
    }
}

/// <summary>For the OpenAPI document only: a PATCH body is any subset of these fields; null clears a field.</summary>
public sealed record ClientPatchSchema(
    string? Name, string? Domain, string? Industry, string? Description,
    string? CompanySize, string? RevenueRange, string? HeadquartersLocation, int? FoundedYear,
    List<string>? SearchKeywords, string? MonitoringFrequency, bool? IsActive,
    string? Tier, double? HealthScore, string? Notes, Guid? AssignedToUserId);
