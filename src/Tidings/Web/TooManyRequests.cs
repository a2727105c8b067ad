using System.Globalization;

namespace Tidings.Web;

/// <summary>
/// The one way to answer 429: a problem document and, when the wait is known, Retry-After in whole seconds. A form
/// post of a page gets a page in words instead (<see cref="PageAnswer"/>).
/// </summary>
public static class TooManyRequests
{
    public static IResult Problem(TimeSpan? retryAfter, string title, string detail) => new Result(retryAfter, title, detail);

    /// <summary>What the error page says about a refused form post, left on the request for it (Pages/Error).</summary>
    public sealed record Words(string Title, string Detail);

    /// <summary>
    /// The status and Retry-After with no body, and the words on the request: the web app's error pages
    /// (WebPages.UseWebPageErrors) then answer a person with /error/429 in those words.
    /// </summary>
    public static void PageAnswer(HttpContext http, TimeSpan? retryAfter, string title, string detail)
    {
        http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        SetRetryAfter(http, retryAfter);
        http.Features.Set(new Words(title, detail));
    }

    /// <summary>"in a minute", "in 37 minutes", "in an hour", "later": when the limit lets the next request through, for a sentence.</summary>
    public static string WaitInWords(TimeSpan? retryAfter)
    {
        if (retryAfter is not { } wait)
            return "later";
        var minutes = Math.Ceiling(wait.TotalMinutes);
        return minutes switch
        {
            <= 1 => "in a minute",
            < 60 => $"in {minutes.ToString(CultureInfo.InvariantCulture)} minutes",
            60 => "in an hour",
            _ => $"in {Math.Ceiling(wait.TotalHours).ToString(CultureInfo.InvariantCulture)} hours",
        };
    }

    private static void SetRetryAfter(HttpContext http, TimeSpan? retryAfter)
    {
        if (retryAfter is { } wait)
            http.Response.Headers.RetryAfter = Math.Max(1, (long)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
    }

    private sealed class Result(TimeSpan? retryAfter, string title, string detail) : IResult
    {
        public Task ExecuteAsync(HttpContext http)
        {
            SetRetryAfter(http, retryAfter);
            return TypedResults.Problem(title: title, detail: detail, statusCode: StatusCodes.Status429TooManyRequests).ExecuteAsync(http);
        }
    }
}
