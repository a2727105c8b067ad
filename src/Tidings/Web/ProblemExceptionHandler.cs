using System.Diagnostics;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using Tidings.Data;
using Tidings.Data.Tenancy;
using Tidings.Users;

namespace Tidings.Web;

/// <summary>
/// Turns what can go wrong while handling a request into RFC 9457 problem details: bad input is a
/// 4xx with a clear title, never a 500 or a stack trace; a database that is down or busy is a 503 with
/// Retry-After; anything else is a bare 500 and an error in the log, both carrying the same trace id.
/// A client that went away gets nothing and costs a debug line.
/// </summary>
public sealed class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> log) : IExceptionHandler
{
    /// <summary>Seconds a client is asked to wait before trying again while the database is unavailable.</summary>
    public const int RetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        if (exception is BadHttpRequestException { InnerException: UnstorableJsonTextException text })
        {
            // A field error like any other, so clients handle it the same way.
            await StorableTextInput.Problem(text).ExecuteAsync(http);
            return true;
        }
        if (http.RequestAborted.IsCancellationRequested && exception is OperationCanceledException or IOException)
        {
            // Nobody is left to read an answer; the status is for the request log and the metrics.
            log.LogDebug("Client disconnected during {Method} {Path}", http.Request.Method, http.Request.Path);
            http.Response.StatusCode = StatusCodes.Status499ClientClosedRequest;
            return true;
        }

        var (status, title, detail) = Classify(http, exception);
        var traceId = Activity.Current?.Id ?? http.TraceIdentifier;
        if (exception is TenancyViolationException)
            // Never a user's mistake: a bug below the endpoints, or someone probing for another business's data.
            log.LogWarning("Tenancy violation on {Method} {Path} by user {UserId} of business {BusinessId} from {RemoteAddress}: {Reason}",
                http.Request.Method, http.Request.Path, http.User.FindFirstValue(ClaimTypes.NameIdentifier),
                http.User.FindFirstValue(SignIn.BusinessClaim), http.Connection.RemoteIpAddress, exception.Message);
        else if (status == StatusCodes.Status503ServiceUnavailable)
        {
            log.LogWarning("Database unavailable on {Method} {Path}: {Reason}", http.Request.Method, http.Request.Path, Innermost(exception).Message);
            http.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        else if (status >= 500)
            log.LogError(exception, "Unhandled error on {Method} {Path} (trace {TraceId})", http.Request.Method, http.Request.Path, traceId);

        http.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            Exception = exception,
            ProblemDetails = { Status = status, Title = title, Detail = detail, Extensions = { ["traceId"] = traceId } },
        });
    }

    private static (int Status, string Title, string? Detail) Classify(HttpContext http, Exception exception) => exception switch
    {
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
            (413, "Request body too large", $"At most {TidingsWeb.MaxRequestBodyBytes} bytes are accepted."),
        BadHttpRequestException bad => (bad.StatusCode, "Malformed request", FirstLine(bad.InnerException?.Message ?? bad.Message)),
        JsonException json => (400, "Malformed JSON", FirstLine(json.Message)),
        InvalidCursorException cursor => (400, "Malformed cursor", cursor.Message),
        TenancyViolationException => (404, "Not found", null),
        UnstorableTextException text => (422, "Text the database cannot store", text.Message),
        _ when IsDatabaseUnavailable(exception) =>
            (503, "Service unavailable", "The database is unavailable or too busy right now; try again shortly."),
        DbUpdateConcurrencyException when http.Request.Headers.IfMatch.Count > 0 =>
            (412, "The record changed since you read it", "Read it again and repeat the change with its new ETag."),
        DbUpdateConcurrencyException => (409, "The record changed while you were saving", "Read it again and repeat the change."),
        DbUpdateException { InnerException: var inner } when IsUnique(inner) =>
            (409, "Conflict", "A record with the same unique value already exists."),
        DbUpdateException { InnerException: var inner } when IsReferenceOrCheck(inner) =>
            (422, "Not allowed", "The change refers to a record that does not exist or breaks a rule of the data."),
        _ => (500, "Unexpected error", null),
    };

    /// <summary>
    /// The database is down, restarting, out of connections or busy past every retry: the request may well
    /// succeed later, so it is the service that is unavailable, not the request that is wrong.
    /// </summary>
    private static bool IsDatabaseUnavailable(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case RetryLimitExceededException:
                    return true;
                case PostgresException pg:
                    return pg.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow
                        || pg.SqlState.StartsWith("08", StringComparison.Ordinal)   // connection exceptions
                        || pg.SqlState.StartsWith("53", StringComparison.Ordinal);  // insufficient resources: too many connections...
                case NpgsqlException { IsTransient: true }:
                    // Refused, reset or timed out on the wire, or no connection free in the pool in time.
                    return true;
                case SqliteException { SqliteErrorCode: SQLitePCL.raw.SQLITE_BUSY or SQLitePCL.raw.SQLITE_LOCKED }:
                    // Another writer held the file longer than the connection's Default Timeout.
                    return true;
            }
        }
        return false;
    }

    private static Exception Innermost(Exception e) => e.InnerException is null ? e : Innermost(e.InnerException);

    private static bool IsUnique(Exception? e) => e switch
    {
        PostgresException pg => pg.SqlState == PostgresErrorCodes.UniqueViolation,
        SqliteException sqlite => sqlite.SqliteErrorCode == 19 && sqlite.Message.Contains("UNIQUE", StringComparison.Ordinal),
        _ => false,
    };

    private static bool IsReferenceOrCheck(Exception? e) => e switch
    {
        PostgresException pg => pg.SqlState is PostgresErrorCodes.ForeignKeyViolation or PostgresErrorCodes.CheckViolation,
        SqliteException sqlite => sqlite.SqliteErrorCode == 19,
        _ => false,
    };

    private static string FirstLine(string message) => message.Split('\n')[0].Trim();
}
