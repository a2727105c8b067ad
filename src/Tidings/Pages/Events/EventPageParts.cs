using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Tidings.Audit;
using Tidings.Data;
using Tidings.Data.Auditing;

namespace Tidings.Pages.Events;

/// <summary>Another event of the same story: the original or another copy, with where it was reported.</summary>
public sealed record StoryReport(Guid Id, string Title, string? Source, string? Url, bool IsOriginal)
{
    public string? Link => EventArticle.WebAddress(Url);

    /// <summary>The outlet by name, or by its link's host when it has none.</summary>
    public string Outlet => !string.IsNullOrWhiteSpace(Source) ? Source
        : Uri.TryCreate(Url, UriKind.Absolute, out var uri) ? uri.Host : "an unnamed source";
}

/// <summary>A choice of the category picker: a live category, or one of its live subcategories ("category/subcategory").</summary>
public sealed record CategoryChoice(string Value, string Label)
{
    public static string ValueOf(string category, string? subcategory) => subcategory is null ? category : $"{category}/{subcategory}";

    /// <summary>The category and subcategory a chosen value names; (null, null) for nothing chosen.</summary>
    public static (string? Category, string? Subcategory) Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
            return (null, null);
        var slash = value.IndexOf('/');
        return slash < 0 ? (value, null) : (value[..slash], value[(slash + 1)..]);
    }

    /// <summary>The business's live categories by name, each followed by its live subcategories.</summary>
    public static async Task<IReadOnlyList<CategoryChoice>> ReadAsync(TidingsDbContext db, CancellationToken ct)
    {
        var rows = await db.Categories.AsNoTracking()
            .Select(c => new { c.Key, c.Name, Parent = c.Parent != null ? c.Parent.Key : null })
            .ToListAsync(ct);
        var children = rows.Where(r => r.Parent is not null).ToLookup(r => r.Parent!);
        var choices = new List<CategoryChoice>();
        foreach (var top in rows.Where(r => r.Parent is null).OrderBy(r => r.Name, StringComparer.CurrentCultureIgnoreCase))
        {
            choices.Add(new(top.Key, top.Name));
            foreach (var sub in children[top.Key].OrderBy(r => r.Name, StringComparer.CurrentCultureIgnoreCase))
                choices.Add(new(ValueOf(top.Key, sub.Key), $"{top.Name} › {sub.Name}"));
        }
        return choices;
    }
}

/// <summary>One audit entry of the event in words: who, when, and what changed.</summary>
public sealed record HistoryLine(string Who, DateTime When, string What)
{
    private const int MaxValueLength = 80;

    public static HistoryLine Of(AuditEntryDto entry) => new(Actor(entry.ActorName), entry.CreatedAt, entry.Action switch
    {
        AuditActions.Create => "added the event",
        AuditActions.Delete => "moved it to the trash",
        AuditActions.Restore => "restored it from the trash",
        AuditActions.Purge => "deleted it for good",
        AuditActions.Import => "imported it",
        _ => Changes(entry),
    });

    /// <summary>Background work is named by what it is ("system:monitor"): shown as that work, not as a person.</summary>
    private static string Actor(string name) => name.StartsWith("system:", StringComparison.Ordinal) ? $"Tidings ({name["system:".Length..]})" : name;

    private static string Changes(AuditEntryDto entry)
    {
        if (entry.ChangedFields is not { ValueKind: JsonValueKind.Array } fields)
            return "changed it";
        var parts = new List<string>();
        foreach (var field in fields.EnumerateArray())
        {
            var column = field.GetString() ?? "";
            parts.Add($"{column.Replace('_', ' ')} from {Value(entry.OldValues, column)} to {Value(entry.NewValues, column)}");
        }
        return parts.Count == 0 ? "changed it" : "changed " + string.Join("; ", parts);
    }

    private static string Value(JsonElement? values, string column)
    {
        if (values is not { ValueKind: JsonValueKind.Object } obj || !obj.TryGetProperty(column, out var value))
            return "(not recorded)";
        var text = value.ValueKind switch
        {
            JsonValueKind.Null => null,
            JsonValueKind.String => value.GetString(),
            _ => value.GetRawText(),
        };
        if (text is null)
            return "none";
        return "“" + (text.Length > MaxValueLength ? text[..MaxValueLength] + "…" : text) + "”";
    }
}
