using System.Diagnostics;
using CryoSharp.Numerics;
using CryoSharp.Numerics.Optimization;

namespace CryoSharp.Moments.Volumes;

/// <summary>
/// The classical baseline of the 3D method of moments: the voxels of a <see cref="VolumeMomentModel"/> and its
/// view logits fitted to the image moments by L-BFGS from several random starts, the best kept by loss. A start is
/// a few Gaussian blobs inside half the particle radius, scaled so that the trace of its M² equals that of M̂² (the
/// power of the images), with uniform views; starts are drawn from <see cref="MomentFitOptions.Seeds"/>, one child
/// per start, so a fit is reproducible.
/// </summary>
public static class MomentVolumeFit
{
    /// <summary>Fits the model to the target.</summary>
    public static MomentFitResult Fit(VolumeMomentModel model, MomentTarget target, MomentFitOptions options, IProgress<MomentFitProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Restarts < 1)
        {
            throw new InvalidParameterException("--restarts", options.Restarts, "must be at least 1");
        }

        if (options.MaxIterations < 1)
        {
            throw new InvalidParameterException("--max-iterations", options.MaxIterations, "must be at least 1");
        }

        var clock = Stopwatch.StartNew();
        var starts = new List<MomentFitStart>();
        double[]? best = null;
        double bestLoss = double.PositiveInfinity;
        int bestStart = -1;
        for (int start = 0; start < options.Restarts; start++)
        {
            var x0 = Start(model, target, options.Seeds.Spawn("start", start));
            var history = new List<double>();
            double running = double.PositiveInfinity;
            int evaluations = 0;
            var result = Lbfgs.Minimize((x, g) =>
            {
                double f = model.Loss(x, g, target);
                evaluations++;
                if (f < running)
                {
                    running = f;
                }

                if (evaluations % 10 == 0)
                {
                    history.Add(running);
                    progress?.Report(new MomentFitProgress(start, evaluations, running));
                }

                return f;
            }, x0, new LbfgsOptions { MaxIterations = options.MaxIterations, GradientTolerance = 1e-12, FunctionTolerance = 1e-12, Memory = 20 });
            model.Loss(result.Minimizer, [], target);
            starts.Add(new MomentFitStart(start, result.Value, model.FirstError, model.SecondError, result.Iterations, result.StopReason, [.. history]));
            if (result.Value < bestLoss)
            {
                bestLoss = result.Value;
                best = result.Minimizer;
                bestStart = start;
            }
        }

        model.Loss(best!, [], target);
        var weights = target.FixedDirectionWeights ?? model.DirectionWeights(best);
        return new MomentFitResult(best!, bestLoss, bestStart, starts, weights, model.FirstError, model.SecondError, clock.Elapsed.TotalSeconds);
    }

    /// <summary>A random start: blobs, uniform view logits, scaled to the target's power.</summary>
    public static double[] Start(VolumeMomentModel model, MomentTarget target, SeedSequence seeds)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(seeds);
        var random = seeds.CreateStream();
        int n = model.ModelBox;
        var volume = new double[n * n * n];
        double reach = n / 4.0, width = n / 10.0;
        for (int blob = 0; blob < 8; blob++)
        {
            double cx, cy, cz;
            do
            {
                cx = ((2 * random.NextDouble()) - 1) * reach;
                cy = ((2 * random.NextDouble()) - 1) * reach;
                cz = ((2 * random.NextDouble()) - 1) * reach;
            }
            while ((cx * cx) + (cy * cy) + (cz * cz) > reach * reach);

            double height = 0.5 + random.NextDouble();
            for (int z = 0; z < n; z++)
            {
                for (int y = 0; y < n; y++)
                {
                    for (int x = 0; x < n; x++)
                    {
                        double dx = x - (n / 2) - cx, dy = y - (n / 2) - cy, dz = z - (n / 2) - cz;
                        volume[(((z * n) + y) * n) + x] += height * Math.Exp(-((dx * dx) + (dy * dy) + (dz * dz)) / (2 * width * width));
                    }
                }
            }
        }

        var parameters = new double[model.ParameterCount];
        model.SetVoxels(volume, parameters);
        var (_, second) = model.Moments(parameters, target);
        int d = model.Basis.Dimension;
        double modelTrace = 0, dataTrace = 0;
        for (int a = 0; a < d; a++)
        {
            modelTrace += second[(a * d) + a];
            dataTrace += target.Second[(a * d) + a];
        }

        double scale = modelTrace > 0 && dataTrace > 0 ? Math.Sqrt(dataTrace / modelTrace) : 1;
        if (target.First[0] < 0)
        {
            scale = -scale;
        }

        for (int i = 0; i < model.VoxelCount; i++)
        {
            parameters[i] *= scale;
        }

        return parameters;
    }
}

/// <summary>Settings of <see cref="MomentVolumeFit"/>.</summary>
public sealed record MomentFitOptions
{
    /// <summary>Random starts.</summary>
    public int Restarts { get; init; } = 4;

    /// <summary>L-BFGS iterations per start.</summary>
    public int MaxIterations { get; init; } = 1500;

    /// <summary>Where the starts come from.</summary>
    public required SeedSequence Seeds { get; init; }
}

/// <summary>One start of a fit.</summary>
/// <param name="Start">Its number.</param>
/// <param name="Loss">The final loss.</param>
/// <param name="FirstError">‖M¹ − M̂¹‖ at the end.</param>
/// <param name="SecondError">‖M² − M̂²‖ at the end.</param>
/// <param name="Iterations">L-BFGS iterations.</param>
/// <param name="StopReason">Why it stopped.</param>
/// <param name="History">The best loss so far after every 10 evaluations.</param>
public sealed record MomentFitStart(int Start, double Loss, double FirstError, double SecondError, int Iterations, string StopReason, double[] History);

/// <summary>What a fit found.</summary>
/// <param name="Parameters">The best start's parameters (voxels, then logits).</param>
/// <param name="Loss">Its loss.</param>
/// <param name="BestStart">Which start it was.</param>
/// <param name="Starts">Every start.</param>
/// <param name="DirectionWeights">The fitted (or fixed) weight of every quadrature direction.</param>
/// <param name="FirstError">‖M¹ − M̂¹‖.</param>
/// <param name="SecondError">‖M² − M̂²‖.</param>
/// <param name="Seconds">Time of the whole fit.</param>
public sealed record MomentFitResult(double[] Parameters, double Loss, int BestStart, IReadOnlyList<MomentFitStart> Starts, double[] DirectionWeights,
    double FirstError, double SecondError, double Seconds);

/// <summary>Progress of a fit.</summary>
/// <param name="Start">The start running.</param>
/// <param name="Evaluations">Loss evaluations so far in it.</param>
/// <param name="Loss">Its best loss so far.</param>
public readonly record struct MomentFitProgress(int Start, int Evaluations, double Loss);
