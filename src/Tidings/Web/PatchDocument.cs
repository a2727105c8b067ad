using System.Text.Json;
using System.Text.Json.Nodes;
using Tidings.Data;

namespace Tidings.Web;

/// <summary>
/// A PATCH body with merge-patch meaning: a field that is present is set (null clears it), a field that
/// is absent stays as it is, and a field the resource does not have is refused.
/// </summary>
public sealed class PatchDocument
{
    private readonly JsonObject _body;
    private readonly FieldErrors _errors;
    private readonly HashSet<string> _known = [];
    private readonly HashSet<string> _unstorable = [];

    private PatchDocument(JsonObject body, FieldErrors errors)
    {
        _body = body;
        _errors = errors;
        foreach (var (name, value) in body)
            foreach (var field in StorableTextInput.UnstorableFields(value))
            {
                errors.Add(field, StorableText.Rule);
                _unstorable.Add(name);
            }
    }

    /// <summary>Reads the body as a JSON object; anything else is a 400, and so is text the database cannot store.</summary>
    public static async Task<PatchDocument> ReadAsync(HttpRequest request, FieldErrors errors, CancellationToken ct)
    {
        // JsonNode would read malformed UTF-8 as U+FFFD and store that; a typed body refuses it, and so does a patch.
        using var bytes = new MemoryStream();
        await request.Body.CopyToAsync(bytes, ct);
        if (!System.Text.Unicode.Utf8.IsValid(bytes.GetBuffer().AsSpan(0, (int)bytes.Length)))
            throw new JsonException("The body is not UTF-8.");
        var node = JsonNode.Parse(bytes.GetBuffer().AsMemory(0, (int)bytes.Length).Span);
        if (node is not JsonObject body)
            throw new JsonException("The body must be a JSON object.");
        return new PatchDocument(body, errors);
    }

    /// <summary>True when <paramref name="field"/> is in the body; <paramref name="value"/> is then its value (null to clear).</summary>
    public bool Has<T>(string field, out T? value)
    {
        _known.Add(field);
        value = default;
        if (!_body.TryGetPropertyValue(field, out var node) || _unstorable.Contains(field))
            return false;
        try
        {
            value = node is null ? default : node.Deserialize<T>();
            return true;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            _errors.Add(field, $"Must be a {Describe(typeof(T))}.");
            return false;
        }
    }

    /// <summary>Adds a field error for every field of the body that no <see cref="Has{T}"/> asked for.</summary>
    public void RefuseUnknownFields()
    {
        foreach (var (name, _) in _body)
            if (!_known.Contains(name))
                _errors.Add(name, "Not a field of this resource.");
    }

    private static string Describe(Type type) => (Nullable.GetUnderlyingType(type) ?? type) switch
    {
        var t when t == typeof(string) => "string",
        var t when t == typeof(bool) => "boolean",
        var t when t == typeof(int) || t == typeof(double) => "number",
        var t when t == typeof(Guid) => "UUID string",
        var t when t == typeof(DateTime) => "ISO 8601 date-time",
        var t when t == typeof(List<string>) => "list of strings",
        _ => "value of the right type",
    };
}
