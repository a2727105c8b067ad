namespace Tidings.Monitoring;

/// <summary>A client's own website, from the domain a person typed: where its feeds are looked for, and what counts as its own publication.</summary>
public static class ClientSites
{
    /// <summary>The site's home page from "acme.com", "www.acme.com/", "https://acme.com/about"; null when it is no http(s) host.</summary>
    public static Uri? HomeOf(string? domain)
    {
        if (string.IsNullOrWhiteSpace(domain))
            return null;
        var text = domain.Trim();
        if (!text.Contains("://", StringComparison.Ordinal))
            text = "https://" + text;
        return Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.Host.Length > 0
            ? new Uri(uri.GetLeftPart(UriPartial.Authority) + "/")
            : null;
    }

    /// <summary>Whether the address is on the client's domain or one of its subdomains (www. aside).</summary>
    public static bool Owns(string? domain, string? url)
    {
        if (HomeOf(domain) is not { } home || url is null || !Uri.TryCreate(url, UriKind.Absolute, out var uri))
            return false;
        var own = Bare(home.Host);
        var host = Bare(uri.Host);
        return host.Equals(own, StringComparison.OrdinalIgnoreCase) || host.EndsWith("." + own, StringComparison.OrdinalIgnoreCase);
    }

    private static string Bare(string host) => host.StartsWith("www.", StringComparison.OrdinalIgnoreCase) ? host[4..] : host;
}
