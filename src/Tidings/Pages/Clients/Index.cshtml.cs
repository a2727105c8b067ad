using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Tidings.Clients;
using Tidings.Data;
using Tidings.Web;

namespace Tidings.Pages.Clients;

/// <summary>
/// The business's clients by name: GET /api/clients' search and filters (ClientsApi.ListPageAsync), kept in the URL, a
/// page at a time by its cursor, with each client's assignee, health, number of sources and latest event.
/// </summary>
public sealed class IndexModel(TidingsDbContext db) : PageModel
{
    public const int PageSize = 50;

    public sealed record Row(ClientDto Client, string? Assignee, int Sources, DateTime? LastEvent);
    public sealed record Choice(string Value, string Label);

    [BindProperty(SupportsGet = true)] public string? Q { get; set; }
    [BindProperty(SupportsGet = true)] public Guid? Assignee { get; set; }
    [BindProperty(SupportsGet = true)] public string? Tier { get; set; }
    [BindProperty(SupportsGet = true)] public Guid? Tag { get; set; }
    /// <summary>active, inactive, or empty for both.</summary>
    [BindProperty(SupportsGet = true)] public string? Status { get; set; }
    [BindProperty(SupportsGet = true)] public string? After { get; set; }

    public FieldErrors Errors { get; } = new();
    public List<Row> Clients { get; private set; } = [];
    public string? NextCursor { get; private set; }
    public List<Choice> People { get; private set; } = [];
    public List<Choice> Tags { get; private set; } = [];
    public List<string> Tiers { get; private set; } = [];
    public bool Filtered => !string.IsNullOrWhiteSpace(Q) || Assignee is not null || !string.IsNullOrWhiteSpace(Tier) || Tag is not null || ActiveFilter is not null;

    private bool? ActiveFilter => Status switch { "active" => true, "inactive" => false, _ => null };

    /// <summary>The query string of the next page: the same search and filters, after the last row.</summary>
    public string NextPageQuery(string cursor) => QueryString.Create(new Dictionary<string, string?>
    {
        ["q"] = Q, ["assignee"] = Assignee?.ToString(), ["tier"] = Tier, ["tag"] = Tag?.ToString(), ["status"] = Status, ["after"] = cursor,
    }.Where(p => !string.IsNullOrEmpty(p.Value))).ToString();

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        // Ids formatted here, not in SQL: SQLite keeps them as text in its own case.
        People = (await db.Users.AsNoTracking().Where(u => u.IsActive).OrderBy(u => u.DisplayName).Select(u => new { u.Id, u.DisplayName }).ToListAsync(ct))
            .Select(u => new Choice(u.Id.ToString(), u.DisplayName)).ToList();
        Tags = (await db.Tags.AsNoTracking().OrderBy(t => t.Name).Select(t => new { t.Id, t.Name }).ToListAsync(ct))
            .Select(t => new Choice(t.Id.ToString(), t.Name)).ToList();
        Tiers = await db.Clients.AsNoTracking().Where(c => c.Tier != null).Select(c => c.Tier!).Distinct().OrderBy(t => t).ToListAsync(ct);

        var query = new ClientListQuery(Q, ActiveFilter, Assignee, Tier, Tag);
        if (ClientsApi.ValidateList(query, Errors).Any)
            return Page();
        Page<ClientDto> page;
        try
        {
            page = await ClientsApi.ListPageAsync(db, query, PageSize, After, ct);
        }
        catch (InvalidCursorException)
        {
            return BadRequest();
        }
        NextCursor = page.NextCursor;
        var ids = page.Items.Select(c => c.Id).ToList();
        var sources = await db.Sources.AsNoTracking().Where(s => ids.Contains(s.ClientId)).GroupBy(s => s.ClientId)
            .Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        var lastEvents = await db.Events.AsNoTracking().Where(e => ids.Contains(e.ClientId)).GroupBy(e => e.ClientId)
            .Select(g => new { g.Key, Last = g.Max(e => e.EventDate) }).ToDictionaryAsync(g => g.Key, g => g.Last, ct);
        var names = People.ToDictionary(p => p.Value, p => p.Label);
        Clients = page.Items.Select(c => new Row(c,
                c.AssignedToUserId is { } a ? names.GetValueOrDefault(a.ToString()) ?? "A former user" : null,
                sources.GetValueOrDefault(c.Id), lastEvents.TryGetValue(c.Id, out var last) ? last : null))
            .ToList();
        return Page();
    }
}
