using System.Diagnostics;

namespace Tidings.Classification;

/// <summary>
/// Trains the shipped model (`tidings classify train`): the TF-IDF vocabulary, then a softmax regression by mini-batch
/// Adam with L2 on [TF-IDF ; embedding], the temperature on a calibration slice held out of a first fit, and a refit on
/// everything with that temperature. Deterministic for a given input (fixed seed), so a retrain is reviewable.
/// </summary>
public static class ClassifierTraining
{
    public sealed record Options(int Epochs = 25, double L2 = 1e-4, double LearningRate = 0.02, int Batch = 32,
        double ClassWeightPower = 0.5, int Seed = 13);

    public static ClassifierModel Train(IReadOnlyList<LabelledHeadline> rows, string version, Options options, TextWriter log, string? embeddingCache = null)
    {
        var clock = Stopwatch.StartNew();
        var classes = rows.Select(r => r.Gold).Distinct().Order(StringComparer.Ordinal).ToArray();
        var y = rows.Select(r => Array.IndexOf(classes, r.Gold)).ToArray();
        var texts = rows.Select(r => HeadlineClassifier.TextOf(r.Title!, r.Description)).ToList();
        var text = TextFeatures.Fit(texts);
        log.WriteLine($"{rows.Count} rows, {classes.Length} classes, {text.Size} text features ({clock.Elapsed.TotalSeconds:F0} s)");
        var embeddings = EmbedWithCache(texts, embeddingCache);
        log.WriteLine($"embedded ({clock.Elapsed.TotalSeconds:F0} s)");
        var mean = new float[MiniLmEmbedder.Dimensions];
        foreach (var e in embeddings)
            for (var d = 0; d < mean.Length; d++)
                mean[d] += e[d] / embeddings.Length;
        var features = texts.Select(t => text.Transform(t)).ToArray();

        // Every eighth row of each class, by position, calibrates the first fit's probabilities.
        var seen = new int[classes.Length];
        var calibration = y.Select(c => seen[c]++ % 8 == 7).ToArray();
        var fitRows = Enumerable.Range(0, rows.Count).Where(i => !calibration[i]).ToArray();
        var calibrationRows = Enumerable.Range(0, rows.Count).Where(i => calibration[i]).ToArray();
        var first = Fit(features, embeddings, y, fitRows, classes, text, options);
        var probe = new ClassifierModel { Version = version, Classes = classes, Text = text, Weights = first.W, Bias = first.B, Temperature = 1, EmbeddingMean = mean };
        var logits = calibrationRows.Select(i => { var z = new double[classes.Length]; probe.Logits(features[i], embeddings[i], z); return z; }).ToArray();
        var temperature = FitTemperature(logits, calibrationRows.Select(i => y[i]).ToArray());
        log.WriteLine($"temperature {temperature:F2} from {calibrationRows.Length} calibration rows ({clock.Elapsed.TotalSeconds:F0} s)");

        var all = Enumerable.Range(0, rows.Count).ToArray();
        var final = Fit(features, embeddings, y, all, classes, text, options);
        log.WriteLine($"trained ({clock.Elapsed.TotalSeconds:F0} s)");
        return new ClassifierModel { Version = version, Classes = classes, Text = text, Weights = final.W, Bias = final.B, Temperature = temperature, EmbeddingMean = mean };
    }

