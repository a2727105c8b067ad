using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Tidings.Clients;
using Tidings.Data;
using Tidings.Data.SoftDelete;
using Tidings.Events;
using Tidings.Tags;
using Tidings.Trash;
using Tidings.Users;
using Tidings.Web;

namespace Tidings.Pages.Trash;

/// <summary>
/// The trash: the API's list of deleted clients, events and tags, restored by the API's own restore routes and purged
/// (admins, after a confirmation step) by its purge route. To htmx a restore answers the status message and an empty
/// row, so the row disappears; to a plain form post a redirect back with the message.
/// </summary>
[Authorize(Policy = Policies.Member)]
public sealed class IndexModel(TidingsDbContext db, IAuthorizationService authorization) : PageModel
{
    public const int PageSize = 50;

    public sealed record Row(TrashItemDto Item, string? DeletedBy)
    {
        public string Id => $"trash-{Item.Kind}-{Item.Id}";
        public string KindName => KindNameOf(Item.Kind);
        public string Date(LocalTimes times) => times.Instant(Item.DeletedAt);
        public string IsoDate => LocalTimes.Iso(Item.DeletedAt);
    }

    /// <summary>A row and whether its purge is being confirmed, for the row partial.</summary>
    public sealed record RowView(Row Row, bool Confirming, bool CanPurge, string ReturnUrl)
    {
        /// <summary>Without JavaScript, "Delete for good" is a link to the same page of the trash confirming this row.</summary>
        public string ConfirmUrl => $"{ReturnUrl}{(ReturnUrl.Contains('?', StringComparison.Ordinal) ? '&' : '?')}confirm={Row.Item.Id}";
    }

    public List<Row> Rows { get; private set; } = [];
    public string? NextCursor { get; private set; }
    public bool IsLaterPage { get; private set; }
    public string? Kind { get; private set; }
    public bool CanPurge { get; private set; }
    /// <summary>The row whose "Delete for good" waits for confirmation (JavaScript off: a link to this page with confirm=).</summary>
    public Guid? Confirm { get; private set; }

    [TempData] public string? Message { get; set; }
    [TempData] public bool MessageIsError { get; set; }

    public string ReturnUrl => Request.Path + QueryWithout("confirm");

    public async Task<IActionResult> OnGetAsync(string? kind, string? after, Guid? confirm, CancellationToken ct)
    {
        Kind = kind is not null && TrashKinds.All.Contains(kind) ? kind : null;
        IsLaterPage = after is not null;
        Confirm = confirm;
        CanPurge = await IsAdminAsync();
        var page = await TrashApi.PageAsync(db, Kind, PageSize, TrashApi.DecodeCursor(after), ct);
        Rows = await WithNamesAsync(page.Items, ct);
        NextCursor = page.NextCursor;
        return Page();
    }

    /// <summary>htmx's "Delete for good": the row again, asking for confirmation.</summary>
    public async Task<IActionResult> OnGetConfirmPurgeAsync(string kind, Guid id, string? returnUrl, CancellationToken ct)
    {
        if (!await IsAdminAsync())
            return Forbid();
        return await RowAsync(kind, id, ct) is { } row ? Partial("_TrashRow", new RowView(row, true, true, Back(returnUrl))) : NotFound();
    }

    /// <summary>htmx's "Cancel" of a confirmation: the row as it was.</summary>
    public async Task<IActionResult> OnGetRowAsync(string kind, Guid id, string? returnUrl, CancellationToken ct) =>
        await RowAsync(kind, id, ct) is { } row ? Partial("_TrashRow", new RowView(row, false, await IsAdminAsync(), Back(returnUrl))) : NotFound();

    public async Task<IActionResult> OnPostRestoreAsync(string kind, Guid id, string? returnUrl, CancellationToken ct)
    {
        var name = await NameAsync(kind, id, ct);
        if (name is null)
            return NotFound();
        var result = kind switch
        {
            TrashKinds.Client => await ClientsApi.RestoreAsync(id, db, Response, ct),
            TrashKinds.Event => await EventsApi.RestoreAsync(id, User, db, Response, ct),
            _ => await TagsApi.RestoreAsync(id, db, Response, ct),
        };
        return await AnswerAsync(kind, id, result, $"Restored the {KindNameOf(kind).ToLowerInvariant()} “{name}”.", returnUrl, ct);
    }

    public async Task<IActionResult> OnPostPurgeAsync(string kind, Guid id, string? returnUrl, CancellationToken ct)
    {
        if (!await IsAdminAsync())
            return Forbid();
        var name = await NameAsync(kind, id, ct);
        if (name is null)
            return NotFound();
        var result = await TrashApi.PurgeAsync(kind, id, Request, db, ct);
        return await AnswerAsync(kind, id, result, $"Deleted the {KindNameOf(kind).ToLowerInvariant()} “{name}” for good.", returnUrl, ct);
    }

