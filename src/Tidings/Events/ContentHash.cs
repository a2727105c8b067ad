using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Tidings.Events;

/// <summary>
/// What makes two events "the same content": the normalised URL when there is one (so tracking
/// parameters, a trailing slash or a capitalised host do not hide a repeat), else the normalised title
/// for that client. The hash is SHA-256 in lower-case hex, 64 characters like the column.
/// One article about two clients has one hash but makes two stories: a story is its client and its hash
/// (Stories), so stored hashes never needed the client added.
/// </summary>
public static partial class ContentHash
{
    public static string Of(string? url, string title, Guid clientId) =>
        Sha256(!string.IsNullOrWhiteSpace(url) && NormalizeUrl(url) is { } normalized
            ? normalized
            : $"{NormalizeTitle(title)}\n{clientId:D}");

    /// <summary>Lower-case scheme and host, no default port, fragment, trailing slash or utm_* parameters; the rest of the query sorted.</summary>
    public static string? NormalizeUrl(string url)
    {
        if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri))
            return null;
        var port = uri.IsDefaultPort ? "" : ":" + uri.Port;
        var path = uri.AbsolutePath.TrimEnd('/');
        var query = uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Where(pair => !pair.StartsWith("utm_", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)
            .ToList();
        var normalized = $"{uri.Scheme.ToLowerInvariant()}://{uri.Host.ToLowerInvariant()}{port}{path}";
        return query.Count == 0 ? normalized : normalized + "?" + string.Join('&', query);
    }

    public static string NormalizeTitle(string title) => Whitespace().Replace(title.Trim().ToLowerInvariant(), " ");

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
