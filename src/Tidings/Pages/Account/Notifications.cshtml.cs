using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Tidings.Data;
using Tidings.Notifications;
using Tidings.Users;
using Tidings.Web;

namespace Tidings.Pages.Account;

/// <summary>The person's notification preferences by the API's own GET and PUT /api/me/notification-preferences.</summary>
public sealed class NotificationsModel(TidingsDbContext db) : PageModel
{
    [BindProperty] public List<string> Kinds { get; set; } = [];
    [BindProperty] public string? Clients { get; set; }
    [BindProperty] public List<Guid> TagIds { get; set; } = [];
    [BindProperty] public string? MinRelevance { get; set; }
    [BindProperty] public List<string> Categories { get; set; } = [];
    [BindProperty] public string? Channel { get; set; }
    [BindProperty] public string? DigestHour { get; set; }
    [BindProperty] public string? DigestDay { get; set; }

    public NotificationPreferencesDto Current { get; private set; } = null!;
    public IReadOnlyList<(Guid Id, string Name)> AllTags { get; private set; } = [];
    public IReadOnlyList<(string Key, string Name)> AllCategories { get; private set; } = [];
    public FieldErrors Errors { get; } = new();
    public string? Refusal { get; private set; }
    public bool Saved { get; private set; }

    public async Task OnGetAsync(bool saved, CancellationToken ct)
    {
        Saved = saved;
        await LoadAsync(ct);
        Kinds = [.. Current.Kinds];
        Clients = Current.Clients;
        TagIds = [.. Current.TagIds];
        MinRelevance = Current.MinRelevance?.ToString(CultureInfo.InvariantCulture);
        Categories = Current.Categories?.ToList() ?? [];
        Channel = Current.Channel;
        DigestHour = Current.DigestHour.ToString(CultureInfo.InvariantCulture);
        DigestDay = Current.DigestDay.ToString(CultureInfo.InvariantCulture);
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        double? minRelevance = null;
        if (!string.IsNullOrWhiteSpace(MinRelevance))
        {
            if (double.TryParse(MinRelevance.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed))
                minRelevance = parsed;
            else
                Errors.Add("minRelevance", "Must be a number between 0 and 1, such as 0.6, or blank.");
        }
        // Unticked boxes send nothing: no kind ticked is none, no category ticked is every one, tags count only for "tagged".
        var request = new NotificationPreferencesRequest(Kinds, Clients, Clients == NotificationScopes.Tagged ? TagIds : null, minRelevance,
            Categories.Count > 0 ? Categories : null, Channel, WholeNumber("digestHour", DigestHour), WholeNumber("digestDay", DigestDay));
        var (saved, refusal) = await NotificationPreferencesApi.SaveAsync(request, Errors, User.UserId(), db, ct);
        if (saved is not null)
            return Redirect("/account/notifications?saved=true");
        Refusal = refusal;
        await LoadAsync(ct);
        return Page();
    }

    private int? WholeNumber(string field, string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return null;
        if (int.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            return value;
        Errors.Add(field, "Must be a whole number.");
        return null;
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Current = await NotificationPreferencesApi.ReadAsync(db, User.UserId(), ct);
        AllTags = (await db.Tags.AsNoTracking().OrderBy(t => t.Name).Select(t => new { t.Id, t.Name }).Take(NotificationPreferencesApi.MaxListItems).ToListAsync(ct))
            .Select(t => (t.Id, t.Name)).ToList();
        AllCategories = (await db.Categories.AsNoTracking().Where(c => c.ParentId == null).OrderBy(c => c.Name).Select(c => new { c.Key, c.Name }).ToListAsync(ct))
            .Select(c => (c.Key, c.Name)).ToList();
    }
}
