using System.Diagnostics;
using System.Text.Json;
using CryoSharp.Numerics;
using CryoSharp.Poses;
using TorchSharp;
using static TorchSharp.torch;

namespace CryoSharp.Learning.Poses;

/// <summary>
/// Trains the Siamese distance encoder: each step takes a batch of images of one map, embeds them, and fits
/// ‖f(pᵢ) − f(pⱼ)‖ to the true angle d_q(qᵢ, qⱼ) over every pair in the batch (mean squared error, Adam). The epoch with
/// the lowest loss on held-out images (of the same maps) is kept.
/// </summary>
public static class DistanceTrainer
{
    /// <summary>JSON of the model description.</summary>
    public static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>Trains and writes the weights and their description.</summary>
    public static DistanceTrainingResult Train(DistanceTrainingOptions options, IProgress<DistanceTrainingEpoch>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);
        TorchRuntime.Initialise(options.Threads);
        var clock = Stopwatch.StartNew();
        int box = options.Box;
        var images = new List<Tensor>();
        var quaternions = new List<Tensor>();
        var trainCounts = new List<int>();
        foreach (var set in options.Sets)
        {
            images.Add(TensorConversion.FromFloats(set.Images, set.Count, box, box));
            var q = new float[4 * set.Count];
            for (int i = 0; i < set.Count; i++)
            {
                (q[4 * i], q[(4 * i) + 1], q[(4 * i) + 2], q[(4 * i) + 3]) = ((float)set.Orientations[i].W, (float)set.Orientations[i].X, (float)set.Orientations[i].Y, (float)set.Orientations[i].Z);
            }

            quaternions.Add(TensorConversion.FromFloats(q, set.Count, 4));
            trainCounts.Add(set.Count - Math.Max(2, (int)(options.ValidationFraction * set.Count)));
        }

        TorchRuntime.Seed(options.Seeds.Spawn("weights"));
        using var model = new SiameseEncoder(options.Channels, options.EmbeddingDimension);
        using var optimizer = new HeldScalarAdam(model.parameters(), options.LearningRate);
        var random = options.Seeds.Spawn("batches").CreateStream();
        int batch = options.BatchSize, totalTrain = trainCounts.Sum(), steps = Math.Max(1, totalTrain / batch);
        var curve = new List<DistanceTrainingEpoch>();
        string best = options.Output + ".best.tmp";
        double bestLoss = double.PositiveInfinity, bestError = double.NaN;
        int bestEpoch = 0;
        var picks = new long[batch];
        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            double rate = options.LearningRate * (epoch > options.Epochs / 2 ? 0.1 : 1) * (epoch > 3 * options.Epochs / 4 ? 0.1 : 1);
            optimizer.LearningRate = rate;

            model.train();
            double lossSum = 0;
            for (int step = 0; step < steps; step++)
            {
                using var scope = NewDisposeScope();

                // A set in proportion to its training images, then images of it drawn at random.
                int s = 0;
                for (int r = random.NextInt(totalTrain); r >= trainCounts[s]; s++)
                {
                    r -= trainCounts[s];
                }

                int n = trainCounts[s], m = Math.Min(batch, n);
                for (int k = 0; k < m; k++)
                {
                    picks[k] = random.NextInt(n);
                }

                var index = tensor(picks[..m]);
                optimizer.ZeroGrad();
                var loss = PairLoss(model, images[s].index_select(0, index), quaternions[s].index_select(0, index), options.Chordal).Loss;
                loss.backward();
                optimizer.Step();
                lossSum += loss.item<float>();
            }

