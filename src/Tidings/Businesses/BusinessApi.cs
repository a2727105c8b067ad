using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Tidings.Data;
using Tidings.Users;
using Tidings.Web;

namespace Tidings.Businesses;

/// <summary>
/// The caller's own business and its settings. There is no id in the route: the business is the one
/// of the signed-in user, and the tenant filter leaves exactly that row visible.
/// </summary>
public static class BusinessApi
{
    public static IEndpointRouteBuilder MapBusinessApi(this IEndpointRouteBuilder app)
    {
        var business = app.MapGroup("/api/business").WithTags("Business");
        business.MapGet("", GetAsync).WithName("GetBusiness").RequireAuthorization(Policies.Viewer)
            .WithSummary("The caller's business and its settings; the ETag header is its version.");
        business.MapPatch("", UpdateAsync).WithName("UpdateBusiness").RequireAuthorization(Policies.Admin)
            .WithSummary("Merge-patch name, notificationRelevanceThreshold (0..1), maxTokenLifetimeDays (1..365, the longest a new personal token may live), " +
                "reviewConfidenceThreshold (0..1: classifications less sure than this need review) and healthScoreFromNews (let the news signal score clients nobody scored) (admin+); a stale If-Match answers 412.")
            .Produces<BusinessDto>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status412PreconditionFailed);
        return app;
    }

    private static async Task<Ok<BusinessDto>> GetAsync(TidingsDbContext db, HttpResponse response, CancellationToken ct)
    {
        var business = await db.Businesses.AsNoTracking().SingleAsync(ct);
        ETags.Set(response, business);
        return TypedResults.Ok(BusinessDto.Of(business));
    }

    private static async Task<IResult> UpdateAsync(HttpRequest request, TidingsDbContext db, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var patch = await PatchDocument.ReadAsync(request, errors, ct);
        var business = await db.Businesses.SingleAsync(ct);
        if (ETags.IsStale(request, business))
            return ETags.PreconditionFailed();
        var edit = new BusinessEdit(
            patch.Has<string>("name", out var name), name,
            patch.Has<double?>("notificationRelevanceThreshold", out var threshold), threshold,
            patch.Has<int?>("maxTokenLifetimeDays", out var maxTokenDays), maxTokenDays,
            patch.Has<double?>("reviewConfidenceThreshold", out var reviewThreshold), reviewThreshold,
            patch.Has<bool?>("healthScoreFromNews", out var healthFromNews), healthFromNews);
        patch.RefuseUnknownFields();
        return await EditAsync(business, edit, errors, db, request.HttpContext.Response, ct);
    }

    /// <summary>
    /// Changes the business's settings (the row tracked by <paramref name="db"/>) as the edit says: the API's PATCH and the
    /// settings page. Field errors (with those already in <paramref name="errors"/>) answer a validation problem.
    /// </summary>
    public static async Task<IResult> EditAsync(Business business, BusinessEdit edit, FieldErrors errors, TidingsDbContext db, HttpResponse response, CancellationToken ct)
    {
        var (hasName, name, hasThreshold, threshold, hasMaxTokenDays, maxTokenDays, hasReviewThreshold, reviewThreshold, hasHealthFromNews, healthFromNews) = edit;
        if (hasName)
            errors.Required("name", name, 200);
        if (hasThreshold)
        {
            if (threshold is null)
                errors.Add("notificationRelevanceThreshold", "Must be a number between 0 and 1.");
            errors.Range("notificationRelevanceThreshold", threshold, 0, 1);
        }
        if (hasMaxTokenDays)
        {
            if (maxTokenDays is null)
                errors.Add("maxTokenLifetimeDays", $"Must be a whole number of days between 1 and {Business.LongestMaxTokenLifetimeDays}.");
            errors.Range("maxTokenLifetimeDays", maxTokenDays, 1, Business.LongestMaxTokenLifetimeDays);
        }
        if (hasReviewThreshold)
        {
            if (reviewThreshold is null)
                errors.Add("reviewConfidenceThreshold", "Must be a number between 0 and 1.");
            errors.Range("reviewConfidenceThreshold", reviewThreshold, 0, 1);
        }
        if (hasHealthFromNews && healthFromNews is null)
            errors.Add("healthScoreFromNews", "Must be true or false.");
        if (errors.Any)
            return errors.Problem();

        // The slug stays: it was given out at sign-up and may be in links.
        if (hasName)
            business.Name = name!.Trim();
        if (threshold is { } value)
            business.NotificationRelevanceThreshold = value;
        // Tokens already made keep their expiry; the setting bounds the tokens made from now on.
        if (maxTokenDays is { } days)
            business.MaxTokenLifetimeDays = days;
        if (reviewThreshold is { } review)
            business.ReviewConfidenceThreshold = review;
        if (healthFromNews is { } fromNews)
            business.HealthScoreFromNews = fromNews;
        await db.SaveChangesAsync(ct);
        // Turning it on (or on again) scores every client nobody scored by hand; turning it off leaves the values, still marked "news".
        if (healthFromNews is true)
            await Clients.ClientHealth.RefreshAllAsync(db, ct);
        ETags.Set(response, business);
        return TypedResults.Ok(BusinessDto.Of(business));
    }
}