    /// <summary>Embeddings of the texts, read from the cache file when it holds exactly these texts', else computed and written there.</summary>
    private static float[][] EmbedWithCache(List<string> texts, string? cache)
    {
        var key = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(string.Join('\n', texts))));
        if (cache is not null && File.Exists(cache))
        {
            using var r = new BinaryReader(File.OpenRead(cache));
            if (r.ReadString() == key)
                return texts.Select(_ => Enumerable.Range(0, MiniLmEmbedder.Dimensions).Select(_ => r.ReadSingle()).ToArray()).ToArray();
        }
        var embeddings = MiniLmEmbedder.Shared.Embed(texts);
        if (cache is not null)
        {
            using var w = new BinaryWriter(File.Create(cache));
            w.Write(key);
            foreach (var e in embeddings)
                foreach (var v in e)
                    w.Write(v);
        }
        return embeddings;
    }

    private static (float[] W, float[] B) Fit(SparseVector[] x, float[][] embeddings, int[] y, int[] rows, string[] classes, TextFeatures text, Options o)
    {
        var (k, textSize) = (classes.Length, text.Size);
        var d = textSize + MiniLmEmbedder.Dimensions;
        var w = new float[k * d];
        var b = new float[k];
        // The model being fitted, over the very arrays the steps update: it scores a row as the shipped one will.
        var fitting = new ClassifierModel { Version = "", Classes = classes, Text = text, Weights = w, Bias = b, Temperature = 1, EmbeddingMean = [] };
        var mW = new float[k * d];
        var vW = new float[k * d];
        var mB = new double[k];
        var vB = new double[k];
        var counts = new int[k];
        foreach (var i in rows)
            counts[y[i]]++;
        // Rare classes (ipo, the categories we wrote examples for) weigh more, by a power of their rarity, scaled so the
        // average row still weighs one (the L2 penalty keeps its strength against the data).
        var present = counts.Count(c => c > 0);
        var classWeight = counts.Select(c => c == 0 ? 0 : Math.Pow((double)rows.Length / (present * c), o.ClassWeightPower)).ToArray();
        var scale = rows.Length / counts.Select((c, i) => c * classWeight[i]).Sum();
        for (var c = 0; c < k; c++)
            classWeight[c] *= scale;

        var order = rows.ToArray();
        var random = new Random(o.Seed);
        const double beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8;
        var step = 0;
        var gradient = new Dictionary<int, double[]>();
        var gDense = new double[k * MiniLmEmbedder.Dimensions];
        var gB = new double[k];
        var p = new double[k];
        for (var epoch = 0; epoch < o.Epochs; epoch++)
        {
            random.Shuffle(order);
            for (var start = 0; start < order.Length; start += o.Batch)
            {
                gradient.Clear();
                Array.Clear(gDense);
                Array.Clear(gB);
                var n = Math.Min(o.Batch, order.Length - start);
                for (var q = 0; q < n; q++)
                {
                    var i = order[start + q];
                    fitting.Logits(x[i], embeddings[i], p);
                    Softmax(p);
                    for (var c = 0; c < k; c++)
                        p[c] = classWeight[y[i]] * (p[c] - (c == y[i] ? 1 : 0)) / n;
                    for (var t = 0; t < x[i].Indices.Length; t++)
                    {
                        var row = Add(gradient, x[i].Indices[t], k);
                        for (var c = 0; c < k; c++)
                            row[c] += p[c] * x[i].Values[t];
                    }
                    for (var c = 0; c < k; c++)
                    {
                        var g = p[c];
                        gB[c] += g;
                        var dense = c * MiniLmEmbedder.Dimensions;
                        for (var e = 0; e < MiniLmEmbedder.Dimensions; e++)
                            gDense[dense + e] += g * embeddings[i][e] * ClassifierModel.EmbeddingScale;
                    }
                }
                step++;
                double c1 = 1 - Math.Pow(beta1, step), c2 = 1 - Math.Pow(beta2, step);
                foreach (var (f, g) in gradient)
                    for (var c = 0; c < k; c++)
                    {
                        var at = c * d + f;
                        var gg = g[c] + o.L2 * w[at];
                        mW[at] = (float)(beta1 * mW[at] + (1 - beta1) * gg);
                        vW[at] = (float)(beta2 * vW[at] + (1 - beta2) * gg * gg);
                        w[at] -= (float)(o.LearningRate * (mW[at] / c1) / (Math.Sqrt(vW[at] / c2) + epsilon));
                    }
                for (var c = 0; c < k; c++)
                    for (var e = 0; e < MiniLmEmbedder.Dimensions; e++)
                    {
                        var at = c * d + textSize + e;
                        var gg = gDense[c * MiniLmEmbedder.Dimensions + e] + o.L2 * w[at];
                        mW[at] = (float)(beta1 * mW[at] + (1 - beta1) * gg);
                        vW[at] = (float)(beta2 * vW[at] + (1 - beta2) * gg * gg);
                        w[at] -= (float)(o.LearningRate * (mW[at] / c1) / (Math.Sqrt(vW[at] / c2) + epsilon));
                    }
                for (var c = 0; c < k; c++)
                {
                    mB[c] = beta1 * mB[c] + (1 - beta1) * gB[c];
                    vB[c] = beta2 * vB[c] + (1 - beta2) * gB[c] * gB[c];
                    b[c] -= (float)(o.LearningRate * (mB[c] / c1) / (Math.Sqrt(vB[c] / c2) + epsilon));
                }
            }
        }
        return (w, b);
    }

    private static double[] Add(Dictionary<int, double[]> gradient, int feature, int k)
    {
        if (!gradient.TryGetValue(feature, out var row))
            gradient[feature] = row = new double[k];
        return row;
    }

    public static void Softmax(double[] z)
    {
        var max = z.Max();
        double sum = 0;
        for (var i = 0; i < z.Length; i++)
        {
            z[i] = double.IsNegativeInfinity(z[i]) ? 0 : Math.Exp(z[i] - max);
            sum += z[i];
        }
        for (var i = 0; i < z.Length; i++)
            z[i] /= sum;
    }

    /// <summary>The temperature that minimises the negative log-likelihood of the calibration rows (a grid over log T).</summary>
    public static double FitTemperature(double[][] logits, int[] y)
    {
        double best = 1, bestLoss = double.MaxValue;
        for (var logT = -3.0; logT <= 3; logT += 0.01)
        {
            var t = Math.Exp(logT);
            double loss = 0;
            for (var i = 0; i < y.Length; i++)
            {
                var p = logits[i].Select(v => v / t).ToArray();
                Softmax(p);
                loss -= Math.Log(Math.Max(p[y[i]], 1e-12));
            }
            if (loss < bestLoss)
                (bestLoss, best) = (loss, t);
        }
        return best;
    }
}
