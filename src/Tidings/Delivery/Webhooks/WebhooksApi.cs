using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Tidings.Categories;
using Tidings.Data;
using Tidings.Monitoring.Fetching;
using Tidings.Users;
using Tidings.Web;

namespace Tidings.Delivery.Webhooks;

/// <summary>
/// A business's webhook endpoints, for its admins. An endpoint's address follows the sources' rules (http or https, a
/// host that resolves, no private address unless the deployment allows them); its secret is shown when it is made and
/// when it is rotated, never again (the previous one keeps signing for a grace period). Deliveries come in a later step.
/// </summary>
public static class WebhooksApi
{
    public const int MaxFilterItems = 100;

    public static IEndpointRouteBuilder MapWebhooksApi(this IEndpointRouteBuilder app)
    {
        var webhooks = app.MapGroup("/api/webhooks").WithTags("Webhooks").RequireAuthorization(Policies.Admin);
        webhooks.MapGet("/", ListAsync).WithName("ListWebhooks")
            .WithSummary("The business's webhook endpoints, oldest first, without their secrets (admin).");
        webhooks.MapPost("/", CreateAsync).WithName("CreateWebhook")
            .WithSummary("Add an endpoint (admin); the answer holds its secret (whsec_...), shown this once. 422 for an address that may not be called.")
            .Produces<WebhookDto>(StatusCodes.Status201Created).ProducesValidationProblem().ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        webhooks.MapGet("/{id}", GetAsync).WithName("GetWebhook")
            .WithSummary("An endpoint, without its secret (admin); the ETag header is its version.");
        webhooks.MapPatch("/{id}", UpdateAsync).WithName("UpdateWebhook")
            .WithSummary("Merge-patch an endpoint (admin): address, description, format, event types, filters, enabled; rotateSecret: true answers a new " +
                "secret once, the previous one signing for 24 hours more. A stale If-Match answers 412.")
            .Accepts<UpdateWebhookRequest>("application/merge-patch+json", "application/json")
            .Produces<WebhookDto>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        webhooks.MapDelete("/{id}", DeleteAsync).WithName("DeleteWebhook")
            .WithSummary("Remove an endpoint (admin): to the trash; nothing more is sent to it.")
            .ProducesProblem(StatusCodes.Status412PreconditionFailed);
        return app;
    }

    private static async Task<Ok<List<WebhookDto>>> ListAsync(TidingsDbContext db, CancellationToken ct) =>
        TypedResults.Ok((await db.Webhooks.AsNoTracking().OrderBy(w => w.CreatedAt).ThenBy(w => w.Id).ToListAsync(ct))
            .Select(w => WebhookDto.From(w)).ToList());

    private static async Task<IResult> CreateAsync(CreateWebhookRequest request, TidingsDbContext db, FetchSettings fetching, HttpResponse response,
        CancellationToken ct)
    {
        var errors = new FieldErrors();
        var url = errors.FetchableUrl("url", request.Url, Webhook.MaxUrlLength);
        errors.MaxLength("description", request.Description, 200)
            .OneOf("format", request.Format, WebhookFormats.All)
            .Range("minRelevance", request.MinRelevance, 0, 1);
        EventTypes(errors, request.EventTypes, given: true);
        FilterItems(errors, "categories", request.Categories);
        FilterItems(errors, "clientIds", request.ClientIds);
        if (errors.Any)
            return errors.Problem();
        if (await RefusalAsync(db, url!, request.Categories, request.ClientIds, fetching, ct) is { } refused)
            return refused;

        var webhook = new Webhook
        {
            Url = url!, Description = Blank(request.Description), Format = request.Format ?? WebhookFormats.Json,
            EventTypes = request.EventTypes!.Distinct().ToList(), MinRelevance = request.MinRelevance,
            Categories = request.Categories?.Distinct().ToList(), ClientIds = request.ClientIds?.Distinct().Select(c => c.ToString()).ToList(),
            Secret = WebhookSecret.New(),
        };
        db.Webhooks.Add(webhook);
        await db.SaveChangesAsync(ct);
        ETags.Set(response, webhook);
        return TypedResults.Created($"/api/webhooks/{webhook.Id}", WebhookDto.From(webhook, withSecret: true));
    }

    private static async Task<Results<Ok<WebhookDto>, NotFound>> GetAsync(Guid id, TidingsDbContext db, HttpResponse response, CancellationToken ct)
    {
        var webhook = await db.Webhooks.AsNoTracking().SingleOrDefaultAsync(w => w.Id == id, ct);
        if (webhook is null)
            return TypedResults.NotFound();
        ETags.Set(response, webhook);
        return TypedResults.Ok(WebhookDto.From(webhook));
    }

