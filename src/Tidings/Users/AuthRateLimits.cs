using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Tidings.Web;

namespace Tidings.Users;

/// <summary>
/// ASP.NET Core's rate limiter on the routes that create something for whoever asks: sign-up (a business,
/// and an answer to "is this email registered?") and personal tokens. Counted per client address
/// (ClientAddress), limits in SignInOptions; a refusal is a 429 problem document with Retry-After, or for the pages' own
/// policies the error page in words (a person at a form gets a page, not JSON).
/// </summary>
public static class AuthRateLimits
{
    public const string Signup = "signup";
    public const string Tokens = "tokens";
    /// <summary>The sign-up page: its form posts count as sign-ups; showing the form costs nothing.</summary>
    public const string SignupPage = "signup-page";
    /// <summary>The new-token page: its form posts count as token creations; showing the form costs nothing.</summary>
    public const string TokensPage = "tokens-page";

    public static IServiceCollection AddAuthRateLimits(this IServiceCollection services, SignInOptions limits)
    {
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.AddPolicy(Signup, http => PerAddressPerHour(http, limits.SignupsPerAddressPerHour));
            o.AddPolicy(SignupPage, http => HttpMethods.IsPost(http.Request.Method)
                ? PerAddressPerHour(http, limits.SignupsPerAddressPerHour)
                : RateLimitPartition.GetNoLimiter(""));
            o.AddPolicy(Tokens, http => PerAddressPerHour(http, limits.TokensPerAddressPerHour));
            o.AddPolicy(TokensPage, http => HttpMethods.IsPost(http.Request.Method)
                ? PerAddressPerHour(http, limits.TokensPerAddressPerHour)
                : RateLimitPartition.GetNoLimiter(""));
            o.OnRejected = (context, _) =>
            {
                var http = context.HttpContext;
                var policy = http.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName;
                TidingsMetrics.RateLimited.Add(1, new KeyValuePair<string, object?>("policy", policy));
                var wait = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : (TimeSpan?)null;
                // A page's form post gets a page in words (the error page); the API's routes keep their problem details.
                var page = policy switch
                {
                    TokensPage => ("Too many new tokens",
                        $"Tidings makes at most {limits.TokensPerAddressPerHour} tokens an hour from one address. No token was made: try again {TooManyRequests.WaitInWords(wait)}."),
                    SignupPage => ("Too many sign-ups",
                        $"Tidings accepts at most {limits.SignupsPerAddressPerHour} sign-ups an hour from one address. Nothing was saved: try again {TooManyRequests.WaitInWords(wait)}."),
                    _ => ((string Title, string Detail)?)null,
                };
                if (page is { } words)
                {
                    TooManyRequests.PageAnswer(http, wait, words.Title, words.Detail);
                    return ValueTask.CompletedTask;
                }
                return new ValueTask(TooManyRequests.Problem(wait, "Too many requests", "Wait a while and try again.").ExecuteAsync(http));
            };
        });
        return services;
    }

    private static RateLimitPartition<string> PerAddressPerHour(HttpContext http, int permits) =>
        RateLimitPartition.GetFixedWindowLimiter(ClientAddress.PartitionKey(http),
            _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = TimeSpan.FromHours(1) });
}
