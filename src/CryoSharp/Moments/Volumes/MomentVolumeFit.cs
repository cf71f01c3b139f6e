using System.Diagnostics;
using CryoSharp.Imaging;
using CryoSharp.Moments.Images;
using CryoSharp.Numerics;
using CryoSharp.Numerics.Optimization;

namespace CryoSharp.Moments.Volumes;

/// <summary>
/// The classical baseline of the 3D method of moments: the voxels of a <see cref="VolumeMomentModel"/> and its
/// view logits fitted to the image moments by L-BFGS from several random starts, marching in frequency, the best
/// kept by loss. A start is
/// a few Gaussian blobs inside half the particle radius, scaled so that the trace of its M² equals that of M̂² (the
/// power of the images), with uniform views; starts are drawn from <see cref="MomentFitOptions.Seeds"/>, one child
/// per start, so a fit is reproducible.
/// </summary>
public static class MomentVolumeFit
{
    /// <summary>
    /// Fits a map and view density to <paramref name="moments"/>: each start marches in frequency, fitting the moments
    /// restricted to radius R·s/S for stage s = 1…S (a model of its own, 2r + 4 voxels a side), each stage starting
    /// from the last one's voxels (Fourier resampled) and view logits, the last stage on the full moments.
    /// </summary>
    public static MomentFitResult Fit(ImageMoments moments, ViewQuadrature quadrature, MomentFitOptions options, ComputeContext? context = null,
        IProgress<MomentFitProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(moments);
        ArgumentNullException.ThrowIfNull(quadrature);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        int radius = moments.Basis.RadiusPx, stages = Math.Min(options.Stages, radius);
        var models = new VolumeMomentModel[stages];
        var targets = new MomentTarget[stages];
        double[]? uniform = options.UniformViews ? [.. Enumerable.Repeat(1.0 / quadrature.Directions, quadrature.Directions)] : null;
        for (int s = 0; s < stages; s++)
        {
            int r = s == stages - 1 ? radius : Math.Max(1, (int)Math.Round(radius * (s + 1.0) / stages));
            var restricted = moments.Restrict(r);
            models[s] = new VolumeMomentModel(restricted.Basis, quadrature, s == stages - 1 ? options.ModelBox : null, context, options.Oversampling, options.SupportRadiusA);
            targets[s] = MomentTarget.From(restricted, options.Lambda, uniform);
        }

        var clock = Stopwatch.StartNew();
        var starts = new List<MomentFitStart>();
        double[]? best = null;
        double bestLoss = double.PositiveInfinity;
        int bestStart = -1;
        var final = models[^1];
        for (int start = 0; start < options.Restarts; start++)
        {
            var x = Start(models[0], targets[0], options.Seeds.Spawn("start", start));
            var history = new List<double>();
            LbfgsResult? result = null;
            int evaluations = 0;
            for (int s = 0; s < stages; s++)
            {
                if (s > 0)
                {
                    x = Transfer(models[s - 1], x, models[s]);
                }

                var model = models[s];
                var target = targets[s];
                double running = double.PositiveInfinity;
                int stage = s;
                result = Lbfgs.Minimize((p, g) =>
                {
                    double f = model.Loss(p, g, target);
                    evaluations++;
                    running = Math.Min(running, f);
                    if (evaluations % 10 == 0)
                    {
                        if (stage == stages - 1)
                        {
                            history.Add(running);
                        }

                        progress?.Report(new MomentFitProgress(start, stage, evaluations, running));
                    }

                    return f;
                }, x, new LbfgsOptions { MaxIterations = s == stages - 1 ? options.MaxIterations : Math.Max(50, options.MaxIterations / 3), GradientTolerance = 1e-12, FunctionTolerance = 1e-12, Memory = 20 });
                x = result.Minimizer;
            }

            final.Loss(x, [], targets[^1]);
            starts.Add(new MomentFitStart(start, result!.Value, final.FirstError, final.SecondError, result.Iterations, result.StopReason, [.. history]));
            if (result.Value < bestLoss)
            {
                bestLoss = result.Value;
                best = x;
                bestStart = start;
            }
        }

        final.Loss(best!, [], targets[^1]);
        var weights = uniform ?? final.DirectionWeights(best);
        return new MomentFitResult(final, best!, bestLoss, bestStart, starts, weights, final.FirstError, final.SecondError, clock.Elapsed.TotalSeconds);
    }

