using Tidings.Data.Auditing;

namespace Tidings.Web;

/// <summary>
/// A row's ETag is its updated_at (the row version EF checks on save). A PATCH or DELETE with an
/// If-Match that is not the current ETag answers 412, so two people never silently overwrite each other.
/// </summary>
public static class ETags
{
    public static string Of(ITimestamped row) => Of(row.UpdatedAt);

    public static string Of(DateTime updatedAt) => $"\"{updatedAt.Ticks:x}\"";

    /// <summary>True when the request names a version (If-Match) other than the row's current one.</summary>
    public static bool IsStale(HttpRequest request, ITimestamped row)
    {
        var ifMatch = request.Headers.IfMatch;
        if (ifMatch.Count == 0)
            return false;
        var current = Of(row);
        return !ifMatch.SelectMany(v => (v ?? "").Split(',')).Select(v => v.Trim())
            .Any(v => v == "*" || v == current || v == "W/" + current);
    }

    public static void Set(HttpResponse response, ITimestamped row) => response.Headers.ETag = Of(row);

    public static void Set(HttpResponse response, DateTime updatedAt) => response.Headers.ETag = Of(updatedAt);

    public static IResult PreconditionFailed() => TypedResults.Problem(
        title: "The record changed since you read it", detail: "Read it again and repeat the change with its new ETag.",
        statusCode: StatusCodes.Status412PreconditionFailed);
}
