using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tidings.Classification;

/// <summary>A line of a labelled JSON-lines file: a headline and its gold category, or the categories that count as right.</summary>
public sealed record LabelledHeadline(
    [property: JsonPropertyName("title")] string? Title,
    [property: JsonPropertyName("description")] string? Description,
    [property: JsonPropertyName("category")] string? Category,
    [property: JsonPropertyName("accept")] List<string>? Accept,
    [property: JsonPropertyName("client")] string? Client)
{
    /// <summary>The answers that count as right: accept when given, else the category.</summary>
    public IReadOnlyList<string> Acceptable => Accept is { Count: > 0 } accept ? accept : Category is { } c ? [c] : [];

    /// <summary>The gold label for the confusion matrix: the category, else the first accepted answer.</summary>
    public string Gold => Category ?? Acceptable[0];

    private static readonly JsonSerializerOptions Options = new() { UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip };

    /// <summary>Reads the file; a line that is not such an object is an error naming its line number.</summary>
    public static List<LabelledHeadline> Read(string path)
    {
        var result = new List<LabelledHeadline>();
        var number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
                continue;
            LabelledHeadline? item;
            try
            {
                item = JsonSerializer.Deserialize<LabelledHeadline>(line, Options);
            }
            catch (JsonException)
            {
                throw new FormatException($"{path}:{number}: not a JSON object.");
            }
            if (item is null || string.IsNullOrWhiteSpace(item.Title))
                throw new FormatException($"{path}:{number}: needs a \"title\".");
            if (item.Acceptable.Count == 0)
                throw new FormatException($"{path}:{number}: needs a \"category\" or an \"accept\" list.");
            result.Add(item);
        }
        return result;
    }
}
