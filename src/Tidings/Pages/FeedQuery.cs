using System.Globalization;
using System.Text;
using Tidings.Events;
using Tidings.Web;

namespace Tidings.Pages;

/// <summary>
/// The feed's filter form as the URL carries it, under GET /api/events' parameter names, so a filtered feed is a link one
/// can bookmark. Text as typed; <see cref="ToFilter"/> turns it into the API's <see cref="FeedFilter"/> and its messages.
/// </summary>
public sealed record FeedQuery(
    string? ClientId, string? Category, string? Tag, string? Text, string? From, string? To, bool Unread, bool Starred, bool NeedsReview)
{
    public static FeedQuery Of(IQueryCollection query) => new(
        Value(query, "clientId"), Value(query, "category"), Value(query, "tag"), Value(query, "text"),
        Value(query, "from"), Value(query, "to"), Flag(query, "unread"), Flag(query, "starred"), Flag(query, "needsReview"));

    public bool IsActive => this != new FeedQuery(null, null, null, null, null, null, false, false, false);

    /// <summary>Whether a filter beyond the search text is on: the filter form then shows them open.</summary>
    public bool HasMoreThanText => (this with { Text = null }).IsActive;

    /// <summary>The API's filter, with the API's validation; a field that cannot be read says so in words beside it.</summary>
    public FeedFilter ToFilter(FieldErrors errors)
    {
        var filter = new FeedFilter(
            ClientId: Id(errors, "clientId", ClientId, "Choose a client from the list."),
            Category: Category,
            Tag: Id(errors, "tag", Tag, "Choose a tag from the list."),
            From: Date(errors, "from", From, endOfDay: false),
            To: Date(errors, "to", To, endOfDay: true),
            Text: Text,
            Unread: Unread ? true : null,
            Starred: Starred ? true : null,
            NeedsReview: NeedsReview ? true : null);
        filter.Validate(errors);
        return filter;
    }

    /// <summary>This filter as a query string ("?..." or ""), plus the extra parameters given (a cursor, the chart).</summary>
    public string ToQueryString(params (string Name, string? Value)[] extra)
    {
        var pairs = new List<(string, string?)>
        {
            ("clientId", ClientId), ("category", Category), ("tag", Tag), ("text", Text), ("from", From), ("to", To),
            ("unread", Unread ? "true" : null), ("starred", Starred ? "true" : null), ("needsReview", NeedsReview ? "true" : null),
        };
        pairs.AddRange(extra);
        var url = new StringBuilder();
        foreach (var (name, value) in pairs.Where(p => !string.IsNullOrEmpty(p.Item2)))
            url.Append(url.Length == 0 ? '?' : '&').Append(name).Append('=').Append(Uri.EscapeDataString(value!));
        return url.ToString();
    }

    private static string? Value(IQueryCollection query, string name) =>
        query[name].LastOrDefault() is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    // A checkbox sends "true" when ticked; the API's ?unread=true reads the same.
    private static bool Flag(IQueryCollection query, string name) =>
        string.Equals(query[name].LastOrDefault(), "true", StringComparison.OrdinalIgnoreCase);

    private static Guid? Id(FieldErrors errors, string field, string? value, string message)
    {
        if (value is null)
            return null;
        if (Guid.TryParse(value, out var id))
            return id;
        errors.Add(field, message);
        return null;
    }

    /// <summary>A day from the date picker (its whole day for "to"), or a full date and time as the API takes it.</summary>
    private static DateTimeOffset? Date(FieldErrors errors, string field, string? value, bool endOfDay)
    {
        if (value is null)
            return null;
        if (DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            var start = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            return endOfDay && day < DateOnly.MaxValue ? start.AddDays(1).AddTicks(-TimeSpan.TicksPerMicrosecond) : start;
        }
        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var moment))
            return moment;
        errors.Add(field, "Must be a date, such as 2025-01-31.");
        return null;
    }
}
