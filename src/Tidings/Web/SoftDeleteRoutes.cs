using Microsoft.EntityFrameworkCore;
using Tidings.Data;
using Tidings.Data.Auditing;

namespace Tidings.Web;

/// <summary>The DELETE of every soft-deletable resource: to the trash, honouring If-Match.</summary>
public static class SoftDeleteRoutes
{
    public static async Task<IResult> DeleteAsync<T>(TidingsDbContext db, IQueryable<T> row, HttpRequest request, CancellationToken ct)
        where T : class, ITimestamped
    {
        var entity = await row.SingleOrDefaultAsync(ct);
        if (entity is null)
            return TypedResults.NotFound();
        if (ETags.IsStale(request, entity))
            return ETags.PreconditionFailed();
        db.Remove(entity);
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }
}
