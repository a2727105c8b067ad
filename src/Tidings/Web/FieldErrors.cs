namespace Tidings.Web;

/// <summary>Collects field errors of a request; a non-empty set answers 400 as validation problem details.</summary>
public sealed class FieldErrors
{
    private readonly Dictionary<string, List<string>> _errors = [];

    public bool Any => _errors.Count > 0;

    /// <summary>The messages of one field (named as in the API's JSON), for a page to show beside its input.</summary>
    public IReadOnlyList<string> For(string field) => _errors.TryGetValue(field, out var list) ? list : [];

    public FieldErrors Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list))
            _errors[field] = list = [];
        list.Add(message);
        return this;
    }

    public FieldErrors Required(string field, string? value, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(value))
            return Add(field, "Required.");
        return MaxLength(field, value, maxLength);
    }

    public FieldErrors MaxLength(string field, string? value, int maxLength) =>
        value is not null && value.Length > maxLength ? Add(field, $"At most {maxLength} characters.") : this;

    public FieldErrors Range(string field, double? value, double min, double max) =>
        value is { } v && (double.IsNaN(v) || v < min || v > max) ? Add(field, $"Must be between {min} and {max}.") : this;

    public FieldErrors OneOf(string field, string? value, IReadOnlyCollection<string> allowed) =>
        value is not null && !allowed.Contains(value) ? Add(field, $"Must be one of: {string.Join(", ", allowed)}.") : this;

    public FieldErrors HttpUrl(string field, string? value, int maxLength)
    {
        if (value is null)
            return this;
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            return Add(field, "Must be an absolute http(s) URL.");
        return MaxLength(field, value, maxLength);
    }

    /// <summary>
    /// An address Tidings will fetch or post to (a feed, a website, a webhook endpoint): required, absolute http(s) with a
    /// host and no user name or password; answers it as stored (Uri.AbsoluteUri), or null with the field's error added.
    /// </summary>
    public string? FetchableUrl(string field, string? value, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            Add(field, "Required.");
            return null;
        }
        if (!Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || uri.Host.Length == 0)
        {
            Add(field, "Must be an absolute http(s) URL.");
            return null;
        }
        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            Add(field, "Must not carry a user name or password.");
            return null;
        }
        MaxLength(field, uri.AbsoluteUri, maxLength);
        return uri.AbsoluteUri;
    }

    public IResult Problem() => TypedResults.ValidationProblem(
        _errors.ToDictionary(e => e.Key, e => e.Value.ToArray()), title: "Invalid request");
}
