using Microsoft.EntityFrameworkCore;
using Tidings.Data;
using Tidings.Users;
using Tidings.Web;

namespace Tidings.Legacy;

public sealed record LegacyValueDto(Guid Id, string TableName, Guid RecordId, long? OldId, string ColumnName, string? OriginalValue, string Reason, DateTime CreatedAt)
{
    public static LegacyValueDto From(LegacyValue v) => new(v.Id, v.TableName, v.RecordId, v.OldId, v.ColumnName, v.OriginalValue, v.Reason, v.CreatedAt);
}

/// <summary>
/// What the move from the old app could not carry into a column as it was (an over-long title, an
/// unreadable date, a category spelled otherwise...), kept whole and shown here to the business's admins;
/// the import report points here. Read-only.
/// </summary>
public static class LegacyValuesApi
{
    public static IEndpointRouteBuilder MapLegacyValuesApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/legacy-values").WithTags("Legacy import").RequireAuthorization(Policies.Admin)
            .MapGet("", ListAsync).WithName("ListLegacyValues")
            .WithSummary("Old values kept whole by the import, oldest first (keyset cursor); filters table (users, clients, events), recordId, reason (admin+).")
            .Produces<Page<LegacyValueDto>>().ProducesValidationProblem();
        return app;
    }

    private static async Task<IResult> ListAsync(TidingsDbContext db, string? table, Guid? recordId, string? reason, int? limit, string? cursor, CancellationToken ct)
    {
        var errors = new FieldErrors().MaxLength("reason", reason, 50);
        errors.OneOf("table", table, ["users", "clients", "events"]);
        var take = Paging.Limit(limit, errors);
        if (errors.Any)
            return errors.Problem();
        var after = Paging.Decode<IdCursor>(cursor);

        var query = db.LegacyValues.AsNoTracking();
        if (!string.IsNullOrEmpty(table))
            query = query.Where(v => v.TableName == table);
        if (recordId is { } record)
            query = query.Where(v => v.RecordId == record);
        if (!string.IsNullOrEmpty(reason))
            query = query.Where(v => v.Reason == reason);
        if (after is not null)
            query = query.Where(v => v.Id.CompareTo(after.Id) > 0);
        var rows = await query.OrderBy(v => v.Id).Take(take + 1).ToListAsync(ct);
        return TypedResults.Ok(Paging.Of(rows, take, LegacyValueDto.From, v => Paging.Encode(new IdCursor(v.Id))));
    }
}
