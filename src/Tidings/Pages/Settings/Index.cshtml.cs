using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Tidings.Businesses;
using Tidings.Data;
using Tidings.Users;
using Tidings.Web;

namespace Tidings.Pages.Settings;

/// <summary>The business's settings by BusinessApi's own change (the same ranges and messages), with facts about the business beside them.</summary>
[Authorize(Policy = Policies.Admin)]
public sealed class IndexModel(TidingsDbContext db) : PageModel
{
    public sealed record Facts(string Slug, DateTime CreatedAt, int Users, int Clients, int Events, int Categories);

    // Text, not numbers: what was typed comes back as typed beside its message, and the API words what is wrong with it.
    [BindProperty] public string? Name { get; set; }
    [BindProperty] public string? NotificationRelevanceThreshold { get; set; }
    [BindProperty] public string? ReviewConfidenceThreshold { get; set; }
    [BindProperty] public string? MaxTokenLifetimeDays { get; set; }
    [BindProperty] public bool HealthScoreFromNews { get; set; }

    public FieldErrors Errors { get; } = new();
    public Facts About { get; private set; } = null!;
    public bool Saved { get; private set; }

    public async Task OnGetAsync(bool saved, CancellationToken ct)
    {
        Saved = saved;
        var business = await db.Businesses.AsNoTracking().SingleAsync(ct);
        (Name, HealthScoreFromNews) = (business.Name, business.HealthScoreFromNews);
        NotificationRelevanceThreshold = Text(business.NotificationRelevanceThreshold);
        ReviewConfidenceThreshold = Text(business.ReviewConfidenceThreshold);
        MaxTokenLifetimeDays = business.MaxTokenLifetimeDays.ToString(CultureInfo.InvariantCulture);
        await LoadFactsAsync(business, ct);
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var business = await db.Businesses.SingleAsync(ct);
        // Turning the news signal on scores every unscored client: only a change asks for it.
        var edit = new BusinessEdit(true, Name, true, Number(NotificationRelevanceThreshold), true, WholeNumber(MaxTokenLifetimeDays),
            true, Number(ReviewConfidenceThreshold), HealthScoreFromNews != business.HealthScoreFromNews, HealthScoreFromNews);
        var answer = ApiAnswer.Of(await BusinessApi.EditAsync(business, edit, Errors, db, Response, ct), Errors);
        if (answer.Succeeded && !Request.IsHtmx())
            return Redirect("/settings?saved=true");
        Saved = answer.Succeeded;
        await LoadFactsAsync(business, ct);
        return Request.IsHtmx() ? Partial("_Settings", this) : Page();
    }

    private async Task LoadFactsAsync(Business business, CancellationToken ct) =>
        About = new Facts(business.Slug, business.CreatedAt, await db.Users.CountAsync(ct), await db.Clients.CountAsync(ct),
            await db.Events.CountAsync(ct), await db.Categories.CountAsync(ct));

    private static string Text(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    private static double? Number(string? text) =>
        double.TryParse(text?.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var n) ? n : null;

    private static int? WholeNumber(string? text) =>
        int.TryParse(text?.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;
}
