using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Tidings.Data;
using Tidings.Delivery.Webhooks;
using Tidings.Monitoring.Fetching;
using Tidings.Users;
using Tidings.Web;

namespace Tidings.Pages.Webhooks;

/// <summary>
/// The business's webhook endpoints and the form that adds one, by the API's own rules (WebhooksApi.AddAsync). The new endpoint's
/// secret is in the answer to that post alone, never in a redirect or a cookie: shown once, as the API shows it.
/// </summary>
[Authorize(Policy = Policies.Admin)]
public sealed class IndexModel(TidingsDbContext db, FetchSettings fetching) : PageModel
{
    [BindProperty] public WebhookForm Form { get; set; } = new() { EventTypes = [WebhookEventTypes.EventCreated] };

    public FieldErrors Errors { get; } = new();
    public List<WebhookSummary> Endpoints { get; private set; } = [];
    public WebhookFormOptions Options { get; private set; } = null!;
    /// <summary>Set only in the answer to the post that made it.</summary>
    public Webhook? Created { get; private set; }
    [TempData] public string? Notice { get; set; }

    public Task OnGetAsync(CancellationToken ct) => LoadAsync(ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var request = Form.ToRequest(Errors);
        if (!Errors.Any)
        {
            var saved = await WebhooksApi.AddAsync(db, request, Errors, fetching, ct);
            if (saved.Refusal is { } refused)
                Errors.Add(refused.Field, refused.Message);
            Created = saved.Webhook;
        }
        if (Created is not null)
            Form = new() { EventTypes = [WebhookEventTypes.EventCreated] };
        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Options = await WebhookFormOptions.ReadAsync(db, ct);
        var webhooks = await db.Webhooks.AsNoTracking().OrderBy(w => w.CreatedAt).ThenBy(w => w.Id).ToListAsync(ct);
        Endpoints = [];
        foreach (var w in webhooks)
            Endpoints.Add(new WebhookSummary(w, await db.WebhookDeliveries.AsNoTracking().Where(d => d.WebhookId == w.Id)
                .OrderByDescending(d => d.CreatedAt).ThenByDescending(d => d.Id).FirstOrDefaultAsync(ct), Options));
    }
}
