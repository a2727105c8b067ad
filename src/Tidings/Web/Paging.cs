using System.Buffers.Text;
using System.Text.Json;

namespace Tidings.Web;

/// <summary>Every list answers one page and the cursor of the next (null on the last page).</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor);

/// <summary>?limit= (default 50, at most 200) and ?cursor= (opaque to clients: base64url JSON of the last row's sort key).</summary>
public static class Paging
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    /// <summary>The page size, or a field error when it is out of range.</summary>
    public static int Limit(int? limit, FieldErrors errors)
    {
        if (limit is null)
            return DefaultLimit;
        if (limit is < 1 or > MaxLimit)
            errors.Add("limit", $"Must be between 1 and {MaxLimit}.");
        return Math.Clamp(limit.Value, 1, MaxLimit);
    }

    /// <summary>A cursor comes back from the client, who may have forged it: its text is held to the rule of all input.</summary>
    private static readonly JsonSerializerOptions CursorJson = StorableTextInput.AddTo(new JsonSerializerOptions());

    public static string Encode<TKey>(TKey key) => Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(key));

    public static TKey? Decode<TKey>(string? cursor) where TKey : class
    {
        if (string.IsNullOrEmpty(cursor))
            return null;
        try
        {
            return JsonSerializer.Deserialize<TKey>(Base64Url.DecodeFromChars(cursor), CursorJson)
                ?? throw new InvalidCursorException();
        }
        catch (Exception e) when (e is FormatException or JsonException or ArgumentException)
        {
            throw new InvalidCursorException();
        }
    }

    /// <summary>Builds the page from limit + 1 rows: the extra row only says that there is a next page.</summary>
    public static Page<T> Of<TRow, T>(List<TRow> rows, int limit, Func<TRow, T> map, Func<TRow, string> cursorOf) =>
        new(rows.Take(limit).Select(map).ToList(), rows.Count > limit ? cursorOf(rows[limit - 1]) : null);
}

public sealed class InvalidCursorException() : Exception("The cursor is not one this API gave out.");
