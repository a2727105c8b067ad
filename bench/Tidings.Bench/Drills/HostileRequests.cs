using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tidings.Bench.Drills;

/// <summary>One bad request: which operation, what was wrong with it, and what goes on the wire.</summary>
public sealed record HostileRequest(string Operation, string Kind, HttpMethod Method, string Path, string? ContentType, byte[]? Body);

/// <summary>The ids the requests use: the caller's own (to reach validation behind the lookup) and another business's.</summary>
public sealed record HostileIds(IReadOnlyDictionary<string, Guid> Own, IReadOnlyDictionary<string, Guid> Foreign);

/// <summary>
/// Bad requests for every operation of an OpenAPI document, each one wrong in one way: wrong types, out-of-range
/// numbers, huge strings, control characters and unpaired surrogates, malformed and foreign ids, missing and extra
/// fields, wrong content types, malformed JSON. Everything else in a request is as valid as the schema lets a
/// generator make it, so the one wrong thing is what the service meets. The same document and seed give the same
/// requests in the same order.
/// </summary>
public sealed class HostileRequests(JsonElement document, HostileIds ids, int seed)
{
    /// <summary>Past every short field's limit, within the request size limit.</summary>
    private const int Long = 100_000;
    /// <summary>Past the service's request size limit (1 MB).</summary>
    private const int Huge = 2 * 1024 * 1024;

    /// <summary>Free text, which Tidings keeps as written, bounded only by the request size limit: a long one is a valid request.</summary>
    private static readonly string[] FreeText = ["description", "notes"];
    private static readonly string[] Methods = ["get", "post", "put", "patch", "delete"];
    private readonly Random _random = new(seed);
    private int _serial;

    /// <summary>Operations with nothing a caller can get wrong (no parameters, no body) and that are not reads: sending them is acting, not probing.</summary>
    public List<string> Skipped { get; } = [];