    private static async Task<IResult> UpdateAsync(Guid id, TidingsDbContext db, FetchSettings fetching, HttpContext http, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var patch = await PatchDocument.ReadAsync(http.Request, errors, ct);
        var webhook = await db.Webhooks.SingleOrDefaultAsync(w => w.Id == id, ct);
        if (webhook is null)
            return TypedResults.NotFound();
        if (ETags.IsStale(http.Request, webhook))
            return ETags.PreconditionFailed();

        var hasUrl = patch.Has<string>("url", out var url);
        if (hasUrl)
            url = errors.FetchableUrl("url", url, Webhook.MaxUrlLength);
        var hasDescription = patch.Has<string>("description", out var description);
        errors.MaxLength("description", description, 200);
        var hasFormat = patch.Has<string>("format", out var format);
        if (hasFormat && format is null)
            errors.Add("format", "Required.");
        errors.OneOf("format", format, WebhookFormats.All);
        var hasTypes = patch.Has<List<string>>("eventTypes", out var types);
        EventTypes(errors, types, given: hasTypes);
        var hasRelevance = patch.Has<double?>("minRelevance", out var minRelevance);
        errors.Range("minRelevance", minRelevance, 0, 1);
        var hasCategories = patch.Has<List<string>>("categories", out var categories);
        FilterItems(errors, "categories", categories);
        var hasClients = patch.Has<List<Guid>>("clientIds", out var clientIds);
        FilterItems(errors, "clientIds", clientIds);
        var hasEnabled = patch.Has<bool?>("enabled", out var enabled);
        if (hasEnabled && enabled is null)
            errors.Add("enabled", "Required.");
        patch.Has<bool?>("rotateSecret", out var rotate);
        patch.RefuseUnknownFields();
        if (errors.Any)
            return errors.Problem();
        if (await RefusalAsync(db, hasUrl && url != webhook.Url ? url : null, hasCategories ? categories : null, hasClients ? clientIds : null,
                fetching, ct) is { } refused)
            return refused;

        if (hasUrl)
            webhook.Url = url!;
        if (hasDescription)
            webhook.Description = Blank(description);
        if (hasFormat)
            webhook.Format = format!;
        if (hasTypes)
            webhook.EventTypes = types!.Distinct().ToList();
        if (hasRelevance)
            webhook.MinRelevance = minRelevance;
        if (hasCategories)
            webhook.Categories = categories?.Distinct().ToList();
        if (hasClients)
            webhook.ClientIds = clientIds?.Distinct().Select(c => c.ToString()).ToList();
        if (hasEnabled && enabled != webhook.IsEnabled)
        {
            webhook.IsEnabled = enabled!.Value;
            webhook.DisabledReason = webhook.IsEnabled ? null : $"Disabled by {db.Actor.Name}.";
            webhook.ConsecutiveFailures = 0;
        }
        if (rotate == true)
        {
            var rotated = webhook.SigningSecrets.Rotated(WebhookSecret.New(), db.Clock.GetUtcNow(), WebhookSigningSecrets.DefaultGrace);
            (webhook.Secret, webhook.PreviousSecret, webhook.PreviousSecretUntil) = (rotated.Current, rotated.Previous, StoredTime.Of(rotated.PreviousUntil!.Value.UtcDateTime));
        }
        await db.SaveChangesAsync(ct);
        ETags.Set(http.Response, webhook);
        return TypedResults.Ok(WebhookDto.From(webhook, withSecret: rotate == true));
    }

    private static Task<IResult> DeleteAsync(Guid id, TidingsDbContext db, HttpRequest request, CancellationToken ct) =>
        SoftDeleteRoutes.DeleteAsync(db, db.Webhooks.Where(w => w.Id == id), request, ct);

    /// <summary>What may only be checked against the world or the business: the address, the categories and clients named.</summary>
    private static async Task<IResult?> RefusalAsync(TidingsDbContext db, string? url, List<string>? categories, List<Guid>? clientIds,
        FetchSettings fetching, CancellationToken ct)
    {
        if (url is not null && await AddressRules.RefusalAsync(new Uri(url), fetching.AllowPrivateAddresses, ct) is { } refusal)
            return Refusals.NotAllowed(refusal);
        if (categories is { Count: > 0 })
        {
            var live = await LiveCategories.ReadAsync(db, ct);
            if (categories.FirstOrDefault(c => live.Refusal(c, null) is not null) is { } unknown)
                return Refusals.NotAllowed($"\"{unknown}\" is not a live category of this business.");
        }
        if (clientIds is { Count: > 0 })
        {
            var wanted = clientIds.Distinct().ToList();
            if (await db.Clients.CountAsync(c => wanted.Contains(c.Id), ct) != wanted.Count)
                return Refusals.NotAllowed("clientIds names a client this business does not have.");
        }
        return null;
    }

    /// <param name="given">The request sets them: then at least one is required.</param>
    private static void EventTypes(FieldErrors errors, List<string>? types, bool given)
    {
        if (given && (types is null || types.Count == 0))
            errors.Add("eventTypes", "Required: at least one of " + string.Join(", ", WebhookEventTypes.All) + ".");
        if (types?.FirstOrDefault(t => !WebhookEventTypes.All.Contains(t)) is { } unknown)
            errors.Add("eventTypes", $"\"{unknown}\" is not one of: {string.Join(", ", WebhookEventTypes.All)}.");
    }

    private static void FilterItems<T>(FieldErrors errors, string field, List<T>? items)
    {
        if (items is { Count: > MaxFilterItems })
            errors.Add(field, $"At most {MaxFilterItems}.");
        if (items is not null && items.Any(i => i is null || i is string { Length: 0 or > 50 }))
            errors.Add(field, "Every item must be a non-empty value of at most 50 characters.");
    }

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
