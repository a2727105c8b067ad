namespace Tidings.Monitoring.Fetching;

public enum FetchOutcome { Fetched, NotModified, Failed }

/// <summary>
/// What one fetch gave. <see cref="Error"/> is written for a person and says what went wrong; <see cref="Permanent"/>
/// marks an error that retrying will not fix soon (a refused address or scheme, 404, 410), for the caller to
/// report, not to decide on alone. <see cref="RetryAfter"/> and <see cref="MaxAge"/> are read from any answer.
/// <see cref="LastModified"/> and <see cref="ETag"/> are the raw header text, to be sent back verbatim.
/// </summary>
public sealed record FetchResult(
    FetchOutcome Outcome, Uri FinalUrl, int? StatusCode, byte[]? Body, string? ContentType,
    string? ETag, string? LastModified, TimeSpan? RetryAfter, TimeSpan? MaxAge, string? Error, bool Permanent);
