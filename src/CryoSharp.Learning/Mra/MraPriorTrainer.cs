using System.Diagnostics;
using System.Text.Json;
using CryoSharp.Moments;
using TorchSharp;
using static TorchSharp.torch;

namespace CryoSharp.Learning.Mra;

/// <summary>
/// Supervised training of the <see cref="MraMomentEncoder"/> (Khoo, Paul and Sharon 2023): synthetic instances split
/// into training, validation (a tenth, at least 100) and test (as many) sets, Adam with the learning rate divided by 10
/// after half and after three quarters of the epochs, the shift-invariant loss of <see cref="MraOrbitErrors"/>; the
/// weights of the epoch with the best validation errors are kept and scored on the test set. The model is written as
/// PATH (weights) and PATH.json (architecture, training settings and test errors), both through temporary files.
/// </summary>
public static class MraPriorTrainer
{
    /// <summary>Trains and writes the model.</summary>
    public static MraPriorTrainingResult Train(MraPriorTrainingOptions options, IProgress<MraPriorEpoch>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);
        TorchRuntime.Initialise(options.Threads);
        var clock = Stopwatch.StartNew();
        int train = options.TrainCount, held = Math.Max(100, train / 10), l = options.Length;
        var examples = MraPriorExamples.Create(train + (2 * held), l, options.Mixtures, options.Observations, options.Sigma, options.Seeds.Spawn("instances"),
            options.Threads, options.MinimumWidth, options.GridCentres);
        double dataSeconds = clock.Elapsed.TotalSeconds;
        clock.Restart();

        using var x1 = TensorConversion.FromFloats(examples.FirstMoments, examples.Count, l);
        using var x2 = TensorConversion.FromFloats(examples.SecondMoments, examples.Count, l, l);
        using var v = TensorConversion.FromFloats(examples.Signals, examples.Count, l);
        using var r = TensorConversion.FromFloats(examples.Rhos, examples.Count, l);
        TorchRuntime.Seed(options.Seeds.Spawn("weights"));
        var shape = new MraEncoderShape(l, options.Channels, options.Window, options.Hidden, options.BranchChannels, options.TrunkLayers);
        using var model = new MraMomentEncoder(shape);
        using var optimizer = new HeldScalarAdam(model.parameters(), options.LearningRate);
        var order = options.Seeds.Spawn("minibatches").CreateStream();
        var indices = new long[train];
        for (int i = 0; i < train; i++)
        {
            indices[i] = i;
        }

        var curve = new List<MraPriorEpoch>();
        string best = options.Output + ".best.tmp";
        double bestScore = double.PositiveInfinity;
        int bestEpoch = 0;
        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            double rate = options.LearningRate * (epoch > options.Epochs / 2 ? 0.1 : 1) * (epoch > 3 * options.Epochs / 4 ? 0.1 : 1);
            optimizer.LearningRate = rate;

            if (options.FreshInstances && epoch > 1)
            {
                var fresh = MraPriorExamples.Create(train, l, options.Mixtures, options.Observations, options.Sigma,
                    options.Seeds.Spawn("fresh instances", epoch), options.Threads, options.MinimumWidth, options.GridCentres);
                Replace(x1, fresh.FirstMoments, train, l);
                Replace(x2, fresh.SecondMoments, train, l, l);
                Replace(v, fresh.Signals, train, l);
                Replace(r, fresh.Rhos, train, l);
            }

            Shuffle(indices, order);
            model.train();
            double lossSum = 0;
            int batches = 0;
            for (int start = 0; start < train; start += options.BatchSize)
            {
                using var scope = NewDisposeScope();
                int count = Math.Min(options.BatchSize, train - start);
                var batch = tensor(indices[start..(start + count)]);
                optimizer.ZeroGrad();
                var (signal, rho) = model.call(x1.index_select(0, batch), x2.index_select(0, batch));
                var loss = MraOrbitErrors.Loss(signal, rho, v.index_select(0, batch), r.index_select(0, batch));
                loss.backward();
                optimizer.Step();
                lossSum += loss.item<float>();
                batches++;
            }

