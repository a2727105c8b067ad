using System.Globalization;
using Tidings.Events;

namespace Tidings.Pages;

/// <summary>One event of the feed as its article shows it, and the page its forms return to without JavaScript.</summary>
public sealed record EventArticle(EventDto Event, string ReturnUrl)
{
    public static string IdOf(Guid eventId) => $"event-{eventId}";

    public string Id => IdOf(Event.Id);

    /// <summary>Only a web address is a link: an event's URL comes from a feed on the internet.</summary>
    public string? Link => WebLink(Event.Url);

    /// <summary>An address as a link's href when it is http(s), else null: event URLs come from the internet.</summary>
    public static string? WebLink(string? url) => Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
        ? uri.AbsoluteUri : null;

    public string Category => Event.Subcategory is { Length: > 0 } sub ? $"{Event.Category} / {sub}" : Event.Category;

    public string Relevance => Math.Round(Event.RelevanceScore * 100).ToString(CultureInfo.InvariantCulture) + "%";

    public string Date => Event.EventDate.ToString("d MMM yyyy", CultureInfo.InvariantCulture);

    public string IsoDate => Event.EventDate.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}