            var (validationLoss, validationError) = Validate(model, images, quaternions, trainCounts, options.Chordal);
            var record = new DistanceTrainingEpoch(epoch, options.Epochs, lossSum / steps, validationLoss, validationError, clock.Elapsed.TotalSeconds);
            curve.Add(record);
            progress?.Report(record);
            if (validationLoss < bestLoss)
            {
                (bestLoss, bestError, bestEpoch) = (validationLoss, validationError, epoch);
                model.save(best);
            }
        }

        long parameters = model.ParameterCount;
        foreach (var t in images.Concat(quaternions))
        {
            t.Dispose();
        }

        var description = new DistanceModelFile(DistanceModelFile.FormatName, box, options.PixelSizeA, options.Channels, options.EmbeddingDimension,
            [.. options.Sets.Select(s => s.Name)], bestEpoch, bestError, options.Chordal);
        string weights = options.Output + ".tmp", json = options.Output + ".json.tmp";
        File.Move(best, weights, overwrite: true);
        File.WriteAllText(json, JsonSerializer.Serialize(description, JsonOptions));
        File.Move(weights, options.Output, overwrite: true);
        File.Move(json, options.Output + ".json", overwrite: true);
        return new DistanceTrainingResult(curve, bestEpoch, bestError, parameters, clock.Elapsed.TotalSeconds, options.Output);
    }

    /// <summary>The description beside a weights file.</summary>
    public static DistanceModelFile Describe(string modelPath)
    {
        string json = modelPath + ".json";
        if (!File.Exists(modelPath))
        {
            throw new InvalidFileException(modelPath, "no such distance network");
        }

        if (!File.Exists(json))
        {
            throw new InvalidFileException(json, "is missing: a distance network's weights need their description beside them");
        }

        var file = JsonSerializer.Deserialize<DistanceModelFile>(File.ReadAllText(json), JsonOptions);
        return file is { Format: DistanceModelFile.FormatName } ? file : throw new InvalidFileException(json, $"is not a {DistanceModelFile.FormatName} description");
    }

    /// <summary>Embeddings of prepared images with a saved network.</summary>
    public static float[] Embed(string modelPath, float[] images, int count, int threads)
    {
        ArgumentNullException.ThrowIfNull(images);
        var file = Describe(modelPath);
        TorchRuntime.Initialise(threads);
        using var model = new SiameseEncoder(file.Channels, file.EmbeddingDimension);
        model.load(modelPath);
        model.eval();
        int length = file.Box * file.Box;
        if (images.Length != (long)count * length)
        {
            throw new ArgumentException($"Expected {count} images of {file.Box}² pixels.");
        }

        var result = new float[(long)count * file.EmbeddingDimension];
        const int Chunk = 512;
        using var noGrad = no_grad();
        for (int start = 0; start < count; start += Chunk)
        {
            using var scope = NewDisposeScope();
            int n = Math.Min(Chunk, count - start);
            var chunk = new float[n * length];
            Array.Copy(images, (long)start * length, chunk, 0, chunk.Length);
            var e = TensorConversion.ToFloats(model.call(TensorConversion.FromFloats(chunk, n, file.Box, file.Box)));
            Array.Copy(e, 0, result, (long)start * file.EmbeddingDimension, e.Length);
        }

        return result;
    }

    /// <summary>
    /// Mean squared residual (of the angle, or of the chord) and mean absolute residual of the angle (°) over every pair
    /// of a batch.
    /// </summary>
    private static (Tensor Loss, Tensor AbsoluteDeg) PairLoss(SiameseEncoder model, Tensor batchImages, Tensor batchQuaternions, bool chordal)
    {
        var e = model.call(batchImages);
        long n = e.shape[0];
        var pairs = triu_indices(n, n, 1);
        var first = pairs[0];
        var second = pairs[1];
        var difference = e.index_select(0, first) - e.index_select(0, second);

        // The small constant keeps the gradient of the norm finite when two embeddings coincide.
        var dp = (difference.square().sum(1) + Constants.Epsilon).sqrt();
        var dot = (batchQuaternions.index_select(0, first) * batchQuaternions.index_select(0, second)).sum(1).abs().clamp(Constants.Zero, Constants.One);
        var dq = dot.acos() * Constants.Two;
        if (chordal)
        {
            var chord = (dq * Constants.Half).sin() * Constants.TwoRootTwo;
            var angle = (dp.detach() / Constants.TwoRootTwo).clamp(Constants.Zero, Constants.One).asin() * Constants.Two;
            return ((dp - chord).square().mean(), (angle - dq).abs().mean() * Constants.Degrees);
        }

        var residual = dp - dq;
        return (residual.square().mean(), residual.abs().mean() * Constants.Degrees);
    }

    private static (double Loss, double ErrorDeg) Validate(SiameseEncoder model, List<Tensor> images, List<Tensor> quaternions, List<int> trainCounts, bool chordal)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        model.eval();
        double loss = 0, error = 0;
        for (int s = 0; s < images.Count; s++)
        {
            long held = images[s].shape[0] - trainCounts[s];
            long take = Math.Min(held, 256);
            var (l, a) = PairLoss(model, images[s].narrow(0, trainCounts[s], take), quaternions[s].narrow(0, trainCounts[s], take), chordal);
            loss += l.item<float>();
            error += a.item<float>();
        }

        return (loss / images.Count, error / images.Count);
    }

    private static void Validate(DistanceTrainingOptions o)
    {
        if (o.Sets.Count == 0)
        {
            throw new InvalidParameterException("--maps", 0, "give at least one map to train on");
        }

        InvalidParameterException.ThrowIfNotPositive("--epochs", o.Epochs);
        InvalidParameterException.ThrowIfNotPositive("--learning-rate", o.LearningRate);
        if (o.BatchSize < 2)
        {
            throw new InvalidParameterException("--batch-size", o.BatchSize, "must be at least 2 (pairs are drawn within a batch)");
        }

        foreach (var set in o.Sets)
        {
            if (set.Count < 20)
            {
                throw new InvalidParameterException("--count", set.Count, "must be at least 20 images per map");
            }
        }
    }

    // Scalars held for the process's life: an implicit double → Scalar conversion makes a Scalar that the garbage
    // collector may finalise while libtorch still reads it (see HeldSlopeLeakyRelu).
    private static class Constants
    {
        public static readonly Scalar Epsilon = 1e-8.ToScalar();
        public static readonly Scalar Zero = 0.0.ToScalar();
        public static readonly Scalar Half = 0.5.ToScalar();
        public static readonly Scalar One = 1.0.ToScalar();
        public static readonly Scalar Two = 2.0.ToScalar();
        public static readonly Scalar TwoRootTwo = (2 * Math.Sqrt(2)).ToScalar();
        public static readonly Scalar Degrees = (180 / Math.PI).ToScalar();
    }
}