    /// <summary>The parameters of <paramref name="from"/> on <paramref name="to"/>'s grid: voxels Fourier resampled (same density), logits kept.</summary>
    public static double[] Transfer(VolumeMomentModel from, double[] parameters, VolumeMomentModel to)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        ArgumentNullException.ThrowIfNull(parameters);
        var next = new double[to.ParameterCount];
        var coarse = Volume.Cube(from.ModelBox, from.VoxelSizeA);
        var values = from.Voxels(parameters);
        for (int i = 0; i < values.Length; i++)
        {
            coarse.Data[i] = (float)values[i];
        }

        var fine = FourierResampling.Resample(coarse, to.ModelBox);
        to.SetVoxels([.. fine.Data.Select(v => (double)v)], next);
        parameters.AsSpan(from.VoxelCount).CopyTo(next.AsSpan(to.VoxelCount));
        return next;
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
    /// <summary>Frequency-marching stages (1: the full moments from the start).</summary>
    public int Stages { get; init; } = 3;

    /// <summary>λ, the weight of the second moment's error.</summary>
    public double Lambda { get; init; } = 1;

    /// <summary>Fix the view density to uniform instead of fitting it.</summary>
    public bool UniformViews { get; init; }

    /// <summary>Oversampling of the model's Fourier grid (<see cref="VolumeMomentModel"/>).</summary>
    public int Oversampling { get; init; } = 2;

    /// <summary>Radius in Å of the sphere the density may occupy (null: the model box's).</summary>
    public double? SupportRadiusA { get; init; }

    /// <summary>Voxels per side of the final model (null: <see cref="VolumeMomentModel"/>'s default).</summary>
    public int? ModelBox { get; init; }

    /// <summary>Refuses settings that cannot run.</summary>
    public void Validate()
    {
        if (Restarts < 1)
        {
            throw new InvalidParameterException("--restarts", Restarts, "must be at least 1");
        }

        if (MaxIterations < 1)
        {
            throw new InvalidParameterException("--max-iterations", MaxIterations, "must be at least 1");
        }

        if (Stages < 1 || Stages > 10)
        {
            throw new InvalidParameterException("--stages", Stages, "must be between 1 and 10");
        }

        if (!(Lambda > 0) || double.IsInfinity(Lambda))
        {
            throw new InvalidParameterException("--lambda", Lambda, "must be a positive number");
        }
    }

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
/// <param name="Model">The model of the last stage (its parameters are <paramref name="Parameters"/>).</param>
/// <param name="Parameters">The best start's parameters (voxels, then logits).</param>
/// <param name="Loss">Its loss.</param>
/// <param name="BestStart">Which start it was.</param>
/// <param name="Starts">Every start.</param>
/// <param name="DirectionWeights">The fitted (or fixed) weight of every quadrature direction.</param>
/// <param name="FirstError">‖M¹ − M̂¹‖.</param>
/// <param name="SecondError">‖M² − M̂²‖.</param>
/// <param name="Seconds">Time of the whole fit.</param>
public sealed record MomentFitResult(VolumeMomentModel Model, double[] Parameters, double Loss, int BestStart, IReadOnlyList<MomentFitStart> Starts, double[] DirectionWeights,
    double FirstError, double SecondError, double Seconds);

/// <summary>Progress of a fit.</summary>
/// <param name="Start">The start running.</param>
/// <param name="Stage">Its frequency-marching stage.</param>
/// <param name="Evaluations">Loss evaluations so far in it.</param>
/// <param name="Loss">Its best loss so far.</param>
public readonly record struct MomentFitProgress(int Start, int Stage, int Evaluations, double Loss);
