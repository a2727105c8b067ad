using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.Extensions.Options;

namespace Tidings.Web;

/// <summary>Requests:TimeoutSeconds: how long one request may run before it is cancelled and answered 504.</summary>
public sealed class RequestOptions
{
    public const string Section = "Requests";

    public double TimeoutSeconds { get; set; } = 30;
}

/// <summary>
/// A default timeout for every request (ASP.NET Core's request timeouts): it cancels the request's token, so a
/// query waiting on a lock or a database that stopped answering is cancelled on the server too, and the client
/// gets a problem document instead of waiting for its own timeout.
/// </summary>
public static class RequestTimeouts
{
    public static IServiceCollection AddTidingsRequestTimeouts(this IServiceCollection services)
    {
        services.AddOptions<RequestOptions>().BindConfiguration(RequestOptions.Section)
            .Validate(o => o.TimeoutSeconds is > 0 and <= 3600, "Requests:TimeoutSeconds must be above 0 and at most 3600.")
            .ValidateOnStart();
        services.AddRequestTimeouts();
        services.AddOptions<RequestTimeoutOptions>().Configure<IOptions<RequestOptions>>((timeouts, requests) =>
            timeouts.DefaultPolicy = new RequestTimeoutPolicy
            {
                Timeout = TimeSpan.FromSeconds(requests.Value.TimeoutSeconds),
                TimeoutStatusCode = StatusCodes.Status504GatewayTimeout,
                WriteTimeoutResponse = http => http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = http,
                    ProblemDetails =
                    {
                        Status = StatusCodes.Status504GatewayTimeout,
                        Title = "Request timed out",
                        Detail = $"The request did not finish within {requests.Value.TimeoutSeconds} seconds and was cancelled.",
                    },
                }).AsTask(),
            });
        return services;
    }
}
