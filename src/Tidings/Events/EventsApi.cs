using System.Security.Claims;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Tidings.Categories;
using Tidings.Classification;
using Tidings.Data;
using Tidings.Data.SoftDelete;
using Tidings.Notifications;
using Tidings.Users;
using Tidings.Web;

namespace Tidings.Events;

public sealed record CreateEventRequest(
    Guid? ClientId, string? Title, string? Description, string? Url, string? Source, string? SourceType,
    string? Category, string? Subcategory, List<string>? Tags,
    double? RelevanceScore, double? SentimentScore, double? ConfidenceScore, DateTimeOffset? EventDate);

public sealed record CreateEventsRequest(List<CreateEventRequest?>? Events);

/// <summary>
/// A member's label for an event: a category with its subcategory (none when absent), or a subcategory alone under the
/// event's category; no body, or neither, confirms the label the event has.
/// </summary>
public sealed record ReviewEventRequest(string? Category, string? Subcategory);

/// <summary>The created events, in the order they were sent.</summary>
public sealed record CreatedEvents(IReadOnlyList<EventDto> Events);

/// <summary>The events feed and the events themselves. Per-user read/star/notes live in Interactions/.</summary>
public static class EventsApi
{
    public const int MaxFreeTags = 50;
    public const int MaxFreeTagLength = 100;

