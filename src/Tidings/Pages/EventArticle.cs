using System.Globalization;
using Tidings.Events;

namespace Tidings.Pages;

/// <summary>One event of the feed as its article shows it, its category by the business's <paramref name="Names"/> for it.</summary>
public sealed record EventArticle(EventDto Event, CategoryNames Names)
{
    public static string IdOf(Guid eventId) => $"event-{eventId}";

    /// <summary>Where an article's buttons post for htmx (IndexModel.OnPostMarkAsync), as the page's form "mark" does without it.</summary>
    public const string MarkUrl = "/?handler=Mark";

    public static IReadOnlyList<EventArticle> Of(IEnumerable<EventDto> events, CategoryNames names) =>
        events.Select(e => new EventArticle(e, names)).ToList();

    public string Id => IdOf(Event.Id);

    /// <summary>The event's own page in Tidings: where its title leads.</summary>
    public string EventPage => $"/events/{Event.Id}";

    /// <summary>The original story, only when it is a web address: an event's URL comes from a feed on the internet.</summary>
    public string? Link => WebAddress(Event.Url);

    public static string? WebAddress(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri.AbsoluteUri : null;

    /// <summary>Another outlet by its name, or its link's host when it gave none.</summary>
    public static string SourceName(ReportedBy other) =>
        !string.IsNullOrWhiteSpace(other.Source) ? other.Source.Trim()
        : Uri.TryCreate(other.Url, UriKind.Absolute, out var uri) ? uri.Host
        : "another source";

    /// <summary>As the event page's category picker writes it: "Funding › Series A".</summary>
    public string Category => Event.Subcategory is { Length: > 0 } sub ? $"{Names.Of(Event.Category)} › {Names.Of(sub)}" : Names.Of(Event.Category);

    /// <summary>How sure the classifier was, when it chose the category.</summary>
    public string? Confidence => Event.ConfidenceScore is { } score && Classification.ClassifiedBy.IsClassifier(Event.ClassifiedBy)
        ? Percent(score) : null;

    public string Relevance => Percent(Event.RelevanceScore);

    /// <summary>The day the event happened where the reader is.</summary>
    public string Date(LocalTimes times) => times.Date(Event.EventDate);

    public string IsoDate => LocalTimes.Iso(Event.EventDate);

    private static string Percent(double score) => Math.Round(score * 100).ToString(CultureInfo.InvariantCulture) + "%";
}
