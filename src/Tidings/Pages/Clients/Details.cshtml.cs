using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Tidings.Audit;
using Tidings.Classification;
using Tidings.Clients;
using Tidings.Data;
using Tidings.Monitoring;
using Tidings.Monitoring.Fetching;
using Tidings.Tags;
using Tidings.Web;

namespace Tidings.Pages.Clients;

/// <summary>
/// One client: its details (edited through ClientsApi.EditAsync, the PATCH route's own logic), tags, health and its
/// breakdown, two charts, sources (SourcesApi's logic), latest events and history. Everyone reads it; every action is
/// members and up, refused with 403 to a viewer who posts anyway.
/// </summary>
public sealed class DetailsModel(TidingsDbContext db, TimeProvider clock, IServiceProvider services) : PageModel
{
    public const int LatestEvents = 20;
    public const int HistoryEntries = 50;

    public sealed record Choice(string Value, string Label);
    public sealed record EventRow(Guid Id, string Title, string Category, DateTime EventDate);

    /// <summary>The details form, by the names of the PATCH document's fields.</summary>
    public sealed class DetailsForm
    {
        public string? Version { get; set; }
        public string? Name { get; set; }
        public string? Domain { get; set; }
        public string? Industry { get; set; }
        public string? Tier { get; set; }
        public Guid? Assignee { get; set; }
        public string? CompanySize { get; set; }
        public string? RevenueRange { get; set; }
        public string? HeadquartersLocation { get; set; }
        public string? FoundedYear { get; set; }
        public string? MonitoringFrequency { get; set; }
        public string? HealthScore { get; set; }
        public string? SearchKeywords { get; set; }
        public string? Description { get; set; }
        public string? Notes { get; set; }
    }

    [BindProperty] public DetailsForm Form { get; set; } = new();
    [BindProperty] public string? SourceUrl { get; set; }
    [BindProperty] public string? SourceKind { get; set; }

    public Client Client { get; private set; } = null!;
    public bool CanEdit { get; private set; }
    public string? Confirm { get; private set; }
    public FieldErrors Errors { get; private set; } = new();
    public FieldErrors SourceErrors { get; private set; } = new();
    public string? FormMessage { get; private set; }
    public string? SourceMessage { get; private set; }
    [TempData] public string? Message { get; set; }

    public string? AssigneeName { get; private set; }
    /// <summary>Everyone of the business by id, for the history's assignee changes.</summary>
    public Dictionary<Guid, string> UserNames { get; private set; } = [];
    public List<Choice> People { get; private set; } = [];
    public List<TagDto> Tags { get; private set; } = [];
    public List<Choice> OtherTags { get; private set; } = [];
    public NewsSignal Signal { get; private set; } = null!;
    public ClientCharts Charts { get; private set; } = null!;
    public List<SourceDto> Sources { get; private set; } = [];
    public List<EventRow> Events { get; private set; } = [];
    public List<AuditEntryDto> History { get; private set; } = [];
    public DateTime Now { get; private set; }

    public async Task<IActionResult> OnGetAsync(Guid id, string? confirm, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
            return NotFound();
        Confirm = CanEdit && confirm is "delete" or "deactivate" ? confirm : null;
        FillForm();
        return Page();
    }

