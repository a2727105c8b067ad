using System.IO.Compression;

namespace Tidings.Classification;

/// <summary>
/// The trained part of the classifier: one multinomial logistic regression over [TF-IDF of the text ; the MiniLM
/// embedding × <see cref="EmbeddingScale"/>], with a temperature that calibrates its probabilities. Trained by
/// `tidings classify train` from data/classify, shipped as an embedded resource (Model/headline-model.bin).
/// </summary>
public sealed class ClassifierModel
{
    private const string Magic = "tidings-headline-model";
    private const int FormatVersion = 1;
    public const string ResourceName = "Tidings.Classification.headline-model.bin";

    /// <summary>The embedding's share of the features against the two unit-length TF-IDF blocks.</summary>
    public const float EmbeddingScale = 2f;

    public required string Version { get; init; }
    public required string[] Classes { get; init; }
    public required TextFeatures Text { get; init; }
    /// <summary>Row c holds class c's weights: the TF-IDF features, then the embedding's.</summary>
    public required float[] Weights { get; init; }
    public required float[] Bias { get; init; }
    public required double Temperature { get; init; }
    /// <summary>The training corpus's mean embedding: subtracted before comparing headlines with a business's examples.</summary>
    public required float[] EmbeddingMean { get; init; }

    public int Dimensions => Text.Size + MiniLmEmbedder.Dimensions;

    private static readonly Lazy<ClassifierModel> ShippedModel = new(LoadShipped, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The model built into the executable.</summary>
    public static ClassifierModel Shipped => ShippedModel.Value;

    private static ClassifierModel LoadShipped()
    {
        using var stream = typeof(ClassifierModel).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException("The classifier's model is not built into this executable (run `tidings classify train`).");
        return Read(stream);
    }

    /// <summary>Raw scores of each class for one feature vector (TF-IDF part sparse, embedding dense).</summary>
    public void Logits(SparseVector text, float[] embedding, double[] logits)
    {
        var width = Dimensions;
        for (var c = 0; c < Classes.Length; c++)
        {
            var row = c * width;
            double sum = Bias[c];
            for (var k = 0; k < text.Indices.Length; k++)
                sum += Weights[row + text.Indices[k]] * text.Values[k];
            var e = row + Text.Size;
            for (var d = 0; d < embedding.Length; d++)
                sum += Weights[e + d] * embedding[d] * EmbeddingScale;
            logits[c] = sum;
        }
    }

    public void Write(Stream destination)
    {
        using var zip = new GZipStream(destination, CompressionLevel.SmallestSize, leaveOpen: true);
        using var w = new BinaryWriter(zip);
        w.Write(Magic);
        w.Write(FormatVersion);
        w.Write(Version);
        w.Write(Temperature);
        w.Write(Classes.Length);
        foreach (var c in Classes)
            w.Write(c);
        w.Write(Text.Size);
        for (var i = 0; i < Text.Size; i++)
        {
            w.Write(Text.Grams[i]);
            w.Write(Text.Idf(i));
        }
        foreach (var v in EmbeddingMean)
            w.Write(v);
        foreach (var v in Bias)
            w.Write(v);
        // Half precision: the weights' rounding moves no decision on the held-out set, and the file is half the size.
        foreach (var v in Weights)
            w.Write((Half)v);
    }

    public static ClassifierModel Read(Stream source)
    {
        using var zip = new GZipStream(source, CompressionMode.Decompress);
        using var r = new BinaryReader(new BufferedStream(zip, 1 << 16));
        if (r.ReadString() != Magic || r.ReadInt32() != FormatVersion)
            throw new InvalidDataException("Not a Tidings headline model of this version.");
        var version = r.ReadString();
        var temperature = r.ReadDouble();
        var classes = new string[r.ReadInt32()];
        for (var i = 0; i < classes.Length; i++)
            classes[i] = r.ReadString();
        var size = r.ReadInt32();
        var grams = new string[size];
        var idf = new float[size];
        for (var i = 0; i < size; i++)
        {
            grams[i] = r.ReadString();
            idf[i] = r.ReadSingle();
        }
        var mean = new float[MiniLmEmbedder.Dimensions];
        for (var i = 0; i < mean.Length; i++)
            mean[i] = r.ReadSingle();
        var bias = new float[classes.Length];
        for (var i = 0; i < bias.Length; i++)
            bias[i] = r.ReadSingle();
        var weights = new float[classes.Length * (size + MiniLmEmbedder.Dimensions)];
        for (var i = 0; i < weights.Length; i++)
            weights[i] = (float)r.ReadHalf();
        return new ClassifierModel
        {
            Version = version, Classes = classes, Text = new TextFeatures(grams, idf), Weights = weights, Bias = bias,
            Temperature = temperature, EmbeddingMean = mean,
        };
    }
}