    public List<HostileRequest> All()
    {
        var requests = new List<HostileRequest>();
        foreach (var path in document.GetProperty("paths").EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
            foreach (var method in Methods)
                if (path.Value.TryGetProperty(method, out var operation))
                    requests.AddRange(For(path.Name, new HttpMethod(method.ToUpperInvariant()), operation, path.Value));
        return requests;
    }

    private IEnumerable<HostileRequest> For(string template, HttpMethod method, JsonElement operation, JsonElement pathItem)
    {
        var name = operation.TryGetProperty("operationId", out var id) ? id.GetString()! : $"{method} {template}";
        var parameters = Parameters(operation).Concat(Parameters(pathItem)).ToList();
        var pathParameters = parameters.Where(p => p.In == "path").ToList();
        var query = parameters.Where(p => p.In == "query").ToList();
        var body = RequestBody(operation);
        var reads = method == HttpMethod.Get;
        // Ending the caller's own sessions takes no input that could be wrong, and would sign the drill out.
        if (template.EndsWith("/revoke-all", StringComparison.Ordinal))
        {
            Skipped.Add($"{method} {template}");
            yield break;
        }
        if (pathParameters.Count == 0 && query.Count == 0 && body is null)
        {
            if (reads)
                yield return new(name, "unexpected query", method, template + "?drill=%00" + new string('x', 64), null, null);
            else
                Skipped.Add($"{method} {template}");
            yield break;
        }
        List<HostileRequest> made = [];
        // A request that changes something reaches the record only when everything in it is right but the one
        // wrong thing; so its other path ids are the caller's own only while the wrong thing is in the body or query.
        string PathWith(string? wrongName, string? wrongValue, bool ownIds) => Expand(template, pathParameters, wrongName, wrongValue, ownIds || reads);

        foreach (var p in pathParameters)
        {
            foreach (var (kind, value) in BadPathValues(p))
                made.Add(Request(name, kind + $" ({p.Name})", method, PathWith(p.Name, value, ownIds: false), body));
        }
        foreach (var q in query)
        {
            foreach (var (kind, value) in BadScalars(q.Name, q.Schema))
                made.Add(Request(name, kind + $" (?{q.Name})", method, PathWith(null, null, ownIds: false) + "?" + q.Name + "=" + Uri.EscapeDataString(value), body));
        }
        if (body is { } b)
        {
            var path = PathWith(null, null, ownIds: true);
            var valid = Base(b.Schema) as JsonObject;
            made.Add(Raw(name, "wrong content type (text/plain)", method, path, "text/plain", valid?.ToJsonString() ?? "drill"));
            made.Add(Raw(name, "wrong content type (application/xml)", method, path, "application/xml", "<drill/>"));
            made.Add(Raw(name, "wrong content type (form)", method, path, "application/x-www-form-urlencoded", "name=drill"));
            // A body the operation does not require (nor any of its fields) may be left out, null or empty: that is a valid request.
            if (b.Required)
                made.Add(Raw(name, "no body", method, path, b.ContentType, null));
            foreach (var (kind, bytes) in MalformedJson.Where(m => b.Required || m.Kind != "JSON null"))
                made.Add(new HostileRequest(name, kind, method, path, b.ContentType, bytes));
            made.Add(Raw(name, "extra field only", method, path, b.ContentType, """{"drillUnexpected":1}"""));
            if (valid is not null)
                foreach (var (kind, changed) in BadBodies(b.Schema, valid).Where(x => b.Required || x.Kind != "missing fields"))
                    made.Add(Raw(name, kind, method, path, b.ContentType, changed.ToJsonString()));
        }
        foreach (var request in made)
            yield return request;
    }

    private static readonly (string Kind, byte[] Body)[] MalformedJson =
    [
        ("malformed JSON (truncated)", """{"name": "dri"""u8.ToArray()),
        ("malformed JSON (trailing comma)", """{"name": "drill",}"""u8.ToArray()),
        ("malformed JSON (single quotes)", "{'name': 'drill'}"u8.ToArray()),
        ("malformed JSON (bare word)", "drill"u8.ToArray()),
        ("JSON null", "null"u8.ToArray()),
        ("JSON array", "[1, 2, 3]"u8.ToArray()),
        ("JSON string", "\"drill\""u8.ToArray()),
        ("malformed JSON (deep nesting)", Encoding.UTF8.GetBytes(new string('[', 5000) + new string(']', 5000))),
        ("malformed UTF-8", [.. "{\"name\": \""u8, 0xff, 0xfe, .. "\"}"u8]),
    ];

    private HostileRequest Request(string operation, string kind, HttpMethod method, string path, BodyInfo? body) =>
        body is { } b && Base(b.Schema) is JsonNode valid
            ? Raw(operation, kind, method, path, b.ContentType, valid.ToJsonString())
            : new HostileRequest(operation, kind, method, path, null, null);

    /// <summary>
    /// Stands for a lone surrogate in a body: a .NET string cannot carry one into UTF-8 (the encoder writes U+FFFD,
    /// which is valid text), so the JSON text gets the escape itself, which a JSON reader decodes to the lone half.
    /// </summary>
    private const string LoneSurrogate = "LONESURROGATEMARK";

    private static HostileRequest Raw(string operation, string kind, HttpMethod method, string path, string? contentType, string? body) =>
        new(operation, kind, method, path, contentType, body is null ? null : Encoding.UTF8.GetBytes(body.Replace(LoneSurrogate, "\\ud800")));

    private string Expand(string template, List<Parameter> pathParameters, string? wrongName, string? wrongValue, bool ownIds)
    {
        var path = template;
        foreach (var p in pathParameters)
        {
            var value = p.Name == wrongName ? wrongValue! : ValidPathValue(template, p, ownIds);
            path = path.Replace("{" + p.Name + "}", value, StringComparison.Ordinal);
        }
        return path;
    }

    /// <summary>The kind of record a path id names: the segment before it ("/api/clients/{id}" is a client), or its own name ("{tagId}").</summary>
    private static string KindOf(string template, string parameter)
    {
        if (parameter.EndsWith("Id", StringComparison.Ordinal) && parameter.Length > 2)
            return parameter[..^2].ToLowerInvariant();
        var segments = template.Split('/');
        var at = Array.IndexOf(segments, "{" + parameter + "}");
        var before = at > 0 ? segments[at - 1] : "";
        return before.EndsWith('s') ? before[..^1] : before;
    }

    private string ValidPathValue(string template, Parameter p, bool own)
    {
        if (p.Schema.Format != "uuid" && p.Name == "kind")
            return "client";
        var kind = KindOf(template, p.Name);
        var map = own ? ids.Own : ids.Foreign;
        return (map.TryGetValue(kind, out var id) ? id : Guid.NewGuid()).ToString();
    }

    private IEnumerable<(string Kind, string Value)> BadPathValues(Parameter p)
    {
        yield return ("malformed id", "not-a-uuid");
        yield return ("malformed id (almost a uuid)", Guid.NewGuid().ToString()[..35] + "g");
        yield return ("malformed id (integer)", "12345");
        yield return ("control characters in path", "%00%01%1F");
        yield return ("huge path segment", new string('a', 5_000));
        yield return ("path traversal", "..%2F..%2Fetc%2Fpasswd");
        yield return ("missing record", Guid.NewGuid().ToString());
        yield return ("empty guid", Guid.Empty.ToString());
        yield return ("foreign id", (ids.Foreign.GetValueOrDefault(p.Name == "kind" ? "client" : p.Name, Guid.Empty) is var f && f != Guid.Empty ? f : ForeignOfAnyKind()).ToString());
    }

    private Guid ForeignOfAnyKind() => ids.Foreign.Values.ElementAt(_random.Next(ids.Foreign.Count));

    /// <summary>Wrong values for a scalar (a query parameter or a field), as text.</summary>
    private IEnumerable<(string Kind, string Value)> BadScalars(string name, Schema schema)
    {
        switch (schema.Type)
        {
            case "integer" or "number":
                yield return ("wrong type", "abc");
                yield return ("out of range (negative)", "-1");
                yield return ("out of range (zero)", "0");
                yield return ("out of range (huge)", "99999999999999999999");
                yield return ("out of range (2^31)", "2147483648");
                yield return ("not finite", "NaN");
                break;
            case "boolean":
                yield return ("wrong type", "maybe");
                yield return ("wrong type (number)", "2");
                break;
            default:
                if (schema.Format == "uuid")
                {
                    yield return ("malformed id", "not-a-uuid");
                    yield return ("foreign id", ids.Foreign.GetValueOrDefault(name.EndsWith("Id", StringComparison.Ordinal) ? name[..^2].ToLowerInvariant() : name, ForeignOfAnyKind()).ToString());
                }
                else if (schema.Format == "date-time")
                {
                    yield return ("malformed date", "yesterday");
                    yield return ("out of range date", "10000-01-01T00:00:00Z");
                }
                yield return ("long string", new string('x', Long));
                yield return ("control characters", "a\u0000b\u0001\u001f");
                yield return ("unpaired surrogate", "a\ud800b");
                yield return ("malformed cursor or token", "!!!%%%" + _random.Next());
                break;
        }
    }

    /// <summary>The valid body with one property wrong, one at a time; and with none at all.</summary>
    private IEnumerable<(string Kind, JsonObject Body)> BadBodies(Schema schema, JsonObject valid)
    {
        foreach (var (property, propertySchema) in schema.Properties)
        {
            foreach (var (kind, value) in BadValues(property, propertySchema))
            {
                var changed = (JsonObject)valid.DeepClone();
                changed[property] = value;
                yield return ($"{kind} ({property})", changed);
            }
        }
        // Every field left out at once: OpenAPI lists a record's nullable fields as required too, so leaving out one
        // optional field would make a valid request, not a bad one.
        yield return ("missing fields", new JsonObject());
    }

    private IEnumerable<(string Kind, JsonNode? Value)> BadValues(string name, Schema schema)
    {
        switch (schema.Type)
        {
            case "integer":
                yield return ("wrong type", "abc");
                yield return ("wrong type (fraction)", 1.5);
                yield return ("out of range (2^31)", 2147483648L);
                yield return ("out of range (negative)", -1);
                yield return ("out of range (huge)", JsonNode.Parse("1e400"));
                break;
            case "number":
                yield return ("wrong type", "abc");
                yield return ("out of range (negative)", -1.5);
                yield return ("out of range (large)", 1e308);
                yield return ("out of range (huge)", JsonNode.Parse("1e400"));
                yield return ("not finite", "NaN");
                break;
            case "boolean":
                yield return ("wrong type", "yes");
                yield return ("wrong type (number)", 1);
                break;
            case "array":
                yield return ("wrong type", "drill");
                yield return ("wrong element type", new JsonArray(new JsonObject { ["a"] = 1 }));
                yield return ("huge array", new JsonArray(Enumerable.Range(0, 20_000).Select(i => (JsonNode?)JsonValue.Create(i)).ToArray()));
                if (schema.Items is { } items)
                    foreach (var (kind, value) in BadValues(name + "[]", items).Take(4))
                        yield return ($"{kind} in array", new JsonArray(value));
                break;
            case "object":
                yield return ("wrong type", new JsonArray(1));
                yield return ("wrong type (string)", "drill");
                break;
            default:
                yield return ("wrong type", 12345);
                yield return ("wrong type (object)", new JsonObject { ["a"] = 1 });
                if (!FreeText.Contains(name))
                    yield return ("long string", new string('x', Long));
                yield return ("huge string", new string('x', Huge));
                yield return ("control characters", "drill\u0000null");
                yield return ("control characters (C0)", "drill\u0001\u001b[31m");
                yield return ("unpaired surrogate", "drill" + LoneSurrogate);
                if (schema.Format == "uuid")
                {
                    yield return ("malformed id", "not-a-uuid");
                    var kind = name.EndsWith("Id", StringComparison.Ordinal) ? name[..^2].ToLowerInvariant() : name;
                    kind = kind.StartsWith("assignedto", StringComparison.Ordinal) ? "user" : kind;
                    yield return ("foreign id", ids.Foreign.GetValueOrDefault(kind, ForeignOfAnyKind()).ToString());
                }
                if (schema.Format == "date-time")
                {
                    yield return ("malformed date", "yesterday");
                    yield return ("out of range date", "10000-01-01T00:00:00Z");
                }
                break;
        }
    }

    /// <summary>A body as valid as the schema lets a generator make it; names give the values a validator expects.</summary>
    private JsonNode? Base(Schema schema, string name = "")
    {
        var n = ++_serial;
        switch (schema.Type)
        {
            case "object":
                var body = new JsonObject();
                foreach (var (property, propertySchema) in schema.Properties)
                    body[property] = Base(propertySchema, property);
                return body;
            case "array":
                return schema.Items is { } items ? new JsonArray(Base(items, name.TrimEnd('s'))) : new JsonArray();
            case "integer":
                return name.Contains("year", StringComparison.OrdinalIgnoreCase) ? 2001 : name.Contains("days", StringComparison.OrdinalIgnoreCase) ? 30 : 1;
            case "number":
                return 0.5;
            case "boolean":
                return true;
        }
        if (schema.Enum.Count > 0)
            return schema.Enum[0];
        if (schema.Format == "uuid")
        {
            var kind = name.EndsWith("Id", StringComparison.Ordinal) ? name[..^2].ToLowerInvariant() : name.TrimEnd('s').ToLowerInvariant();
            kind = kind.StartsWith("assignedto", StringComparison.Ordinal) || kind == "id" ? "user" : kind;
            return (ids.Own.TryGetValue(kind, out var own) ? own : Guid.NewGuid()).ToString();
        }
        if (schema.Format == "date-time")
            return "2026-01-01T00:00:00Z";
        return name.ToLowerInvariant() switch
        {
            var s when s.Contains("email") => $"drill-{n}@drill.test",
            var s when s.Contains("password") => $"drill-password-{n}",
            var s when s.Contains("url") || s == "domain" => $"https://drill.example/{n}",
            "color" => "#336699",
            "category" => "funding",
            "role" => "viewer",
            "kind" => "client",
            "monitoringfrequency" => "daily",
            _ => $"Drill {n}",
        };
    }

    private sealed record Parameter(string Name, string In, Schema Schema);
    private sealed record BodyInfo(string ContentType, Schema Schema, bool Required);

    /// <summary>What the generator needs of a JSON schema, with $ref resolved and nullable unions reduced to their type.</summary>
    private sealed record Schema(string? Type, string? Format, List<(string Name, Schema Schema)> Properties, Schema? Items, List<string> Enum);

    private IEnumerable<Parameter> Parameters(JsonElement owner)
    {
        if (!owner.TryGetProperty("parameters", out var list))
            yield break;
        foreach (var p in list.EnumerateArray())
        {
            var resolved = Resolve(p);
            yield return new Parameter(resolved.GetProperty("name").GetString()!, resolved.GetProperty("in").GetString()!,
                resolved.TryGetProperty("schema", out var s) ? Read(s, 0) : new Schema("string", null, [], null, []));
        }
    }

    private BodyInfo? RequestBody(JsonElement operation)
    {
        if (!operation.TryGetProperty("requestBody", out var body) || !Resolve(body).TryGetProperty("content", out var content))
            return null;
        var types = content.EnumerateObject().ToList();
        var chosen = types.FirstOrDefault(t => t.Name == "application/json");
        if (chosen.Value.ValueKind == JsonValueKind.Undefined)
            chosen = types.First();
        var required = Resolve(body).TryGetProperty("required", out var r) && r.ValueKind == JsonValueKind.True;
        return new BodyInfo(chosen.Name, chosen.Value.TryGetProperty("schema", out var s) ? Read(s, 0) : new Schema("object", null, [], null, []), required);
    }

    private JsonElement Resolve(JsonElement element)
    {
        while (element.ValueKind == JsonValueKind.Object && element.TryGetProperty("$ref", out var reference))
        {
            var node = document;
            foreach (var part in reference.GetString()!.TrimStart('#', '/').Split('/'))
                node = node.GetProperty(part.Replace("~1", "/").Replace("~0", "~"));
            element = node;
        }
        return element;
    }

    private Schema Read(JsonElement element, int depth)
    {
        element = Resolve(element);
        if (depth > 4 || element.ValueKind != JsonValueKind.Object)
            return new Schema("string", null, [], null, []);
        foreach (var union in new[] { "oneOf", "anyOf", "allOf" })
            if (element.TryGetProperty(union, out var options))
                return options.EnumerateArray().Select(o => Read(o, depth + 1)).FirstOrDefault(o => o.Type is not (null or "null")) ?? new Schema("string", null, [], null, []);
        string? type = null;
        if (element.TryGetProperty("type", out var t))
            type = t.ValueKind == JsonValueKind.Array
                ? t.EnumerateArray().Select(x => x.GetString()).FirstOrDefault(x => x != "null")
                : t.GetString();
        var format = element.TryGetProperty("format", out var f) ? f.GetString() : null;
        var properties = element.TryGetProperty("properties", out var ps)
            ? ps.EnumerateObject().Select(p => (p.Name, Read(p.Value, depth + 1))).ToList() : [];
        var items = element.TryGetProperty("items", out var i) ? Read(i, depth + 1) : null;
        var values = element.TryGetProperty("enum", out var e) ? e.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!).ToList() : [];
        type ??= properties.Count > 0 ? "object" : items is not null ? "array" : "string";
        // Numbers may be declared as a union with a string pattern ("integer | string"); the first listed type wins.
        return new Schema(type, format, properties, items, values);
    }
}
