using System.Globalization;

namespace Tidings.Web;

/// <summary>The one way to answer 429: a problem document and, when the wait is known, Retry-After in whole seconds.</summary>
public static class TooManyRequests
{
    public static IResult Problem(TimeSpan? retryAfter, string title, string detail) => new Result(retryAfter, title, detail);

    private sealed class Result(TimeSpan? retryAfter, string title, string detail) : IResult
    {
        public Task ExecuteAsync(HttpContext http)
        {
            if (retryAfter is { } wait)
                http.Response.Headers.RetryAfter = Math.Max(1, (long)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            return TypedResults.Problem(title: title, detail: detail, statusCode: StatusCodes.Status429TooManyRequests).ExecuteAsync(http);
        }
    }
}
