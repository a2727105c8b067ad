using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Tidings.Audit;
using Tidings.Businesses;
using Tidings.Data;
using Tidings.Data.Auditing;
using Tidings.Data.Tenancy;
using Tidings.Users;
using Tidings.Web;

namespace Tidings.Pages.Audit;

/// <summary>
/// The audit log in words, by the API's own filter and page (AuditApi.Filtered, AuditApi.PageAsync). The filters are a GET form, so a
/// filtered view is a URL that survives a reload; dates are whole days (to: up to and including that day).
/// </summary>
[Authorize(Policy = Policies.Admin)]
public sealed class IndexModel(TidingsDbContext db) : PageModel
{
    public const int PageSize = 50;

    public sealed record Change(string Field, string? Before, string? After);

    public string? Table { get; private set; }
    public string? RecordId { get; private set; }
    public string? UserFilter { get; private set; }
    public string? Action { get; private set; }
    public string? From { get; private set; }
    public string? To { get; private set; }
    public bool IsLaterPage { get; private set; }

    public FieldErrors Errors { get; } = new();
    public string? CursorProblem { get; private set; }
    public Page<AuditEntryDto> Entries { get; private set; } = new([], null);
    public IReadOnlyList<(Guid Id, string Name)> Users { get; private set; } = [];
    /// <summary>The table filter's choices: every audited table, and the one in the URL when it is not among them (kept, so the link still reads as given).</summary>
    public IReadOnlyList<string> Tables { get; private set; } = [];

    public async Task OnGetAsync(string? table, string? recordId, string? user, string? action, string? from, string? to, string? after,
        CancellationToken ct)
    {
        (Table, RecordId, UserFilter, Action, From, To) = (Blank(table), Blank(recordId), Blank(user), Blank(action), Blank(from), Blank(to));
        IsLaterPage = after is not null;
        var audited = AuditedTables(db);
        Tables = Table is null || audited.Contains(Table) ? audited : [.. audited, Table];
        Users = (await db.Users.AsNoTracking().OrderBy(u => u.DisplayName).Select(u => new { u.Id, u.DisplayName }).ToListAsync(ct))
            .Select(u => (u.Id, u.DisplayName)).ToList();
        Guid? userId = null;
        if (UserFilter is not null)
        {
            if (Guid.TryParse(UserFilter, out var parsed))
                userId = parsed;
            else
                Errors.Add("user", "Must be one of the business's users.");
        }
        var query = AuditApi.Filtered(db, new AuditFilter(Table, RecordId, userId, Action, StartOfDay(From, 0), StartOfDay(To, 1)), Errors);
        if (query is null || Errors.Any)
            return;
        AuditCursor? cursor = null;
        try
        {
            cursor = Paging.Decode<AuditCursor>(after);
            if (cursor is not null)
                cursor = cursor with { CreatedAt = DateTime.SpecifyKind(cursor.CreatedAt, DateTimeKind.Utc) };
        }
        catch (InvalidCursorException)
        {
            CursorProblem = "That link to a later page is not one this page gave out. The newest entries are shown instead.";
            IsLaterPage = false;
        }
        Entries = await AuditApi.PageAsync(query, PageSize, cursor, withConnections: true, ct);
    }

    /// <summary>
    /// The tables whose rows the audit trail records for a business (AuditTrail: each business-owned entity's table but the trails
    /// themselves and INotAudited), with "platform" for work done across businesses; read from the model, so a new entity is listed the day it is added.
    /// </summary>
    public static IReadOnlyList<string> AuditedTables(TidingsDbContext db) => db.Model.GetEntityTypes()
        .Where(t => typeof(ITenantOwned).IsAssignableFrom(t.ClrType) || t.ClrType == typeof(Business))
        .Where(t => t.ClrType != typeof(AuditLog) && t.ClrType != typeof(PlatformAuditLog) && !typeof(INotAudited).IsAssignableFrom(t.ClrType))
        .Select(t => t.GetTableName()).OfType<string>().Append("platform").Distinct().Order(StringComparer.Ordinal).ToList();

    /// <summary>
    /// A day typed in the form (yyyy-MM-dd) is a day in the reader's time zone: from starts at its start, to reaches through its
    /// end (the API's to is exclusive, so the next day's start). Any other text, or a day at the calendar's edges, goes to the API as typed.
    /// </summary>
    private string? StartOfDay(string? text, int daysLater) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) && day.Year is > 1 and < 9999
            ? LocalTimes.Iso(LocalTimes.Of(User).StartOf(day.AddDays(daysLater)))
            : text;

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    /// <summary>The query string of this filter with a later page's cursor.</summary>
    public string NextPageUrl(string cursor)
    {
        var query = new Dictionary<string, string?>
        {
            ["table"] = Table, ["recordId"] = RecordId, ["user"] = UserFilter, ["action"] = Action, ["from"] = From, ["to"] = To, ["after"] = cursor,
        };
        return Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString("/audit", query.Where(q => q.Value is not null)
            .Select(q => new KeyValuePair<string, string?>(q.Key, q.Value)));
    }

    /// <summary>Where a record has a page of its own.</summary>
    public static string? RecordPage(AuditEntryDto entry) => entry.TableName switch
    {
        "clients" when Guid.TryParse(entry.RecordId, out var id) => $"/clients/{id}",
        "events" when Guid.TryParse(entry.RecordId, out var id) => $"/events/{id}",
        "webhooks" when Guid.TryParse(entry.RecordId, out var id) && entry.Action != "PURGE" => $"/webhooks/{id}",
        _ => null,
    };

    public static string Verb(string action) => action switch
    {
        "CREATE" => "created",
        "UPDATE" => "changed",
        "DELETE" => "deleted",
        "RESTORE" => "restored",
        "PURGE" => "purged",
        "IMPORT" => "imported",
        "PLATFORM_SCOPE" => "acted across businesses on",
        _ => action.ToLowerInvariant(),
    };

    /// <summary>Each changed field with its value before and after, as JSON text (escaped where shown).</summary>
    public static List<Change> Changes(AuditEntryDto entry)
    {
        var fields = new List<string>();
        if (entry.ChangedFields is { ValueKind: JsonValueKind.Array } changed)
            fields.AddRange(changed.EnumerateArray().Select(f => f.ValueKind == JsonValueKind.String ? f.GetString()! : f.GetRawText()));
        foreach (var values in new[] { entry.OldValues, entry.NewValues })
            if (values is { ValueKind: JsonValueKind.Object } o)
                fields.AddRange(o.EnumerateObject().Select(p => p.Name).Where(n => !fields.Contains(n)));
        return fields.Select(f => new Change(f, Value(entry.OldValues, f), Value(entry.NewValues, f))).ToList();
    }

    private static string? Value(JsonElement? values, string field) =>
        values is { ValueKind: JsonValueKind.Object } o && o.TryGetProperty(field, out var v)
            ? v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText()
            : null;
}
