using Tidings.Web;

namespace Tidings.Pages;

/// <summary>What a form field shows beside it: the API's messages for that field, under an id its input points to (aria-describedby).</summary>
public sealed record FieldMessages(string Id, IReadOnlyList<string> Messages)
{
    public static FieldMessages Of(FieldErrors errors, string field) => new($"{field}-error", errors.For(field));

    /// <summary>The input's aria-describedby value, or null (no attribute) when the field has no message.</summary>
    public string? DescribedBy => Messages.Count > 0 ? Id : null;
}
