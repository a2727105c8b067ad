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
/// when it is rotated, never again (the previous one keeps signing for a grace period). Adding and changing are public methods the
/// web pages call too.
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
        var saved = await AddAsync(db, request, errors, fetching, ct);
        if (errors.Any)
            return errors.Problem();
        if (saved.Refusal is { } refused)
            return Refusals.NotAllowed(refused.Message);
        var webhook = saved.Webhook!;
        ETags.Set(response, webhook);
        return TypedResults.Created($"/api/webhooks/{webhook.Id}", WebhookDto.From(webhook, withSecret: true));
    }

    /// <summary>
    /// A new endpoint by the API's rules (the route's and the web page's): malformed fields go into <paramref name="errors"/> (400), a
    /// well-formed request the business or the world refuses answers its refusal (422); otherwise the endpoint is saved with a new secret.
    /// </summary>
    public static async Task<WebhookSave> AddAsync(TidingsDbContext db, CreateWebhookRequest request, FieldErrors errors, FetchSettings fetching,
        CancellationToken ct)
    {
        var url = errors.FetchableUrl("url", request.Url, Webhook.MaxUrlLength);
        errors.MaxLength("description", request.Description, 200)
            .OneOf("format", request.Format, WebhookFormats.All)
            .Range("minRelevance", request.MinRelevance, 0, 1);
        EventTypes(errors, request.EventTypes, given: true);
        FilterItems(errors, "categories", request.Categories);
        FilterItems(errors, "clientIds", request.ClientIds);
        if (errors.Any)
            return new WebhookSave(null, null);
        if (await RefusalAsync(db, url!, request.Categories, request.ClientIds, fetching, ct) is { } refused)
            return new WebhookSave(null, refused);

        var webhook = new Webhook
        {
            Url = url!, Description = Blank(request.Description), Format = request.Format ?? WebhookFormats.Json,
            EventTypes = request.EventTypes!.Distinct().ToList(), MinRelevance = request.MinRelevance,
            Categories = request.Categories?.Distinct().ToList(), ClientIds = request.ClientIds?.Distinct().Select(c => c.ToString()).ToList(),
            Secret = WebhookSecret.New(),
        };
        db.Webhooks.Add(webhook);
        await db.SaveChangesAsync(ct);
        return new WebhookSave(webhook, null);
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

        var changes = new WebhookChanges(
            patch.Has<string>("url", out var url) ? new(url) : null,
            patch.Has<string>("description", out var description) ? new(description) : null,
            patch.Has<string>("format", out var format) ? new(format) : null,
            patch.Has<List<string>>("eventTypes", out var types) ? new(types) : null,
            patch.Has<double?>("minRelevance", out var minRelevance) ? new(minRelevance) : null,
            patch.Has<List<string>>("categories", out var categories) ? new(categories) : null,
            patch.Has<List<Guid>>("clientIds", out var clientIds) ? new(clientIds) : null,
            patch.Has<bool?>("enabled", out var enabled) ? new(enabled) : null,
            patch.Has<bool?>("rotateSecret", out var rotate) && rotate == true);
        patch.RefuseUnknownFields();
        var saved = await ChangeAsync(db, webhook, changes, errors, fetching, ct);
        if (errors.Any)
            return errors.Problem();
        if (saved.Refusal is { } refused)
            return Refusals.NotAllowed(refused.Message);
        ETags.Set(http.Response, webhook);
        return TypedResults.Ok(WebhookDto.From(webhook, withSecret: changes.RotateSecret));
    }

    /// <summary>
    /// Changes an endpoint by the API's rules (the PATCH route's and the web page's): a null member of <paramref name="changes"/> is left as it
    /// is. Malformed fields go into <paramref name="errors"/> (errors already there also stop the change), a refusal answers 422; otherwise
    /// the change is saved, with a new secret when asked (the previous one signing for a grace period).
    /// </summary>
    public static async Task<WebhookSave> ChangeAsync(TidingsDbContext db, Webhook webhook, WebhookChanges changes, FieldErrors errors,
        FetchSettings fetching, CancellationToken ct)
    {
        var url = changes.Url is { } givenUrl ? errors.FetchableUrl("url", givenUrl.Value, Webhook.MaxUrlLength) : null;
        errors.MaxLength("description", changes.Description?.Value, 200);
        if (changes.Format is { Value: null })
            errors.Add("format", "Required.");
        errors.OneOf("format", changes.Format?.Value, WebhookFormats.All);
        EventTypes(errors, changes.EventTypes?.Value, given: changes.EventTypes is not null);
        errors.Range("minRelevance", changes.MinRelevance?.Value, 0, 1);
        FilterItems(errors, "categories", changes.Categories?.Value);
        FilterItems(errors, "clientIds", changes.ClientIds?.Value);
        if (changes.Enabled is { Value: null })
            errors.Add("enabled", "Required.");
        if (errors.Any)
            return new WebhookSave(null, null);
        if (await RefusalAsync(db, changes.Url is not null && url != webhook.Url ? url : null, changes.Categories?.Value, changes.ClientIds?.Value,
                fetching, ct) is { } refused)
            return new WebhookSave(null, refused);

        if (changes.Url is not null)
            webhook.Url = url!;
        if (changes.Description is { } description)
            webhook.Description = Blank(description.Value);
        if (changes.Format is { } format)
            webhook.Format = format.Value!;
        if (changes.EventTypes is { } types)
            webhook.EventTypes = types.Value!.Distinct().ToList();
        if (changes.MinRelevance is { } minRelevance)
            webhook.MinRelevance = minRelevance.Value;
        if (changes.Categories is { } categories)
            webhook.Categories = categories.Value?.Distinct().ToList();
        if (changes.ClientIds is { } clientIds)
            webhook.ClientIds = clientIds.Value?.Distinct().Select(c => c.ToString()).ToList();
        if (changes.Enabled is { Value: { } enabled } && enabled != webhook.IsEnabled)
        {
            webhook.IsEnabled = enabled;
            webhook.DisabledReason = webhook.IsEnabled ? null : $"Disabled by {db.Actor.Name}.";
            webhook.ConsecutiveFailures = 0;
        }
        if (changes.RotateSecret)
        {
            var rotated = webhook.SigningSecrets.Rotated(WebhookSecret.New(), db.Clock.GetUtcNow(), WebhookSigningSecrets.DefaultGrace);
            (webhook.Secret, webhook.PreviousSecret, webhook.PreviousSecretUntil) = (rotated.Current, rotated.Previous, StoredTime.Of(rotated.PreviousUntil!.Value.UtcDateTime));
        }
        await db.SaveChangesAsync(ct);
        return new WebhookSave(webhook, null);
    }

    private static Task<IResult> DeleteAsync(Guid id, TidingsDbContext db, HttpRequest request, CancellationToken ct) =>
        SoftDeleteRoutes.DeleteAsync(db, db.Webhooks.Where(w => w.Id == id), request, ct);

    /// <summary>What may only be checked against the world or the business: the address, the categories and clients named.</summary>
    private static async Task<WebhookRefusal?> RefusalAsync(TidingsDbContext db, string? url, List<string>? categories, List<Guid>? clientIds,
        FetchSettings fetching, CancellationToken ct)
    {
        if (url is not null && await AddressRules.RefusalAsync(new Uri(url), fetching.AllowPrivateAddresses, ct) is { } refusal)
            return new WebhookRefusal("url", refusal);
        if (categories is { Count: > 0 })
        {
            var live = await LiveCategories.ReadAsync(db, ct);
            if (categories.FirstOrDefault(c => live.Refusal(c, null) is not null) is { } unknown)
                return new WebhookRefusal("categories", $"\"{unknown}\" is not a live category of this business.");
        }
        if (clientIds is { Count: > 0 })
        {
            var wanted = clientIds.Distinct().ToList();
            if (await db.Clients.CountAsync(c => wanted.Contains(c.Id), ct) != wanted.Count)
                return new WebhookRefusal("clientIds", "clientIds names a client this business does not have.");
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