            var (validationSignal, validationRho) = Evaluate(model, x1, x2, v, r, train, held);
            var record = new MraPriorEpoch(epoch, options.Epochs, lossSum / batches, validationRho, validationSignal, clock.Elapsed.TotalSeconds);
            curve.Add(record);
            progress?.Report(record);
            if (validationRho + validationSignal < bestScore)
            {
                bestScore = validationRho + validationSignal;
                bestEpoch = epoch;
                model.save(best);
            }
        }

        model.load(best);
        var (testSignal, testRho) = Evaluate(model, x1, x2, v, r, train + held, held);
        double trainSeconds = clock.Elapsed.TotalSeconds;
        var result = new MraPriorTrainingResult(testRho, testSignal, bestEpoch, curve, dataSeconds, trainSeconds, options.Output);
        var settings = new MraPriorModelFile(MraPriorModelFile.FormatName, shape.Length, shape.Channels, shape.Window, shape.Hidden, options.Mixtures,
            options.Observations, options.Sigma, options.TrainCount, options.Epochs, bestEpoch, testRho, testSignal, options.FreshInstances,
            shape.BranchChannels, shape.TrunkLayers, options.MinimumWidth, options.GridCentres);
        string weights = options.Output + ".tmp", json = options.Output + ".json.tmp";
        File.Move(best, weights, overwrite: true);
        File.WriteAllText(json, JsonSerializer.Serialize(settings, MraPriorModelFile.JsonOptions));
        File.Move(weights, options.Output, overwrite: true);
        File.Move(json, options.Output + ".json", overwrite: true);
        return result;
    }

    /// <summary>Mean (signal error, ρ error) of instances first…first + count.</summary>
    internal static (double Signal, double Rho) Evaluate(MraMomentEncoder model, Tensor x1, Tensor x2, Tensor v, Tensor r, int first, int count)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        model.eval();
        var (signal, rho) = model.call(x1.narrow(0, first, count), x2.narrow(0, first, count));
        var (signalError, rhoError) = MraOrbitErrors.Errors(signal, rho, v.narrow(0, first, count), r.narrow(0, first, count));
        return (signalError.mean().item<float>(), rhoError.mean().item<float>());
    }

    /// <summary>Overwrites the first rows of <paramref name="target"/> (the training set) with <paramref name="values"/>.</summary>
    private static void Replace(Tensor target, float[] values, params long[] shape)
    {
        using var rows = TensorConversion.FromFloats(values, shape);
        using var view = target.narrow(0, 0, shape[0]);
        view.copy_(rows);
    }

    private static void Shuffle(long[] values, CryoSharp.Numerics.RandomStream random)
    {
        for (int i = values.Length - 1; i > 0; i--)
        {
            int j = (int)(random.NextDouble() * (i + 1));
            (values[i], values[j]) = (values[j], values[i]);
        }
    }

    private static void Validate(MraPriorTrainingOptions o)
    {
        if (o.Mixtures is < 1 or > 3)
        {
            throw new InvalidParameterException("--mixtures", o.Mixtures, "must be 1, 2 or 3");
        }

        if (o.Length is < 5 or > 257)
        {
            throw new InvalidParameterException("--length", o.Length, "must be between 5 and 257");
        }

        if (o.TrainCount < 10)
        {
            throw new InvalidParameterException("--train", o.TrainCount, "must be at least 10");
        }

        if (o.Epochs < 1)
        {
            throw new InvalidParameterException("--epochs", o.Epochs, "must be at least 1");
        }

        if (o.BatchSize < 1)
        {
            throw new InvalidParameterException("--batch-size", o.BatchSize, "must be at least 1");
        }

        if (!(o.LearningRate > 0))
        {
            throw new InvalidParameterException("--learning-rate", o.LearningRate, "must be positive");
        }

        if (o.Observations < 1)
        {
            throw new InvalidParameterException("--observations", o.Observations, "must be at least 1");
        }

        if (!(o.Sigma >= 0) || double.IsInfinity(o.Sigma))
        {
            throw new InvalidParameterException("--sigma", o.Sigma, "must be finite and not negative");
        }

        if (!(o.MinimumWidth >= 0) || o.MinimumWidth > o.Length / 4.0)
        {
            throw new InvalidParameterException("--minimum-width", o.MinimumWidth, $"must be between 0 and a quarter of the length ({o.Length / 4.0} samples)");
        }

        if (o.BranchChannels < 1)
        {
            throw new InvalidParameterException("--branch-channels", o.BranchChannels, "must be at least 1");
        }

        if (o.TrunkLayers < 1)
        {
            throw new InvalidParameterException("--trunk-layers", o.TrunkLayers, "must be at least 1");
        }

        if (o.Window % 2 == 0 || o.Window < 1 || o.Window > o.Length)
        {
            throw new InvalidParameterException("--window", o.Window, $"must be odd and at most the length {o.Length}");
        }
    }
}
