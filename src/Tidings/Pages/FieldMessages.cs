using Microsoft.AspNetCore.Html;
using Microsoft.AspNetCore.Mvc.Rendering;
using Tidings.Web;

namespace Tidings.Pages;

/// <summary>What a form field shows beside it: the API's messages for that field, under an id its input points to (aria-describedby).</summary>
public sealed record FieldMessages(string Id, IReadOnlyList<string> Messages)
{
    public static FieldMessages Of(FieldErrors errors, string field) => new($"{field}-error", errors.For(field));

    /// <summary>The input's aria-describedby value, or null (no attribute) when the field has no message.</summary>
    public string? DescribedBy => Messages.Count > 0 ? Id : null;

    /// <summary>What _FieldErrors draws, without a partial: for a page that has many fields and is drawn often (the feed).</summary>
    public IHtmlContent Paragraph()
    {
        if (Messages.Count == 0)
            return HtmlString.Empty;
        var paragraph = new TagBuilder("p");
        paragraph.AddCssClass("field-error");
        paragraph.Attributes["id"] = Id;
        paragraph.InnerHtml.Append(string.Join(" ", Messages));
        return paragraph;
    }
}
