using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Tidings.Clients;
using Tidings.Data;
using Tidings.Monitoring;
using Tidings.Users;
using Tidings.Web;

namespace Tidings.Pages.Clients;

/// <summary>A new client by the API's own creation: the same rules, and the sources its domain gives.</summary>
[Authorize(Policy = Policies.Member)]
public sealed class NewModel(TidingsDbContext db, MonitoringSettings monitoring, TimeProvider clock) : PageModel
{
    [BindProperty] public string? Name { get; set; }
    [BindProperty] public string? Domain { get; set; }

    public FieldErrors Errors { get; } = new();

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var request = new CreateClientRequest(Name, string.IsNullOrWhiteSpace(Domain) ? null : Domain.Trim(), null, null, null, null, null, null, null, null, null, null, null, null, null);
        var changes = ClientsApi.ValidateNew(request, Errors, clock);
        if (Errors.Any)
            return Page();
        await ClientsApi.AddAsync(db, changes, null, monitoring, ct);
        return Redirect("/clients");
    }
}
