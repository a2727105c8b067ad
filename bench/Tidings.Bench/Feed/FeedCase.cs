using Tidings.Events;

namespace Tidings.Bench.Feed;

/// <summary>One feed page to measure: its filter, and for deep pages the keyset cursor that reaches it.</summary>
public sealed record FeedCase(string Name, FeedFilter Filter, FeedCursor? Cursor = null)
{
    /// <summary>The page size users get by default.</summary>
    public const int PageSize = 50;

    /// <summary>The query string GET /api/events takes for this page.</summary>
    public string QueryString()
    {
        var query = new List<string> { $"limit={PageSize}" };
        if (Filter.ClientId is { } client)
            query.Add($"clientId={client}");
        if (Filter.Category is { } category)
            query.Add($"category={Uri.EscapeDataString(category)}");
        if (Filter.Unread == true)
            query.Add("unread=true");
        if (Cursor is not null)
            query.Add($"cursor={Web.Paging.Encode(Cursor)}");
        return "/api/events?" + string.Join("&", query);
    }
}
