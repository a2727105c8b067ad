using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Tidings.Data;

namespace Tidings.Pages.Clients;

/// <summary>The business's clients by name, with how many sources watch each: a first list, without search yet.</summary>
public sealed class IndexModel(TidingsDbContext db) : PageModel
{
    public const int Shown = 500;

    public sealed record Row(string Name, string? Domain, int Sources);

    public List<Row> Clients { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct) =>
        Clients = await db.Clients.AsNoTracking().OrderBy(c => c.Name).ThenBy(c => c.Id).Take(Shown)
            .Select(c => new Row(c.Name, c.Domain, db.Sources.Count(s => s.ClientId == c.Id)))
            .ToListAsync(ct);
}