    public async Task<IActionResult> OnPostEditAsync(Guid id, CancellationToken ct)
    {
        if (!await CanEditAsync())
            return Forbidden();
        var current = await db.Clients.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id, ct);
        if (current is null)
            return NotFound();
        var errors = new FieldErrors();
        var changes = ReadForm(current, errors);
        if (!errors.Any)
        {
            var (_, refusal) = await ClientsApi.EditAsync(db, id, changes, c => ETags.Of(c) != Form.Version, ct);
            if (refusal is null)
                return Done(id, "Details saved.", "details");
            if (refusal is NotFound)
                return NotFound();
            FormMessage = ProblemText(refusal);
            if (refusal is IStatusCodeHttpResult { StatusCode: StatusCodes.Status412PreconditionFailed })
            {
                FormMessage += " Your version is kept below: save again to replace theirs, or reload the page to see it.";
                Form.Version = ETags.Of(current);
            }
        }
        await LoadAsync(id, ct);
        Errors = errors;
        return Page();
    }

    public async Task<IActionResult> OnPostActiveAsync(Guid id, bool active, CancellationToken ct)
    {
        if (!await CanEditAsync())
            return Forbidden();
        var changes = new ClientChanges(new FieldErrors(), clock.GetUtcNow().Year);
        changes.IsActive(active);
        var (_, refusal) = await ClientsApi.EditAsync(db, id, changes, _ => false, ct);
        if (refusal is not null)
            return NotFound();
        return Done(id, active ? "The client is active again: its sources are checked." : "The client is inactive: its sources are not checked until it is active again.", "details");
    }

    public async Task<IActionResult> OnPostDeleteAsync(Guid id, CancellationToken ct)
    {
        if (!await CanEditAsync())
            return Forbidden();
        var name = await db.Clients.Where(c => c.Id == id).Select(c => c.Name).SingleOrDefaultAsync(ct);
        var result = await ClientsApi.DeleteAsync(id, db, Request, ct);
        if (result is NotFound || name is null)
            return NotFound();
        TempData[nameof(Message)] = $"{name} is in the trash, with its events. It can be restored from there.";
        return Redirect("/clients");
    }

    public async Task<IActionResult> OnPostTagAsync(Guid id, Guid tagId, CancellationToken ct)
    {
        if (!await CanEditAsync())
            return Forbidden();
        return await TagLinksApi.TagClientAsync(id, tagId, db, ct) is NotFound ? NotFound() : Done(id, "Tag added.", "tags");
    }

    public async Task<IActionResult> OnPostUntagAsync(Guid id, Guid tagId, CancellationToken ct)
    {
        if (!await CanEditAsync())
            return Forbidden();
        return await TagLinksApi.UntagClientAsync(id, tagId, db, ct) is NotFound ? NotFound() : Done(id, "Tag removed.", "tags");
    }

    public Task<IActionResult> OnPostRestartAsync(Guid id, Guid sourceId, CancellationToken ct) =>
        ChangeSourceAsync(id, sourceId, source => SourcesApi.Restart(source, StoredTime.Now(db.Clock)),
            "The source is restarted: it is checked at the next round.", ct);

    /// <summary>The API's stop (PATCH stopped: true): the monitor skips it until someone restarts it; the reason names who stopped it.</summary>
    public Task<IActionResult> OnPostStopAsync(Guid id, Guid sourceId, CancellationToken ct) =>
        ChangeSourceAsync(id, sourceId, source => SourcesApi.Stop(source, StoredTime.Now(db.Clock), db.Actor.Name), "The source is stopped: Tidings does not check it until someone restarts it.", ct);

    private async Task<IActionResult> ChangeSourceAsync(Guid id, Guid sourceId, Action<Source> change, string done, CancellationToken ct)
    {
        if (!await CanEditAsync())
            return Forbidden();
        var source = await db.Sources.SingleOrDefaultAsync(s => s.Id == sourceId && s.ClientId == id, ct);
        if (source is null)
            return NotFound();
        change(source);
        await db.SaveChangesAsync(ct);
        return Done(id, done, "sources");
    }

    public async Task<IActionResult> OnPostCheckAsync(Guid id, Guid sourceId, CancellationToken ct)
    {
        if (!await CanEditAsync())
            return Forbidden();
        if (!await db.Sources.AnyAsync(s => s.Id == sourceId && s.ClientId == id, ct))
            return NotFound();
        var result = await SourcesApi.CheckAsync(sourceId, db, Service<SourcePolling>(), Service<MonitoringSettings>(), Service<HeadlineClassifier>(),
            Service<ClassifierKnowledge>(), Service<MonitorRound>(), Response, ct);
        var message = result is Ok<SourceCheckDto> { Value: { } check }
            ? check.Outcome == "failed"
                ? $"Checked: the fetch failed. {check.Error}"
                : $"Checked: {Count(check.ItemsRead, "item")} read, {Count(check.NewEvents, "new event")}, {Count(check.Duplicates, "duplicate")}."
            : ProblemText(result);
        return Done(id, message, "sources");
    }

    public async Task<IActionResult> OnPostDiscoverAsync(Guid id, CancellationToken ct)
    {
        if (!await CanEditAsync())
            return Forbidden();
        var result = await SourcesApi.DiscoverAsync(id, new DiscoverSourcesRequest(true), db, Service<FeedDiscovery>(), Service<FetchSettings>(), ct);
        if (result is NotFound)
            return NotFound();
        var message = result is Ok<DiscoveryDto> { Value: { } found }
            ? found.Feeds.Count == 0
                ? $"No feed found at {found.Site}."
                : $"Found {Count(found.Feeds.Count, "feed")} at {found.Site}; {Count(found.Added.Count, "new source")} added."
            : ProblemText(result);
        return Done(id, message, "sources");
    }

    public async Task<IActionResult> OnPostAddSourceAsync(Guid id, CancellationToken ct)
    {
        if (!await CanEditAsync())
            return Forbidden();
        var request = new CreateSourceRequest(string.IsNullOrWhiteSpace(SourceUrl) ? null : SourceUrl, SourceKind ?? SourceKinds.Feed, null);
        var result = await SourcesApi.CreateAsync(id, request, db, Service<MonitoringSettings>(), Service<FetchSettings>(), Response, ct);
        if (result is NotFound)
            return NotFound();
        if (result is Created<SourceDto>)
            return Done(id, "Source added: it is checked at the next round.", "sources");
        var errors = new FieldErrors();
        if (result is ValidationProblem invalid)
            foreach (var (field, messages) in invalid.ProblemDetails.Errors)
                foreach (var message in messages)
                    errors.Add(field, message);
        else
            SourceMessage = ProblemText(result);
        await LoadAsync(id, ct);
        FillForm();
        SourceErrors = errors;
        return Page();
    }

    public static string Count(int n, string what) => $"{n} {what}{(n == 1 ? "" : "s")}";

    /// <summary>A score the news did not set (a person's or the seed's): the form shows it, and only a change to it is sent.</summary>
    private static bool ScoredByHand(Client client) => client.HealthScoreSource != HealthScoreSources.News;

    private T Service<T>() where T : notnull => services.GetRequiredService<T>();

    private Task<bool> CanEditAsync() => PageRoles.CanEditAsync(Service<Microsoft.AspNetCore.Authorization.IAuthorizationService>(), User);

    private StatusCodeResult Forbidden() => StatusCode(StatusCodes.Status403Forbidden);

    /// <summary>Post/redirect/get: back to the client at the section that changed, with what happened.</summary>
    private RedirectResult Done(Guid id, string message, string section)
    {
        Message = message;
        return Redirect($"/clients/{id}#{section}");
    }

    private static string ProblemText(IResult result) => result switch
    {
        ProblemHttpResult problem => $"{problem.ProblemDetails.Title}: {problem.ProblemDetails.Detail}",
        IStatusCodeHttpResult { StatusCode: { } status } => $"Refused ({status}).",
        _ => "Refused.",
    };

    public CategoryNames CategoryNames { get; private set; } = CategoryNames.None;

    private async Task<bool> LoadAsync(Guid id, CancellationToken ct)
    {
        var client = await db.Clients.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id, ct);
        if (client is null)
            return false;
        Client = client;
        CanEdit = await CanEditAsync();
        Now = StoredTime.Now(db.Clock);
        var users = await db.Users.AsNoTracking().Select(u => new { u.Id, u.DisplayName, u.IsActive }).ToListAsync(ct);
        UserNames = users.ToDictionary(u => u.Id, u => u.DisplayName);
        People = users.Where(u => u.IsActive).OrderBy(u => u.DisplayName).Select(u => new Choice(u.Id.ToString(), u.DisplayName)).ToList();
        AssigneeName = client.AssignedToUserId is { } a
            ? await db.Users.AsNoTracking().Where(u => u.Id == a).Select(u => u.DisplayName).SingleOrDefaultAsync(ct) ?? "A former user"
            : null;
        Tags = await db.ClientTags.AsNoTracking().Where(l => l.ClientId == id).OrderBy(l => l.Tag!.Name)
            .Select(l => TagDto.From(l.Tag!)).ToListAsync(ct);
        var tagged = Tags.Select(t => t.Id).ToList();
        OtherTags = (await db.Tags.AsNoTracking().Where(t => !tagged.Contains(t.Id)).OrderBy(t => t.Name).Select(t => new { t.Id, t.Name }).ToListAsync(ct))
            .Select(t => new Choice(t.Id.ToString(), t.Name)).ToList();
        Signal = await ClientHealth.OfClientAsync(db, id, Now, ct);
        Charts = await ClientCharts.LoadAsync(db, id, Now, ct);
        CategoryNames = (await Service<FeedChoices>().ReadAsync(db, ct)).CategoryNames;
        Sources = (await SourcesApi.ListAsync(id, db, ct)).Result is Ok<List<SourceDto>> { Value: { } sources } ? sources : [];
        Events = await db.Events.AsNoTracking().Where(e => e.ClientId == id).OrderByDescending(e => e.EventDate).ThenByDescending(e => e.Id)
            .Take(LatestEvents).Select(e => new EventRow(e.Id, e.Title, e.Category, e.EventDate)).ToListAsync(ct);
        History = (await AuditApi.PageAsync(ClientsApi.HistoryOf(db, id), HistoryEntries, null, withConnections: false, ct)).Items.ToList();
        return true;
    }

    private void FillForm() => Form = new DetailsForm
    {
        Version = ETags.Of(Client),
        Name = Client.Name, Domain = Client.Domain, Industry = Client.Industry, Tier = Client.Tier, Assignee = Client.AssignedToUserId,
        CompanySize = Client.CompanySize, RevenueRange = Client.RevenueRange, HeadquartersLocation = Client.HeadquartersLocation,
        FoundedYear = Client.FoundedYear?.ToString(CultureInfo.InvariantCulture), MonitoringFrequency = Client.MonitoringFrequency,
        HealthScore = ScoredByHand(Client) ? Client.HealthScore?.ToString("0.#", CultureInfo.InvariantCulture) : null,
        SearchKeywords = string.Join("\n", Client.SearchKeywords ?? []), Description = Client.Description, Notes = Client.Notes,
    };

    /// <summary>The form as the PATCH document would say it; the health score only when the person changed it (else the news keeps it).</summary>
    private ClientChanges ReadForm(Client current, FieldErrors errors)
    {
        var changes = new ClientChanges(errors, clock.GetUtcNow().Year);
        changes.Name(Form.Name);
        changes.Domain(Form.Domain);
        changes.Industry(Form.Industry);
        changes.Tier(Form.Tier);
        changes.AssignedToUserId(Form.Assignee);
        changes.CompanySize(Form.CompanySize);
        changes.RevenueRange(Form.RevenueRange);
        changes.HeadquartersLocation(Form.HeadquartersLocation);
        changes.MonitoringFrequency(Form.MonitoringFrequency);
        changes.Description(string.IsNullOrWhiteSpace(Form.Description) ? null : Form.Description);
        changes.Notes(string.IsNullOrWhiteSpace(Form.Notes) ? null : Form.Notes);
        changes.SearchKeywords((Form.SearchKeywords ?? "").Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList<string?>());
        if (string.IsNullOrWhiteSpace(Form.FoundedYear))
            changes.FoundedYear(null);
        else if (int.TryParse(Form.FoundedYear.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var year))
            changes.FoundedYear(year);
        else
            errors.Add("foundedYear", "Must be a number.");
        double? score = null;
        if (!string.IsNullOrWhiteSpace(Form.HealthScore))
        {
            if (double.TryParse(Form.HealthScore.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed))
                score = parsed;
            else
                errors.Add("healthScore", "Must be a number.");
        }
        var personScore = ScoredByHand(current) ? current.HealthScore : null;
        if (!errors.For("healthScore").Any() && score != personScore)
            changes.HealthScore(score);
        return changes;
    }
}
