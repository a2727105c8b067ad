using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Tidings.Data;
using Tidings.Delivery.Webhooks;
using Tidings.Web;

namespace Tidings.Pages.Webhooks;

/// <summary>
/// An endpoint's fields as a form posts them (the add form and the edit form): text the page turns into the API's request, so a number
/// or id typed wrong is a message by its field rather than a binding failure.
/// </summary>
public sealed class WebhookForm
{
    /// <summary>The edit form's hidden field: the endpoint's ETag when the form was drawn, so a save over someone else's change is refused.</summary>
    public string? Version { get; set; }
    public string? Url { get; set; }
    public string? Description { get; set; }
    public string? Format { get; set; } = WebhookFormats.Json;
    public List<string> EventTypes { get; set; } = [];
    public string? MinRelevance { get; set; }
    public List<string> Categories { get; set; } = [];
    public List<string> ClientIds { get; set; } = [];

    public static WebhookForm From(Webhook w) => new()
    {
        Version = ETags.Of(w), Url = w.Url, Description = w.Description, Format = w.Format, EventTypes = [.. w.EventTypes],
        MinRelevance = w.MinRelevance?.ToString(CultureInfo.InvariantCulture), Categories = [.. w.Categories ?? []], ClientIds = [.. w.ClientIds ?? []],
    };

    /// <summary>The API's create request; an empty filter list means "all" (null), as an endpoint made without it.</summary>
    public CreateWebhookRequest ToRequest(FieldErrors errors) =>
        new(Url, Description, Format, EventTypes, Relevance(errors), Categories.Count > 0 ? Categories : null, Clients(errors));

    /// <summary>Every field of the form set, as a PATCH naming them all.</summary>
    public WebhookChanges ToChanges(FieldErrors errors) => WebhookChanges.None with
    {
        Url = new(Url), Description = new(Description), Format = new(Format), EventTypes = new(EventTypes),
        MinRelevance = new(Relevance(errors)), Categories = new(Categories.Count > 0 ? Categories : null), ClientIds = new(Clients(errors)),
    };

    private double? Relevance(FieldErrors errors)
    {
        if (string.IsNullOrWhiteSpace(MinRelevance))
            return null;
        if (double.TryParse(MinRelevance, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            return value;
        errors.Add("minRelevance", "Must be a number between 0 and 1, such as 0.5.");
        return null;
    }

    private List<Guid>? Clients(FieldErrors errors)
    {
        if (ClientIds.Count == 0)
            return null;
        var ids = new List<Guid>();
        foreach (var text in ClientIds)
            if (Guid.TryParse(text, out var id))
                ids.Add(id);
            else
                errors.Add("clientIds", "clientIds names a client this business does not have.");
        return ids;
    }
}

/// <summary>What the endpoint form offers to pick from: the business's top-level categories and its clients.</summary>
public sealed record WebhookFormOptions(IReadOnlyList<(string Key, string Name)> Categories, IReadOnlyList<(Guid Id, string Name)> Clients)
{
    public const int MaxClients = 500;

    public static async Task<WebhookFormOptions> ReadAsync(TidingsDbContext db, CancellationToken ct)
    {
        var categories = await db.Categories.AsNoTracking().Where(c => c.ParentId == null).OrderBy(c => c.Name)
            .Select(c => new { c.Key, c.Name }).ToListAsync(ct);
        var clients = await db.Clients.AsNoTracking().OrderBy(c => c.Name).ThenBy(c => c.Id).Take(MaxClients)
            .Select(c => new { c.Id, c.Name }).ToListAsync(ct);
        return new(categories.Select(c => (c.Key, c.Name)).ToList(), clients.Select(c => (c.Id, c.Name)).ToList());
    }
}

/// <summary>The form partial's model: the values, the options, the API's messages, and the ids prefix that keeps two forms' ids apart.</summary>
public sealed record WebhookFormView(WebhookForm Form, WebhookFormOptions Options, FieldErrors Errors, string Prefix);