    /// <summary>
    /// Turns the API's answer into the page's: done, the row goes (htmx: empty, plus the status out of band); refused, the
    /// row stays and the API's reason is the message. A plain form post gets a redirect back to the same page of the trash.
    /// </summary>
    private async Task<IActionResult> AnswerAsync(string kind, Guid id, IResult result, string done, string? returnUrl, CancellationToken ct)
    {
        // A route answering one of several typed results (Results<...>) wraps the one it chose.
        while (result is INestedHttpResult nested)
            result = nested.Result;
        var status = (result as IStatusCodeHttpResult)?.StatusCode ?? StatusCodes.Status500InternalServerError;
        if (status == StatusCodes.Status404NotFound)
            return NotFound();
        var succeeded = status is >= 200 and < 300;
        var message = succeeded ? done : Reason(result);
        var back = Back(returnUrl);
        if (!Request.IsHtmx())
        {
            Message = message;
            MessageIsError = !succeeded;
            return Redirect(back);
        }
        var row = succeeded ? null : await RowAsync(kind, id, ct);
        return Partial("_TrashAnswer", new TrashAnswer(message, !succeeded, row is null ? null : new RowView(row, false, await IsAdminAsync(), back)));
    }

    private static string Reason(IResult result) => result is ProblemHttpResult problem
        ? problem.ProblemDetails.Detail ?? problem.ProblemDetails.Title ?? "It could not be done."
        : "It could not be done.";

    private string Back(string? returnUrl) => Url.IsLocalUrl(returnUrl) && returnUrl.StartsWith("/trash", StringComparison.Ordinal) ? returnUrl : "/trash";

    private Task<bool> IsAdminAsync() => PageRoles.IsAdminAsync(authorization, User);

    private async Task<Row?> RowAsync(string kind, Guid id, CancellationToken ct)
    {
        var item = kind switch
        {
            TrashKinds.Client => await Deleted(db.Clients).Where(c => c.Id == id)
                .Select(c => new TrashItemDto(TrashKinds.Client, c.Id, c.Name, c.DeletedAt!.Value, c.DeletedByUserId)).SingleOrDefaultAsync(ct),
            TrashKinds.Event => await Deleted(db.Events).Where(e => e.Id == id)
                .Select(e => new TrashItemDto(TrashKinds.Event, e.Id, e.Title, e.DeletedAt!.Value, e.DeletedByUserId)).SingleOrDefaultAsync(ct),
            TrashKinds.Tag => await Deleted(db.Tags).Where(t => t.Id == id)
                .Select(t => new TrashItemDto(TrashKinds.Tag, t.Id, t.Name, t.DeletedAt!.Value, t.DeletedByUserId)).SingleOrDefaultAsync(ct),
            _ => null,
        };
        return item is null ? null : (await WithNamesAsync([item], ct))[0];
    }

    /// <summary>The name of a client, event or tag in this business, deleted or not; null when there is none.</summary>
    private async Task<string?> NameAsync(string kind, Guid id, CancellationToken ct) => kind switch
    {
        TrashKinds.Client => await db.Clients.IgnoreQueryFilters([SoftDeleteRules.Filter]).Where(c => c.Id == id).Select(c => c.Name).SingleOrDefaultAsync(ct),
        TrashKinds.Event => await db.Events.IgnoreQueryFilters([SoftDeleteRules.Filter]).Where(e => e.Id == id).Select(e => e.Title).SingleOrDefaultAsync(ct),
        TrashKinds.Tag => await db.Tags.IgnoreQueryFilters([SoftDeleteRules.Filter]).Where(t => t.Id == id).Select(t => t.Name).SingleOrDefaultAsync(ct),
        _ => null,
    };

    private static IQueryable<T> Deleted<T>(DbSet<T> set) where T : class, ISoftDeletable =>
        set.IgnoreQueryFilters([SoftDeleteRules.Filter]).AsNoTracking().Where(r => r.IsDeleted && r.DeletedAt != null);

    /// <summary>Who deleted each row, by name: removed users too, since their deletions stay in the trash.</summary>
    private async Task<List<Row>> WithNamesAsync(IReadOnlyList<TrashItemDto> items, CancellationToken ct)
    {
        var ids = items.Select(i => i.DeletedByUserId).OfType<Guid>().Distinct().ToList();
        var names = ids.Count == 0 ? [] : await db.Users.IgnoreQueryFilters([SoftDeleteRules.Filter]).AsNoTracking()
            .Where(u => ids.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);
        return items.Select(i => new Row(i, i.DeletedByUserId is { } by && names.TryGetValue(by, out var name) ? name : null)).ToList();
    }

    public static string KindNameOf(string kind) => kind switch
    {
        TrashKinds.Client => "Client",
        TrashKinds.Event => "Event",
        _ => "Tag",
    };

    /// <summary>The trash's address with <paramref name="kind"/> (null: all) and nothing else.</summary>
    public static string KindUrl(string? kind) => kind is null ? "/trash" : $"/trash?kind={kind}";

    private QueryString QueryWithout(string name) =>
        QueryString.Create(Request.Query.Where(q => q.Key != name).SelectMany(q => q.Value.Select(v => KeyValuePair.Create(q.Key, v))));
}

/// <summary>htmx's answer to a restore or purge: the status message, and the row again when it stays.</summary>
public sealed record TrashAnswer(string Message, bool IsError, IndexModel.RowView? Row);
