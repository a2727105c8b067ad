using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata;
using Tidings.Data.Auditing;

namespace Tidings.Data;

/// <summary>
/// Text that both databases store as sent: no control character but tab, line feed and carriage return,
/// no unpaired surrogate. PostgreSQL cannot store NUL at all and refuses a lone surrogate (it is not
/// UTF-8), while SQLite keeps both, so without this rule the same request fails on one provider and
/// stores garbage on the other. The API refuses such text per field (Web/StorableTextInput.cs); a save
/// refuses it too, whatever the path it came by.
/// </summary>
public static class StorableText
{
    public const string Rule = "Must not contain control characters other than tab, line feed and carriage return, nor unpaired surrogates.";

    /// <summary>What needs a second look: refused controls, and surrogates, which are fine only in pairs.</summary>
    private static readonly SearchValues<char> Suspect = SearchValues.Create(
        Range('\u0000', '\u0008') + "\u000B\u000C" + Range('\u000E', '\u001F') + Range('\u007F', '\u009F') + Range('\uD800', '\uDFFF'));

    private static readonly ConcurrentDictionary<IEntityType, IProperty[]> TextProperties = new();

    public static bool IsStorable(ReadOnlySpan<char> text)
    {
        for (var at = text.IndexOfAny(Suspect); at >= 0; at = text.IndexOfAny(Suspect))
        {
            if (!char.IsHighSurrogate(text[at]) || at + 1 >= text.Length || !char.IsLowSurrogate(text[at + 1]))
                return false;
            text = text[(at + 2)..];
        }
        return true;
    }

    /// <summary>
    /// Text from outside (a feed, a web page, a server's answer) made storable: refused controls and unpaired surrogates
    /// dropped, trimmed; null when nothing is left.
    /// </summary>
    public static string? Cleaned(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return null;
        if (!IsStorable(text))
        {
            var kept = new System.Text.StringBuilder(text.Length);
            for (var i = 0; i < text.Length; i++)
            {
                var c = text[i];
                if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                    kept.Append(c).Append(text[++i]);
                else if (!char.IsSurrogate(c) && !Suspect.Contains(c))
                    kept.Append(c);
            }
            text = kept.ToString();
        }
        text = text.Trim();
        return text.Length == 0 ? null : text;
    }

    /// <summary>At most <paramref name="max"/> characters, ending in "…" when cut, never between the halves of a surrogate pair.</summary>
    public static string Cut(string text, int max)
    {
        if (text.Length <= max)
            return text;
        var end = max - 1;
        if (char.IsLowSurrogate(text[end]))
            end--;
        return string.Concat(text.AsSpan(0, end), "…");
    }

    /// <summary>Refuses a save that would write unstorable text into any string (or list of strings) column.</summary>
    internal static void BeforeSave(ChangeTracker changes)
    {
        foreach (var entry in changes.Entries())
        {
            if (entry.State is not (EntityState.Added or EntityState.Modified) || entry.Entity is AuditLog or PlatformAuditLog)
                continue;
            foreach (var property in TextProperties.GetOrAdd(entry.Metadata, Texts))
            {
                var value = entry.Property(property);
                if (entry.State == EntityState.Modified && !value.IsModified)
                    continue;
                var storable = value.CurrentValue switch
                {
                    string text => IsStorable(text),
                    IEnumerable<string?> texts => texts.All(t => t is null || IsStorable(t)),
                    _ => true,
                };
                if (!storable)
                    throw new UnstorableTextException(entry.Metadata.GetTableName()!, property.GetColumnName());
            }
        }
    }

    private static IProperty[] Texts(IEntityType type) =>
        type.GetProperties().Where(p => p.ClrType == typeof(string) || typeof(IEnumerable<string>).IsAssignableFrom(p.ClrType)).ToArray();

    private static string Range(char first, char last) => new(Enumerable.Range(first, last - first + 1).Select(c => (char)c).ToArray());
}

/// <summary>A save carried text the database cannot store (<see cref="StorableText"/>); nothing was written.</summary>
public sealed class UnstorableTextException(string table, string column)
    : Exception($"{table}.{column}: {StorableText.Rule}");
