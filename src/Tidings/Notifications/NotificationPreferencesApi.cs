using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Tidings.Categories;
using Tidings.Data;
using Tidings.Users;
using Tidings.Web;

namespace Tidings.Notifications;

/// <summary>
/// The caller's own notification preferences, for anyone signed in. Without a row the answer is the defaults and
/// nothing is written; a PUT writes the whole row, and a refused one writes nothing.
/// </summary>
public static class NotificationPreferencesApi
{
    public const int MaxListItems = 100;

    public static IEndpointRouteBuilder MapNotificationPreferencesApi(this IEndpointRouteBuilder app)
    {
        var preferences = app.MapGroup("/api/me/notification-preferences").WithTags("Me").RequireAuthorization(Policies.Viewer);
        preferences.MapGet("/", GetAsync).WithName("GetNotificationPreferences")
            .WithSummary("The caller's notification preferences (the defaults when never set), with the relevance that applies and the next digest.");
        preferences.MapPut("/", PutAsync).WithName("PutNotificationPreferences")
            .WithSummary("Replace the caller's notification preferences (a field left out takes its default). 422 for tags or categories the business does not have.")
            .Produces<NotificationPreferencesDto>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        return app;
    }

    private static async Task<Ok<NotificationPreferencesDto>> GetAsync(ClaimsPrincipal principal, TidingsDbContext db, CancellationToken ct) =>
        TypedResults.Ok(await ReadAsync(db, principal.UserId(), ct));

    /// <summary>The person's preferences as they apply (the defaults when never set): the API's GET and the preferences page's.</summary>
    public static async Task<NotificationPreferencesDto> ReadAsync(TidingsDbContext db, Guid userId, CancellationToken ct)
    {
        var row = await db.NotificationPreferences.AsNoTracking().SingleOrDefaultAsync(p => p.UserId == userId, ct)
            ?? NotificationPreferences.Defaults(userId);
        var (threshold, timeZone) = await SettingsAsync(db, userId, ct);
        return NotificationPreferencesDto.From(row, threshold, timeZone);
    }

    private static async Task<IResult> PutAsync(NotificationPreferencesRequest request, ClaimsPrincipal principal, TidingsDbContext db, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var (saved, refusal) = await SaveAsync(request, errors, principal.UserId(), db, ct);
        if (errors.Any)
            return errors.Problem();
        return refusal is not null ? Refusals.NotAllowed(refusal) : TypedResults.Ok(saved);
    }

    /// <summary>
    /// Replaces the person's preferences: the saved ones, or nothing written and either <paramref name="errors"/>
    /// filled or the reason the business refuses them (a tag or category it does not have).
    /// </summary>
    public static async Task<(NotificationPreferencesDto? Saved, string? Refusal)> SaveAsync(NotificationPreferencesRequest request, FieldErrors errors, Guid userId, TidingsDbContext db, CancellationToken ct)
    {
        Validate(request, errors);
        if (errors.Any)
            return (null, null);
        if (await RefusalAsync(db, request, ct) is { } refused)
            return (null, refused);

        var stored = await db.NotificationPreferences.SingleOrDefaultAsync(p => p.UserId == userId, ct);
        // The unsubscribe key is made once: links in e-mails already sent keep working after later changes.
        var row = stored ?? new NotificationPreference { UserId = userId, UnsubscribeToken = NotificationPreferences.NewUnsubscribeToken() };
        var clients = request.Clients ?? NotificationScopes.Mine;
        row.Kinds = request.Kinds?.Distinct().ToList() ?? [.. NotificationTypes.Default];
        row.Clients = clients;
        row.TagIds = clients == NotificationScopes.Tagged ? request.TagIds!.Distinct().Select(t => t.ToString()).ToList() : null;
        row.MinRelevance = request.MinRelevance;
        row.Categories = request.Categories?.Distinct().ToList();
        row.Channel = request.Channel ?? NotificationChannels.InApp;
        row.DigestHour = request.DigestHour ?? 8;
        row.DigestDay = request.DigestDay ?? 1;
        var (threshold, timeZone) = await SettingsAsync(db, userId, ct);
        NotificationPreferences.Schedule(row, timeZone, StoredTime.Now(db.Clock));
        // Choosing the defaults when one never changed them writes nothing: a person without a row has them.
        if (stored is not null || !IsDefault(row))
        {
            if (stored is null)
                db.NotificationPreferences.Add(row);
            await db.SaveChangesAsync(ct);
        }
        return (NotificationPreferencesDto.From(row, threshold, timeZone), null);
    }

