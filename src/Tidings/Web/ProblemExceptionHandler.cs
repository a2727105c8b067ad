using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Tidings.Data;
using Tidings.Data.Tenancy;

namespace Tidings.Web;

/// <summary>
/// Turns what can go wrong while handling a request into RFC 9457 problem details: bad input is a
/// 4xx with a clear title, never a 500 or a stack trace; anything else is a bare 500 and a log entry.
/// </summary>
public sealed class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> log) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        if (exception is BadHttpRequestException { InnerException: UnstorableJsonTextException text })
        {
            // A field error like any other, so clients handle it the same way.
            await StorableTextInput.Problem(text).ExecuteAsync(http);
            return true;
        }
        var (status, title, detail) = Classify(http, exception);
        if (status >= 500)
            log.LogError(exception, "Unhandled error on {Method} {Path}", http.Request.Method, http.Request.Path);
        http.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            Exception = exception,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
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
        DbUpdateConcurrencyException when http.Request.Headers.IfMatch.Count > 0 =>
            (412, "The record changed since you read it", "Read it again and repeat the change with its new ETag."),
        DbUpdateConcurrencyException => (409, "The record changed while you were saving", "Read it again and repeat the change."),
        DbUpdateException { InnerException: var inner } when IsUnique(inner) =>
            (409, "Conflict", "A record with the same unique value already exists."),
        DbUpdateException { InnerException: var inner } when IsReferenceOrCheck(inner) =>
            (422, "Not allowed", "The change refers to a record that does not exist or breaks a rule of the data."),
        _ => (500, "Unexpected error", null),
    };

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
