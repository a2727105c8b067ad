using System.Text.RegularExpressions;

namespace Tidings.Classification;

/// <summary>A sparse vector: feature indices, ascending, and their values.</summary>
public readonly record struct SparseVector(int[] Indices, float[] Values)
{
    public static double Dot(SparseVector a, SparseVector b)
    {
        double sum = 0;
        for (int i = 0, j = 0; i < a.Indices.Length && j < b.Indices.Length;)
        {
            if (a.Indices[i] == b.Indices[j])
                sum += a.Values[i++] * b.Values[j++];
            else if (a.Indices[i] < b.Indices[j])
                i++;
            else
                j++;
        }
        return sum;
    }
}

/// <summary>
/// TF-IDF over word 1–2-grams and character 2–5-grams within words, sublinear term frequency, each of the two blocks
/// normalised on its own: words carry the event's verb ("acquire", "cut jobs"), character grams its inflections and
/// misspellings. Tickers ($ABC) count as one word.
/// </summary>
public sealed partial class TextFeatures
{
    private readonly Dictionary<string, int> _vocabulary;
    private readonly float[] _idf;
    private readonly bool[] _isCharacterGram;

    public TextFeatures(IReadOnlyList<string> grams, float[] idf)
    {
        _vocabulary = new Dictionary<string, int>(grams.Count, StringComparer.Ordinal);
        for (var i = 0; i < grams.Count; i++)
            _vocabulary[grams[i]] = i;
        _idf = idf;
        _isCharacterGram = grams.Select(g => g[0] == 'c').ToArray();
        Grams = grams;
    }

    public IReadOnlyList<string> Grams { get; }
    public int Size => _vocabulary.Count;

    /// <summary>The vocabulary of a corpus: every gram in at least <paramref name="minDocuments"/> documents, with its idf.</summary>
    public static TextFeatures Fit(IReadOnlyList<string> documents, int minDocuments = 2)
    {
        var df = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var document in documents)
            foreach (var gram in GramsOf(document).Distinct())
                df[gram] = df.GetValueOrDefault(gram) + 1;
        var grams = df.Where(kv => kv.Value >= minDocuments).Select(kv => kv.Key).OrderBy(g => g, StringComparer.Ordinal).ToList();
        var idf = grams.Select(g => (float)(Math.Log((1.0 + documents.Count) / (1.0 + df[g])) + 1.0)).ToArray();
        return new TextFeatures(grams, idf);
    }

    public float Idf(int index) => _idf[index];

    public SparseVector Transform(string text)
    {
        var tf = new Dictionary<int, float>();
        foreach (var gram in GramsOf(text))
            if (_vocabulary.TryGetValue(gram, out var index))
                tf[index] = tf.GetValueOrDefault(index) + 1;
        var indices = tf.Keys.Order().ToArray();
        var values = new float[indices.Length];
        double words = 0, characters = 0;
        for (var k = 0; k < indices.Length; k++)
        {
            values[k] = (float)((1 + Math.Log(tf[indices[k]])) * _idf[indices[k]]);
            if (_isCharacterGram[indices[k]])
                characters += values[k] * values[k];
            else
                words += values[k] * values[k];
        }
        for (var k = 0; k < indices.Length; k++)
            values[k] /= (float)Math.Sqrt((_isCharacterGram[indices[k]] ? characters : words) + 1e-12);
        return new SparseVector(indices, values);
    }

    /// <summary>Whether the feature is a word or a pair of words (evidence a person can read), not a character gram.</summary>
    public bool IsWordGram(int index) => !_isCharacterGram[index];

    /// <summary>The text of a word gram, as evidence ("series b").</summary>
    public string Words(int index) => Grams[index][2..];

    private static IEnumerable<string> GramsOf(string text)
    {
        var words = Word().Matches(text.ToLowerInvariant()).Select(m => m.Value.TrimEnd('.', '-', '\'')).Where(w => w.Length > 0).ToArray();
        for (var i = 0; i < words.Length; i++)
        {
            var word = words[i].StartsWith('$') && words[i].Length > 1 ? "$TICKER" : words[i];
            yield return "w:" + word;
            if (i + 1 < words.Length)
                yield return "b:" + word + " " + words[i + 1];
            var padded = " " + words[i] + " ";
            for (var n = 2; n <= 5; n++)
                for (var s = 0; s + n <= padded.Length; s++)
                    yield return "c:" + padded.Substring(s, n);
        }
    }

    [GeneratedRegex(@"[a-z0-9$%&][a-z0-9$%&'.\-]*")]
    private static partial Regex Word();
}
