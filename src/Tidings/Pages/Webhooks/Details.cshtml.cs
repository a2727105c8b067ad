using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Tidings.Data;
using Tidings.Delivery.Outbox;
using Tidings.Delivery.Webhooks;
using Tidings.Monitoring.Fetching;
using Tidings.Users;
using Tidings.Web;

namespace Tidings.Pages.Webhooks;

/// <summary>
/// One endpoint: its edit form, enable or disable, a new secret, a test message, deleting it (after a confirming page, no script), and its
/// delivery log with a retry per attempt; each action is the API's own method (WebhooksApi, WebhookDeliveriesApi).
/// </summary>
[Authorize(Policy = Policies.Admin)]
public sealed class DetailsModel(TidingsDbContext db, FetchSettings fetching, WebhookSender sender, DeliverySettings settings, TimeProvider clock)
    : PageModel
{
    public const int LogPageSize = 20;

    [BindProperty] public WebhookForm Form { get; set; } = new();

    public FieldErrors Errors { get; } = new();
    public Webhook Webhook { get; private set; } = null!;
    public WebhookSummary Summary { get; private set; } = null!;
    public Page<WebhookDeliveryDto> Deliveries { get; private set; } = new([], null);
    public bool IsLaterPage { get; private set; }
    public string? LogProblem { get; private set; }
    public bool ConfirmingDelete { get; private set; }
    /// <summary>Set when an edit was refused because the endpoint changed since its form was drawn: what that form asked for, field by field.</summary>
    public List<(string Field, string Value)>? StaleEdit { get; private set; }
    /// <summary>Set only in the answer to the post that rotated it.</summary>
    public string? NewSecret { get; private set; }
    [TempData] public string? Notice { get; set; }

    public async Task<IActionResult> OnGetAsync(Guid id, string? after, string? delete, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
            return NotFound();
        Form = WebhookForm.From(Webhook);
        ConfirmingDelete = delete == "confirm";
        await LoadLogAsync(after, ct);
        return Page();
    }

    public async Task<IActionResult> OnPostEditAsync(Guid id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
            return NotFound();
        // The API's If-Match by a hidden field: a form drawn before someone else's save writes nothing over it.
        if (Form.Version != ETags.Of(Webhook))
        {
            var current = WebhookForm.From(Webhook);
            StaleEdit = Differences(Form, current);
            Form = current;
            await LoadLogAsync(null, ct);
            Response.StatusCode = StatusCodes.Status409Conflict;
            return Page();
        }
        var changes = Form.ToChanges(Errors);
        if (await SaveAsync(changes, ct))
            return Done(id, "Changes saved.");
        await LoadLogAsync(null, ct);
        return Page();
    }

    /// <summary>What the stale form asked for that differs from the endpoint as it is now, in the form's words.</summary>
    private List<(string Field, string Value)> Differences(WebhookForm yours, WebhookForm current)
    {
        var options = Summary.Options;
        string Text(string? value) => string.IsNullOrWhiteSpace(value) ? "(empty)" : value.Trim();
        string Listed(IEnumerable<string> values, string none) => values.Any() ? string.Join(", ", values) : none;
        string Category(string key) => options.Categories.FirstOrDefault(c => c.Key == key).Name ?? key;
        string Client(string id) => options.Clients.FirstOrDefault(c => c.Id.ToString() == id).Name ?? "(a client not listed)";
        var differences = new List<(string, string)>();
        if (Text(yours.Url) != Text(current.Url))
            differences.Add(("Endpoint URL", Text(yours.Url)));
        if (Text(yours.Description) != Text(current.Description))
            differences.Add(("Description", Text(yours.Description)));
        if (yours.Format != current.Format)
            differences.Add(("Format", yours.Format == WebhookFormats.Slack ? "Slack incoming webhook" : "Standard Webhooks (signed JSON)"));
        if (!yours.EventTypes.Order().SequenceEqual(current.EventTypes.Order()))
            differences.Add(("Messages to send", Listed(yours.EventTypes, "none")));
        if (Text(yours.MinRelevance) != Text(current.MinRelevance))
            differences.Add(("Minimum relevance", Text(yours.MinRelevance)));
        if (!yours.Categories.Order().SequenceEqual(current.Categories.Order()))
            differences.Add(("Only these categories", Listed(yours.Categories.Select(Category), "every category")));
        if (!yours.ClientIds.Order().SequenceEqual(current.ClientIds.Order()))
            differences.Add(("Only these clients", Listed(yours.ClientIds.Select(Client), "every client")));
        return differences;
    }

    public async Task<IActionResult> OnPostEnabledAsync(Guid id, bool enabled, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
            return NotFound();
        await SaveAsync(WebhookChanges.None with { Enabled = new(enabled) }, ct);
        return Done(id, enabled ? "Enabled: messages are sent to this endpoint again." : "Disabled: nothing is sent to this endpoint until it is enabled.");
    }

    public async Task<IActionResult> OnPostRotateAsync(Guid id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
            return NotFound();
        await SaveAsync(WebhookChanges.None with { RotateSecret = true }, ct);
        NewSecret = Webhook.Secret;
        Form = WebhookForm.From(Webhook);
        await LoadLogAsync(null, ct);
        return Page();
    }

    public async Task<IActionResult> OnPostTestAsync(Guid id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
            return NotFound();
        var sent = await WebhookDeliveriesApi.SendTestAsync(db, Webhook, sender, settings, clock, ct);
        return Done(id, "Test message sent. " + DeliveryWords.Outcome(sent.Succeeded, sent.StatusCode, sent.DurationMs, sent.Error));
    }

    public async Task<IActionResult> OnPostRetryAsync(Guid id, Guid deliveryId, CancellationToken ct)
    {
        var retry = await WebhookDeliveriesApi.RetryNowAsync(db, id, deliveryId, clock, ct);
        if (retry is null)
            return NotFound();
        return Done(id, retry.Refusal is { } refused
            ? $"Not sent again: {refused.Title}. {refused.Detail}"
            : "Sent again: the message is due now, under its same webhook-id; its attempt appears in the log once made.");
    }

    public async Task<IActionResult> OnPostDeleteAsync(Guid id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
            return NotFound();
        db.Webhooks.Remove(Webhook);
        await db.SaveChangesAsync(ct);
        Notice = $"Deleted the endpoint {Webhook.Url}: nothing more is sent to it. It is in the trash.";
        return Redirect("/webhooks");
    }

    private IActionResult Done(Guid id, string notice)
    {
        Notice = notice;
        return Redirect($"/webhooks/{id}");
    }

    /// <summary>The API's change; a refusal shows by the field it is about.</summary>
    private async Task<bool> SaveAsync(WebhookChanges changes, CancellationToken ct)
    {
        if (Errors.Any)
            return false;
        var saved = await WebhooksApi.ChangeAsync(db, Webhook, changes, Errors, fetching, ct);
        if (saved.Refusal is { } refused)
            Errors.Add(refused.Field, refused.Message);
        return saved.Webhook is not null;
    }

    private async Task<bool> LoadAsync(Guid id, CancellationToken ct)
    {
        var webhook = await db.Webhooks.SingleOrDefaultAsync(w => w.Id == id, ct);
        if (webhook is null)
            return false;
        Webhook = webhook;
        var last = await db.WebhookDeliveries.AsNoTracking().Where(d => d.WebhookId == id)
            .OrderByDescending(d => d.CreatedAt).ThenByDescending(d => d.Id).FirstOrDefaultAsync(ct);
        Summary = new WebhookSummary(webhook, last, await WebhookFormOptions.ReadAsync(db, ct));
        return true;
    }

    private async Task LoadLogAsync(string? after, CancellationToken ct)
    {
        IsLaterPage = after is not null;
        try
        {
            Deliveries = await WebhookDeliveriesApi.PageAsync(db, Webhook.Id, LogPageSize, Paging.Decode<WebhookDeliveryCursor>(after), ct);
        }
        catch (InvalidCursorException)
        {
            LogProblem = "That link to a later page of the log is not one this page gave out. The newest attempts are shown instead.";
            Deliveries = await WebhookDeliveriesApi.PageAsync(db, Webhook.Id, LogPageSize, null, ct);
        }
    }
}
