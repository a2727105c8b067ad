using Microsoft.EntityFrameworkCore;
using Tidings.Data;

namespace Tidings.Categories;

/// <summary>
/// What a person or a caller may label an event with: its category is the key of a live top-level category of the
/// business; its subcategory, when that category has live subcategories, one of them (or none), otherwise free text,
/// though never a live subcategory of another category. Read in one query; what the classifier chooses and what legacy
/// imports carry are not checked here.
/// </summary>
public sealed class LiveCategories
{
    private readonly Dictionary<string, string?> _parentOf;
    private readonly ILookup<string, string> _children;

    private LiveCategories(List<(string Key, string? Parent)> rows)
    {
        _parentOf = rows.ToDictionary(r => r.Key, r => r.Parent, StringComparer.Ordinal);
        _children = rows.Where(r => r.Parent is not null).ToLookup(r => r.Parent!, r => r.Key, StringComparer.Ordinal);
    }

    public static async Task<LiveCategories> ReadAsync(TidingsDbContext db, CancellationToken ct)
    {
        var rows = await db.Categories.AsNoTracking()
            .Select(c => new { c.Key, Parent = c.Parent != null ? c.Parent.Key : null })
            .ToListAsync(ct);
        return new LiveCategories(rows.Select(r => (r.Key, r.Parent)).ToList());
    }

    /// <summary>Whether <paramref name="key"/> is a live top-level category.</summary>
    public bool IsCategory(string key) => _parentOf.TryGetValue(key, out var parent) && parent is null;

    /// <summary>
    /// Why the pair cannot label an event, as a field and a message, or null when it can. With
    /// <paramref name="checkCategory"/> false the category is taken as it is (an edit of the subcategory alone keeps an
    /// imported category the taxonomy does not know) and only the subcategory is checked against it.
    /// </summary>
    public (string Field, string Message)? Refusal(string category, string? subcategory, bool checkCategory = true)
    {
        if (checkCategory && !IsCategory(category))
            return ("category", _parentOf.TryGetValue(category, out var parent)
                ? $"\"{category}\" is a subcategory of \"{parent}\": send category \"{parent}\" and subcategory \"{category}\"."
                : $"\"{category}\" is not a live category of this business (GET /api/categories lists them).");
        if (subcategory is null)
            return null;
        if (_parentOf.TryGetValue(subcategory, out var owner) && owner != category)
            return ("subcategory", owner is null
                ? $"\"{subcategory}\" is a category, not a subcategory."
                : $"\"{subcategory}\" is a subcategory of \"{owner}\", not of \"{category}\".");
        if (_children.Contains(category) && !_children[category].Contains(subcategory, StringComparer.Ordinal))
            return ("subcategory", $"Must be one of the subcategories of \"{category}\" ({string.Join(", ", _children[category].Order(StringComparer.Ordinal))}), or absent.");
        return null;
    }
}
