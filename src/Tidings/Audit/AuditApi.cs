using System.ComponentModel;
using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Tidings.Data;
using Tidings.Data.Auditing;
using Tidings.Users;
using Tidings.Web;

namespace Tidings.Audit;

/// <summary>
/// One audit entry; the value columns are JSON documents in the database and JSON values here. Where a
/// change came from (address, user agent) is shown to admins and owners; other readers get the same entry
/// with those two null.
/// </summary>
public sealed record AuditEntryDto(Guid Id, string TableName, string RecordId, string Action,
    JsonElement? ChangedFields, JsonElement? OldValues, JsonElement? NewValues,
    Guid? UserId, string ActorName,
    [property: Description(AuditEntryDto.AdminsOnly)] string? IpAddress,
    [property: Description(AuditEntryDto.AdminsOnly)] string? UserAgent,
    DateTime CreatedAt)
{
    private const string AdminsOnly = "Shown to admins and owners; null for every other reader.";

    public static AuditEntryDto From(AuditLog a, bool withConnection) => new(a.Id, a.TableName, a.RecordId, a.Action,
        Json(a.ChangedFields), Json(a.OldValues), Json(a.NewValues), a.UserId, a.ActorName,
        withConnection ? a.IpAddress : null, withConnection ? a.UserAgent : null, a.CreatedAt);

    private static JsonElement? Json(string? text)
    {
        if (text is null)
            return null;
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return JsonSerializer.SerializeToElement(text); // an entry a bulk job wrote as plain text still reads, as a string
        }
    }
}

/// <summary>The audit log's filters as given: from (inclusive) and to (exclusive) are ISO 8601 text, one without an offset read as UTC.</summary>
public sealed record AuditFilter(string? Table, string? RecordId, Guid? UserId, string? Action, string? From, string? To);

/// <summary>The sort key of the audit log: newest first by time, then id.</summary>
public sealed record AuditCursor(DateTime CreatedAt, Guid Id);

/// <summary>
/// The business's audit trail, for admins. Read-only: the data layer writes it with every change and
/// the database refuses to alter it. The tenant filter keeps it to the caller's business.
/// </summary>
public static class AuditApi
{
    public static readonly IReadOnlyList<string> Actions =
        [AuditActions.Create, AuditActions.Update, AuditActions.Delete, AuditActions.Restore, AuditActions.Purge, AuditActions.PlatformScope, AuditActions.Import];

    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/audit").WithTags("Audit").RequireAuthorization(Policies.Admin)
            .MapGet("", ListAsync).WithName("ListAuditEntries")
            .WithSummary("The audit trail, newest first (keyset cursor); filters table, recordId, userId, action, from (inclusive), to (exclusive) (admin+).")
            .Produces<Page<AuditEntryDto>>().ProducesValidationProblem();
        return app;
    }

    /// <summary>Filters: table, recordId, userId, action, from (inclusive) and to (exclusive), ISO 8601.</summary>
    private static async Task<IResult> ListAsync(TidingsDbContext db, ClaimsPrincipal reader, IAuthorizationService authorization, string? table, string? recordId, Guid? userId, string? action,
        string? from, string? to, int? limit, string? cursor, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var query = Filtered(db, new AuditFilter(table, recordId, userId, action, from, to), errors);
        var take = Paging.Limit(limit, errors);
        if (errors.Any)
            return errors.Problem();
        var after = Paging.Decode<AuditCursor>(cursor);
        if (after is not null)
            after = after with { CreatedAt = DateTime.SpecifyKind(after.CreatedAt, DateTimeKind.Utc) };
        return TypedResults.Ok(await PageAsync(query!, take, after, await SeesConnectionsAsync(authorization, reader), ct));
    }

    /// <summary>The audit log narrowed by <paramref name="filter"/> (the route's and the audit page's), or null with its field errors.</summary>
    public static IQueryable<AuditLog>? Filtered(TidingsDbContext db, AuditFilter filter, FieldErrors errors)
    {
        var (table, recordId, userId, action, from, to) = filter;
        errors.MaxLength("table", table, 100).MaxLength("recordId", recordId, 100);
        errors.OneOf("action", action?.ToUpperInvariant(), Actions);
        var fromTime = Time(errors, "from", from);
        var toTime = Time(errors, "to", to);
        if (fromTime > toTime)
            errors.Add("to", "Must not be before from.");
        if (errors.Any)
            return null;

        var query = db.AuditLogs.AsNoTracking();
        if (!string.IsNullOrEmpty(table))
            query = query.Where(a => a.TableName == table);
        if (!string.IsNullOrEmpty(recordId))
            query = query.Where(a => a.RecordId == recordId);
        if (userId is { } user)
            query = query.Where(a => a.UserId == user);
        if (!string.IsNullOrEmpty(action))
        {
            var upper = action.ToUpperInvariant();
            query = query.Where(a => a.Action == upper);
        }
        if (fromTime is { } start)
            query = query.Where(a => a.CreatedAt >= start);
        if (toTime is { } end)
            query = query.Where(a => a.CreatedAt < end);
        return query;
    }

    /// <summary>
    /// Addresses and user agents say where colleagues work from: only those the admin policy admits see them.
    /// Anyone else reading a history gets the entries without them.
    /// </summary>
    public static async Task<bool> SeesConnectionsAsync(IAuthorizationService authorization, ClaimsPrincipal reader) =>
        (await authorization.AuthorizeAsync(reader, Policies.Admin)).Succeeded;

    /// <summary>One record's entries, its history: by its entity's table and its id.</summary>
    public static IQueryable<AuditLog> OfRecord<TEntity>(TidingsDbContext db, Guid id)
    {
        var table = db.Model.FindEntityType(typeof(TEntity))!.GetTableName();
        var recordId = id.ToString();
        return db.AuditLogs.AsNoTracking().Where(a => a.TableName == table && a.RecordId == recordId);
    }

    /// <summary>A page of audit entries, newest first: the audit log's and each record's history's.</summary>
    public static async Task<Page<AuditEntryDto>> PageAsync(IQueryable<AuditLog> entries, int take, AuditCursor? after,
        bool withConnections, CancellationToken ct)
    {
        if (after is not null)
            entries = entries.Where(a => a.CreatedAt < after.CreatedAt || (a.CreatedAt == after.CreatedAt && a.Id.CompareTo(after.Id) < 0));
        var rows = await entries.OrderByDescending(a => a.CreatedAt).ThenByDescending(a => a.Id).Take(take + 1).ToListAsync(ct);
        return Paging.Of(rows, take, a => AuditEntryDto.From(a, withConnections), a => Paging.Encode(new AuditCursor(a.CreatedAt, a.Id)));
    }

    /// <summary>An ISO 8601 time as UTC; one without an offset is taken as UTC.</summary>
    private static DateTime? Time(FieldErrors errors, string field, string? value)
    {
        if (string.IsNullOrEmpty(value))
            return null;
        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
            return parsed.UtcDateTime;
        errors.Add(field, "Must be an ISO 8601 date-time.");
        return null;
    }
}