    private static bool IsDefault(NotificationPreference row)
    {
        var defaults = NotificationPreferences.Defaults(row.UserId);
        return row.Kinds.Order().SequenceEqual(defaults.Kinds.Order()) && row.Clients == defaults.Clients && row.TagIds is null
               && row.MinRelevance is null && row.Categories is null && row.Channel == defaults.Channel
               && row.DigestHour == defaults.DigestHour && row.DigestDay == defaults.DigestDay;
    }

    private static void Validate(NotificationPreferencesRequest request, FieldErrors errors)
    {
        if (request.Kinds?.FirstOrDefault(k => !NotificationTypes.All.Contains(k)) is { } unknown)
            errors.Add("kinds", $"\"{unknown}\" is not one of: {string.Join(", ", NotificationTypes.All)}.");
        errors.OneOf("clients", request.Clients, NotificationScopes.Every);
        if (request.Clients == NotificationScopes.Tagged && request.TagIds is not { Count: > 0 })
            errors.Add("tagIds", "Required: at least one tag when clients is \"tagged\".");
        if (request.Clients != NotificationScopes.Tagged && request.TagIds is { Count: > 0 })
            errors.Add("tagIds", "Only with clients \"tagged\".");
        if (request.TagIds is { Count: > MaxListItems })
            errors.Add("tagIds", $"At most {MaxListItems}.");
        errors.Range("minRelevance", request.MinRelevance, 0, 1);
        if (request.Categories is { Count: > MaxListItems })
            errors.Add("categories", $"At most {MaxListItems}.");
        if (request.Categories is not null && request.Categories.Any(c => string.IsNullOrEmpty(c) || c.Length > Category.MaxKeyLength))
            errors.Add("categories", $"Every item must be a category key of 1 to {Category.MaxKeyLength} characters.");
        errors.OneOf("channel", request.Channel, NotificationChannels.All)
            .Range("digestHour", request.DigestHour, 0, 23)
            .Range("digestDay", request.DigestDay, 0, 6);
    }

    /// <summary>What only the business can answer: whether the tags and categories named are live ones of it.</summary>
    private static async Task<string?> RefusalAsync(TidingsDbContext db, NotificationPreferencesRequest request, CancellationToken ct)
    {
        if (request.TagIds is { Count: > 0 })
        {
            var wanted = request.TagIds.Distinct().ToList();
            if (await db.Tags.CountAsync(t => wanted.Contains(t.Id), ct) != wanted.Count)
                return "tagIds names a tag this business does not have.";
        }
        if (request.Categories is { Count: > 0 })
        {
            var live = await LiveCategories.ReadAsync(db, ct);
            if (request.Categories.Select(c => live.Refusal(c, null)).FirstOrDefault(r => r is not null) is { } refusal)
                return refusal.Message;
        }
        return null;
    }

    private static async Task<(double Threshold, string TimeZone)> SettingsAsync(TidingsDbContext db, Guid userId, CancellationToken ct)
    {
        var threshold = await db.Businesses.Select(b => b.NotificationRelevanceThreshold).SingleAsync(ct);
        var timeZone = await db.Users.Where(u => u.Id == userId).Select(u => u.TimeZone).SingleAsync(ct);
        return (threshold, timeZone);
    }
}