    public static IEndpointRouteBuilder MapEventsApi(this IEndpointRouteBuilder app)
    {
        var events = app.MapGroup("/api/events").WithTags("Events").RequireAuthorization(Policies.Viewer);
        events.MapGet("/", ListAsync).WithName("ListEvents")
            .Produces<Page<EventDto>>().ProducesValidationProblem();
        events.MapPost("/", CreateAsync).WithName("CreateEvent").RequireAuthorization(Policies.Member)
            .Produces<EventDto>(StatusCodes.Status201Created).ProducesValidationProblem().ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        events.MapPost("/batch", CreateBatchAsync).WithName("CreateEvents").RequireAuthorization(Policies.Member)
            .Produces<CreatedEvents>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        events.MapGet("/{id}", GetAsync).WithName("GetEvent");
        events.MapPatch("/{id}", PatchAsync).WithName("PatchEvent").RequireAuthorization(Policies.Member)
            .Accepts<Dictionary<string, object?>>("application/merge-patch+json", "application/json")
            .Produces<EventDto>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        events.MapDelete("/{id}", DeleteAsync).WithName("DeleteEvent").RequireAuthorization(Policies.Member)
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status412PreconditionFailed);
        events.MapPost("/{id}/restore", RestoreAsync).WithName("RestoreEvent").RequireAuthorization(Policies.Member)
            .Produces<EventDto>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        events.MapPost("/{id}/review", ReviewAsync).WithName("ReviewEvent").RequireAuthorization(Policies.Member)
            .WithSummary("Confirm the event's category, or set it (category, subcategory): a person's label, which the classifier never changes " +
                "and which teaches this business's classifications (member+); a stale If-Match answers 412.")
            .Produces<EventDto>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        return app;
    }

    private static async Task<IResult> ListAsync([AsParameters] FeedFilter filter, int? limit, string? cursor,
        ClaimsPrincipal principal, TidingsDbContext db, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var take = Paging.Limit(limit, errors);
        filter.Validate(errors);
        if (errors.Any)
            return errors.Problem();
        var after = DecodeCursor(cursor);
        return TypedResults.Ok(await EventFeed.PageAsync(db, principal.UserId(), filter, take, after, ct));
    }

    private static async Task<IResult> CreateAsync(CreateEventRequest request, TidingsDbContext db, HeadlineClassifier classifier,
        ClassifierKnowledge knowledge, HttpResponse response, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var ev = ToEvent(request);
        Validate(errors, ev, categoryRequired: false);
        if (errors.Any)
            return errors.Problem();

        var outcome = await EventCreation.CreateAsync(db, classifier, knowledge, [new(ev, request.RelevanceScore is not null)], ct);
        if (outcome.UnknownClientAt.Count > 0)
            return UnknownClient();
        if (outcome.NotLabelled is { Count: > 0 } refused)
            return NotLabelled(refused.Select(r => (r.Field, r.Message)), "Nothing was created.");
        ETags.Set(response, ev);
        return TypedResults.Created($"/api/events/{ev.Id}", outcome.Created[0]);
    }

    /// <summary>
    /// Up to <see cref="EventCreation.MaxBatch"/> events in one request and one transaction, for whatever
    /// gathers them (a poller, an import script): one event per request tops out near 250 a second on two
    /// cores, a batch at several thousand. Any invalid event refuses the whole batch, naming it by position.
    /// </summary>
    private static async Task<IResult> CreateBatchAsync(CreateEventsRequest request, TidingsDbContext db, HeadlineClassifier classifier,
        ClassifierKnowledge knowledge, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var requests = request.Events ?? [];
        if (requests.Count == 0)
            errors.Add("events", $"Required: 1 to {EventCreation.MaxBatch} events.");
        else if (requests.Count > EventCreation.MaxBatch)
            errors.Add("events", $"At most {EventCreation.MaxBatch} events per batch; send the rest in another.");
        if (errors.Any)
            return errors.Problem();
        var events = new List<EventCreation.EventDraft>(requests.Count);
        for (var i = 0; i < requests.Count; i++)
        {
            if (requests[i] is not { } one)
            {
                errors.Add($"events[{i}]", "Required.");
                continue;
            }
            var ev = ToEvent(one);
            Validate(errors, ev, $"events[{i}].", categoryRequired: false);
            events.Add(new(ev, one.RelevanceScore is not null));
        }
        if (errors.Any)
            return errors.Problem();

        var outcome = await EventCreation.CreateAsync(db, classifier, knowledge, events, ct);
        if (outcome.UnknownClientAt.Count > 0)
            return TypedResults.Problem(title: "Not allowed", statusCode: 422, detail:
                $"clientId must name a live client of this business: {string.Join(", ", outcome.UnknownClientAt.Take(10).Select(i => $"events[{i}]"))}"
                + (outcome.UnknownClientAt.Count > 10 ? $" and {outcome.UnknownClientAt.Count - 10} more" : "")
                + " do not. Nothing was created.");
        if (outcome.NotLabelled is { Count: > 0 } refused)
            return NotLabelled(refused.Select(r => ($"events[{r.At}].{r.Field}", r.Message)), "Nothing was created.");
        return TypedResults.Ok(new CreatedEvents(outcome.Created));
    }

    /// <summary>The event as sent; without a category (an empty one) it is for the classifier to label.</summary>
    private static Event ToEvent(CreateEventRequest request) => new()
    {
        ClientId = request.ClientId ?? Guid.Empty,
        Title = request.Title?.Trim() ?? "",
        Description = request.Description,
        Url = Blank(request.Url),
        Source = Blank(request.Source),
        SourceType = Blank(request.SourceType),
        Category = request.Category?.Trim() ?? "",
        Subcategory = Blank(request.Subcategory),
        Tags = request.Tags?.Select(t => t?.Trim()!).ToList(),
        RelevanceScore = request.RelevanceScore ?? Event.DefaultRelevanceScore,
        SentimentScore = request.SentimentScore,
        ConfidenceScore = request.ConfidenceScore,
        EventDate = StoredTime.Of(request.EventDate?.UtcDateTime ?? default),
    };

    private static async Task<Results<Ok<EventDto>, NotFound>> GetAsync(Guid id, ClaimsPrincipal principal, TidingsDbContext db,
        HttpResponse response, CancellationToken ct)
    {
        var row = await EventFeed.OneAsync(db, principal.UserId(), id, ct);
        if (row is null)
            return TypedResults.NotFound();
        ETags.Set(response, row.UpdatedAt);
        return TypedResults.Ok(row);
    }

    /// <summary>
    /// Merge-patches the event. Sending its category (changed or not) is a person's label, as POST .../review is; so is
    /// sending its subcategory alone under a live category.
    /// </summary>
    private static async Task<IResult> PatchAsync(Guid id, HttpRequest request, ClaimsPrincipal principal, TidingsDbContext db,
        ClassifierKnowledge knowledge, HttpResponse response, CancellationToken ct)
    {
        // Read before the transaction: a retry runs the unit again, and the body can be read once.
        var errors = new FieldErrors();
        var patch = await PatchDocument.ReadAsync(request, errors, ct);
        var labelled = false;
        var refused = await db.InTransactionAsync<IResult?>(async ct =>
        {
            var ev = await Stories.FindLockedAsync(db, db.Events.Where(e => e.Id == id), ct);
            if (ev is null)
                return TypedResults.NotFound();
            if (ETags.IsStale(request, ev))
                return ETags.PreconditionFailed();

            var (url, title, clientId) = (ev.Url, ev.Title, ev.ClientId);
            var duplicateOf = Apply(patch, ev);
            patch.RefuseUnknownFields();
            Validate(errors, ev);
            if (errors.Any)
                return errors.Problem();

            if (ev.ClientId != clientId && await LiveClientNameAsync(db, ev.ClientId, ct) is null)
                return UnknownClient();
            if (ev.Url != url || ev.Title != title || ev.ClientId != clientId)
                ev.ContentHash = ContentHash.Of(ev.Url, ev.Title, ev.ClientId);
            if (await Stories.AfterEditAsync(db, ev, clientId, duplicateOf, ct) is { } refusal)
                return Refusals.NotAllowed(refusal);
            var categorySent = patch.Has<JsonNode>("category", out _);
            if (categorySent || patch.Has<JsonNode>("subcategory", out _))
            {
                var live = await LiveCategories.ReadAsync(db, ct);
                if (live.Refusal(ev.Category, ev.Subcategory, checkCategory: categorySent) is { } wrong)
                    return NotLabelled([wrong], "Nothing was changed.");
                // An imported category the taxonomy does not know teaches nothing: the subcategory alone is then an edit.
                labelled = categorySent || live.IsCategory(ev.Category);
                if (labelled)
                    await Corrections.RecordAsync(db, ev, await LiveClientNameAsync(db, ev.ClientId, ct), ct);
            }
            await db.SaveChangesAsync(ct);
            await Clients.ClientHealth.RefreshAsync(db, [clientId, ev.ClientId], ct);
            return null;
        }, ct);
        if (refused is null && labelled)
            knowledge.Forget(db.Tenant.RequireBusinessId());
        return refused ?? await GetAsync(id, principal, db, response, ct);
    }

    /// <summary>A member's label (<see cref="ReviewEventRequest"/>), checked and recorded as PATCH records one.</summary>
    private static async Task<IResult> ReviewAsync(Guid id, [FromBody] ReviewEventRequest? body, HttpRequest request, ClaimsPrincipal principal,
        TidingsDbContext db, ClassifierKnowledge knowledge, HttpResponse response, CancellationToken ct) =>
        await LabelAsync(db, knowledge, id, body, request, new FieldErrors(), ct) ?? await GetAsync(id, principal, db, response, ct);

    /// <summary>
    /// Records a member's label on the event (POST .../review and the event page): null once recorded, otherwise the
    /// refusal (404, 412, 400 or 422); the fields' messages of a 400 or 422 are also in <paramref name="errors"/>.
    /// </summary>
    public static async Task<IResult?> LabelAsync(TidingsDbContext db, ClassifierKnowledge knowledge, Guid id, ReviewEventRequest? body,
        HttpRequest request, FieldErrors errors, CancellationToken ct)
    {
        if (body?.Category is not null)
            errors.Required("category", body.Category, 50);
        errors.MaxLength("subcategory", body?.Subcategory, 50);
        if (errors.Any)
            return errors.Problem();
        var refused = await db.InTransactionAsync<IResult?>(async ct =>
        {
            var ev = await db.Events.SingleOrDefaultAsync(e => e.Id == id, ct);
            if (ev is null)
                return TypedResults.NotFound();
            if (ETags.IsStale(request, ev))
                return ETags.PreconditionFailed();
            if (body?.Category is { } category)
                (ev.Category, ev.Subcategory) = (category.Trim(), Blank(body.Subcategory));
            else if (body?.Subcategory is { } subcategory)
                ev.Subcategory = Blank(subcategory);
            if ((await LiveCategories.ReadAsync(db, ct)).Refusal(ev.Category, ev.Subcategory) is { } wrong)
            {
                errors.Add(wrong.Field, wrong.Message);
                return NotLabelled([wrong], "Nothing was changed.");
            }
            await Corrections.RecordAsync(db, ev, await LiveClientNameAsync(db, ev.ClientId, ct), ct);
            await db.SaveChangesAsync(ct);
            return null;
        }, ct);
        if (refused is null)
            knowledge.Forget(db.Tenant.RequireBusinessId());
        return refused;
    }

    /// <summary>Moves the event to the trash (DELETE /api/events/{id} and the event page): 204, 404 or 412.</summary>
    public static async Task<IResult> DeleteAsync(Guid id, HttpRequest request, TidingsDbContext db, CancellationToken ct) =>
        await db.InTransactionAsync<IResult>(async ct =>
        {
            var ev = await Stories.FindLockedAsync(db, db.Events.Where(e => e.Id == id), ct);
            if (ev is null)
                return TypedResults.NotFound();
            if (ETags.IsStale(request, ev))
                return ETags.PreconditionFailed();
            // The story passes on first, in its own save: a delete writes the soft-delete columns and nothing else.
            await Stories.HandOverAsync(db, ev, stays: true, ct);
            await db.SaveChangesAsync(ct);
            db.Events.Remove(ev);
            await db.SaveChangesAsync(ct);
            await Clients.ClientHealth.RefreshAsync(db, [ev.ClientId], ct);
            return TypedResults.NoContent();
        }, ct);

    /// <summary>The restore route, which the trash page calls too.</summary>
    public static async Task<IResult> RestoreAsync(Guid id, ClaimsPrincipal principal, TidingsDbContext db, HttpResponse response, CancellationToken ct)
    {
        var refused = await db.InTransactionAsync<IResult?>(async ct =>
        {
            var ev = await Stories.FindLockedAsync(db, db.Events.IgnoreQueryFilters([SoftDeleteRules.Filter]).Where(e => e.Id == id), ct);
            if (ev is null)
                return TypedResults.NotFound();
            // An event of a deleted client stays hidden behind its client whatever its own flag says.
            if (await LiveClientNameAsync(db, ev.ClientId, ct) is null)
                return Refusals.NotAllowed("The event's client is deleted: restore the client first.");
            if (ev.IsDeleted)
            {
                await Stories.BeforeRestoreAsync(db, ev, ct);
                db.Restore(ev);
                await db.SaveChangesAsync(ct);
                await Clients.ClientHealth.RefreshAsync(db, [ev.ClientId], ct);
            }
            return null;
        }, ct);
        return refused ?? await GetAsync(id, principal, db, response, ct);
    }

    /// <summary>Applies the fields present in the PATCH body; duplicateOfEventId is only answered, checked by the caller.</summary>
    private static (bool Present, Guid? Value) Apply(PatchDocument patch, Event ev)
    {
        if (patch.Has<Guid?>("clientId", out var clientId))
            ev.ClientId = clientId ?? Guid.Empty;
        if (patch.Has<string>("title", out var title))
            ev.Title = title?.Trim() ?? "";
        if (patch.Has<string>("description", out var description))
            ev.Description = description;
        if (patch.Has<string>("url", out var url))
            ev.Url = Blank(url);
        if (patch.Has<string>("source", out var source))
            ev.Source = Blank(source);
        if (patch.Has<string>("sourceType", out var sourceType))
            ev.SourceType = Blank(sourceType);
        if (patch.Has<string>("category", out var category))
            ev.Category = category?.Trim() ?? "";
        if (patch.Has<string>("subcategory", out var subcategory))
            ev.Subcategory = Blank(subcategory);
        if (patch.Has<List<string>>("tags", out var tags))
            ev.Tags = tags?.Select(t => t?.Trim()!).ToList();
        if (patch.Has<double?>("relevanceScore", out var relevance))
            ev.RelevanceScore = relevance ?? double.NaN; // null is no score: refused by Validate
        if (patch.Has<double?>("sentimentScore", out var sentiment))
            ev.SentimentScore = sentiment;
        if (patch.Has<double?>("confidenceScore", out var confidence))
            ev.ConfidenceScore = confidence;
        if (patch.Has<DateTimeOffset?>("eventDate", out var eventDate))
            ev.EventDate = eventDate is { } date ? StoredTime.Of(date.UtcDateTime) : default;
        return (patch.Has<Guid?>("duplicateOfEventId", out var duplicateOf), duplicateOf);
    }

    /// <summary>
    /// The seed's limits, checked on the event as it would be stored (after a create or a patch). A new event may come
    /// without a category for the classifier to choose; a subcategory then has nothing to belong to.
    /// </summary>
    private static void Validate(FieldErrors errors, Event ev, string prefix = "", bool categoryRequired = true)
    {
        // A missing or null clientId / eventDate arrives here as the empty value.
        if (ev.ClientId == Guid.Empty)
            errors.Add(prefix + "clientId", "Required.");
        if (ev.EventDate == default)
            errors.Add(prefix + "eventDate", "Required.");
        if (categoryRequired || ev.Category.Length > 0)
            errors.Required(prefix + "category", ev.Category, 50);
        else if (ev.Subcategory is not null)
            errors.Add(prefix + "subcategory", "Only with a category: send both, or neither for the classifier to choose.");
        errors.Required(prefix + "title", ev.Title, 500)
            .MaxLength(prefix + "subcategory", ev.Subcategory, 50)
            .HttpUrl(prefix + "url", ev.Url, 1000)
            .MaxLength(prefix + "source", ev.Source, 200)
            .MaxLength(prefix + "sourceType", ev.SourceType, 50)
            .Range(prefix + "relevanceScore", ev.RelevanceScore, 0, 1)
            .Range(prefix + "sentimentScore", ev.SentimentScore, -1, 1)
            .Range(prefix + "confidenceScore", ev.ConfidenceScore, 0, 1);
        if (ev.Tags is { } tags)
        {
            if (tags.Count > MaxFreeTags)
                errors.Add(prefix + "tags", $"At most {MaxFreeTags} tags.");
            if (tags.Any(t => string.IsNullOrEmpty(t) || t.Length > MaxFreeTagLength))
                errors.Add(prefix + "tags", $"Each tag is a non-empty string of at most {MaxFreeTagLength} characters.");
        }
    }

    private static Task<string?> LiveClientNameAsync(TidingsDbContext db, Guid clientId, CancellationToken ct) =>
        db.Clients.Where(c => c.Id == clientId).Select(c => c.Name).SingleOrDefaultAsync(ct);

    private static IResult UnknownClient() => TypedResults.Problem(title: "Not allowed",
        detail: "clientId must name a live client of this business.", statusCode: 422);

    /// <summary>A 422 naming each field (with its position in a batch) whose category cannot label the event.</summary>
    private static IResult NotLabelled(IEnumerable<(string Field, string Message)> refused, string outcome) =>
        TypedResults.Problem(new HttpValidationProblemDetails(refused.GroupBy(r => r.Field).ToDictionary(g => g.Key, g => g.Select(r => r.Message).ToArray()))
        {
            Title = "Not allowed", Status = StatusCodes.Status422UnprocessableEntity,
            Detail = "A category must be a live category of this business, and a subcategory one of its own. " + outcome,
        });

    private static FeedCursor? DecodeCursor(string? cursor)
    {
        var after = Paging.Decode<FeedCursor>(cursor);
        // Only a UTC date can be compared with the stored ones; anything else is not a cursor we gave out.
        if (after is not null && after.EventDate.Kind != DateTimeKind.Utc)
            throw new InvalidCursorException();
        return after;
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
