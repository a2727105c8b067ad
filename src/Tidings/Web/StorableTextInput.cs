using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Tidings.Data;

namespace Tidings.Web;

/// <summary>
/// Every string a request brings is text the database can store (<see cref="StorableText"/>), checked once
/// for every route: each string of a JSON body as it is deserialized (every field of every request type,
/// strings in lists and nested objects included), each string of a PATCH document (<see cref="PatchDocument"/>),
/// each query and route value, each string of a paging cursor (<see cref="Paging"/>). Anything else answers the 400 of <see cref="FieldErrors"/>, keyed by the
/// field's JSON path as the other field errors are ("name", "searchKeywords[2]", "events[3].title") or by
/// the parameter's name.
/// </summary>
public static class StorableTextInput
{
    public static JsonSerializerOptions AddTo(JsonSerializerOptions options)
    {
        options.Converters.Add(new CheckedStrings());
        return options;
    }

    /// <summary>
    /// The OpenAPI document describes a string read by a custom converter as "anything"; these are the
    /// built-in strings, checked, so they are described as strings again (null too where the field is nullable).
    /// </summary>
    public static void AddTo(OpenApiOptions options) => options.AddSchemaTransformer((schema, context, _) =>
    {
        if (context.JsonTypeInfo.Type == typeof(string) && schema.Type is null)
            schema.Type = context.JsonPropertyInfo is { IsGetNullable: true } or { IsSetNullable: true }
                ? JsonSchemaType.String | JsonSchemaType.Null
                : JsonSchemaType.String;
        // A list of strings is left with no item schema at all.
        if (context.JsonTypeInfo is { Kind: JsonTypeInfoKind.Enumerable, ElementType: var element } && element == typeof(string) && schema.Items is null)
            schema.Items = new OpenApiSchema { Type = JsonSchemaType.String };
        return Task.CompletedTask;
    });

    /// <summary>Refuses unstorable query and route values before the endpoint runs (after sign-in, so strangers still get 401).</summary>
    public static IApplicationBuilder UseStorableTextInput(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        var errors = new FieldErrors();
        foreach (var (name, values) in http.Request.Query)
            foreach (var value in values)
                Check(errors, name, value);
        foreach (var (name, value) in http.Request.RouteValues)
            Check(errors, name, value as string);
        if (errors.Any)
            await errors.Problem().ExecuteAsync(http);
        else
            await next(http);
    });

    /// <summary>The fields, named by their JSON path, of every unstorable string in <paramref name="node"/>.</summary>
    public static IEnumerable<string> UnstorableFields(JsonNode? node) => node switch
    {
        JsonObject body => body.SelectMany(p => UnstorableFields(p.Value)),
        JsonArray items => items.SelectMany(UnstorableFields),
        JsonValue value when value.GetValueKind() == JsonValueKind.String && !IsStorable(value) => [FieldOf(value.GetPath())],
        _ => [],
    };

    private static bool IsStorable(JsonValue value)
    {
        try
        {
            return StorableText.IsStorable(value.GetValue<string>());
        }
        catch (InvalidOperationException)
        {
            return false; // an escaped lone surrogate does not even decode
        }
    }

    /// <summary>The answer to a JSON body that carried unstorable text (the converter below stopped reading it).</summary>
    public static IResult Problem(UnstorableJsonTextException e) => new FieldErrors().Add(FieldOf(e.Path), StorableText.Rule).Problem();

    private static void Check(FieldErrors errors, string field, string? value)
    {
        if (value is not null && !StorableText.IsStorable(value))
            errors.Add(field, StorableText.Rule);
    }

    /// <summary>"$.events[3].title" is the field "events[3].title".</summary>
    private static string FieldOf(string? path) => path switch
    {
        null or "$" => "$",
        _ when path.StartsWith("$.", StringComparison.Ordinal) => path[2..],
        _ => path.TrimStart('$'),
    };

    /// <summary>The string converter of the API's JSON: the built-in one, refusing what the database cannot store.</summary>
    private sealed class CheckedStrings : JsonConverter<string>
    {
        public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => Checked(ref reader);

        public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);

        public override string ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => Checked(ref reader)!;

        public override void WriteAsPropertyName(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WritePropertyName(value);

        private static string? Checked(ref Utf8JsonReader reader)
        {
            string? text;
            try
            {
                text = reader.GetString();
            }
            catch (InvalidOperationException) when (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName)
            {
                throw new UnstorableJsonTextException(); // an escaped lone surrogate: the reader cannot make it a string
            }
            return text is null || StorableText.IsStorable(text) ? text : throw new UnstorableJsonTextException();
        }
    }
}

/// <summary>A JSON body carried text the database cannot store; System.Text.Json fills in <see cref="JsonException.Path"/>.</summary>
public sealed class UnstorableJsonTextException() : JsonException(StorableText.Rule);
