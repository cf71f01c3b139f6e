using System.Diagnostics;
using CryoSharp.Geometry;
using CryoSharp.Numerics;

namespace CryoSharp.Poses;

/// <summary>
/// Recovers orientations from pairwise distances (Banjac, Donati and Defferrard): minimises
/// L = mean over pairs of (d_p(i, j) − d_q(q̂ᵢ, q̂ⱼ))² over unit quaternions by Adam on minibatches of pairs, each step
/// a Riemannian one (the gradient projected onto the sphere's tangent plane, the quaternion renormalised after it) and
/// lazy (only the particles a batch touches move, so a step costs the batch, not N). q and −q are one rotation: d_q
/// uses |⟨q̂ᵢ, q̂ⱼ⟩|. Several random starts run side by side and the lowest final loss wins. The loss depends on the
/// orientations only through relative angles, so the result is defined up to Rᵢ → A·Rᵢ·B (and inversion, and the
/// mirror image): <see cref="PoseAlignment"/> finds A and B against a truth.
/// </summary>
public static class QuaternionPoseRecovery
{
    private const double Beta1 = 0.9, Beta2 = 0.999, Epsilon = 1e-8;

    /// <summary>Fits orientations to <paramref name="pairs"/>. Progress is the number of epochs done, over all restarts.</summary>
    public static PoseRecoveryResult Run(PairSet pairs, PoseRecoveryOptions options, IProgress<long>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        ArgumentNullException.ThrowIfNull(options);
        InvalidParameterException.ThrowIfNotPositive("--epochs", options.Epochs);
        InvalidParameterException.ThrowIfNotPositive("--batch-size", options.BatchSize);
        InvalidParameterException.ThrowIfNotPositive("--restarts", options.Restarts);
        InvalidParameterException.ThrowIfNotPositive("--learning-rate", options.LearningRate);
        if (pairs.Count == 0)
        {
            throw new InvalidParameterException("pairs", 0, "pose recovery needs at least one pair");
        }

        if (options.Start is { } start && start.Count != pairs.Particles)
        {
            throw new ArgumentException($"The start has {start.Count} orientations for {pairs.Particles} particles.");
        }

        var clock = Stopwatch.StartNew();
        var fits = new (double[] Q, double Loss, double[] Curve)[options.Restarts];
        long done = 0;
        Parallel.For(0, options.Restarts, options.Context.ParallelOptions, r =>
        {
            fits[r] = Fit(pairs, options, options.Seeds.Spawn("restart", r), () => progress?.Report(Interlocked.Increment(ref done)));
        });

        int best = 0;
        for (int r = 1; r < fits.Length; r++)
        {
            if (fits[r].Loss < fits[best].Loss)
            {
                best = r;
            }
        }

        var q = fits[best].Q;
        var orientations = new UnitQuaternion[pairs.Particles];
        for (int i = 0; i < orientations.Length; i++)
        {
            orientations[i] = new UnitQuaternion(q[4 * i], q[(4 * i) + 1], q[(4 * i) + 2], q[(4 * i) + 3]);
        }

        return new PoseRecoveryResult(orientations, fits[best].Loss, fits[best].Curve, [.. fits.Select(f => f.Loss)], best, clock.Elapsed.TotalSeconds);
    }

    /// <summary>Mean of (d_p − d_q)² over every pair for orientations stored four doubles each.</summary>
    public static double Loss(PairSet pairs, ReadOnlySpan<double> q)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        double sum = 0;
        for (int p = 0; p < pairs.Count; p++)
        {
            double r = QuaternionGeometry.Distance(q.Slice(4 * pairs.First[p], 4), q.Slice(4 * pairs.Second[p], 4)) - pairs.Distances[p];
            sum += r * r;
        }

        return sum / pairs.Count;
    }

    private static (double[] Q, double Loss, double[] Curve) Fit(PairSet pairs, PoseRecoveryOptions options, SeedSequence seeds, Action epochDone)
    {
        int n = pairs.Particles, count = pairs.Count, batch = Math.Min(options.BatchSize, count);
        var random = seeds.CreateStream();
        var q = new double[4 * n];
        for (int i = 0; i < n; i++)
        {
            if (options.Start is { } start)
            {
                (q[4 * i], q[(4 * i) + 1], q[(4 * i) + 2], q[(4 * i) + 3]) = (start[i].W, start[i].X, start[i].Y, start[i].Z);
            }
            else
            {
                // Four normals, normalised: uniform on S³, hence uniform rotations.
                var u = new UnitQuaternion(random.NextGaussian(), random.NextGaussian(), random.NextGaussian(), random.NextGaussian());
                (q[4 * i], q[(4 * i) + 1], q[(4 * i) + 2], q[(4 * i) + 3]) = (u.W, u.X, u.Y, u.Z);
            }
        }

        var m = new double[4 * n];
        var v = new double[4 * n];
        var gradient = new double[4 * n];
        var stamp = new long[n];
        var touched = new int[2 * batch];
        var order = new int[count];
        for (int p = 0; p < count; p++)
        {
            order[p] = p;
        }

        Span<double> g = stackalloc double[4];
        var curve = new double[options.Epochs];
        long step = 0;
        int stepsPerEpoch = (count + batch - 1) / batch;
        long totalSteps = (long)stepsPerEpoch * options.Epochs;
        for (int epoch = 0; epoch < options.Epochs; epoch++)
        {
            // A new pair order each epoch (Fisher–Yates), so that batches differ.
            for (int p = count - 1; p > 0; p--)
            {
                int o = random.NextInt(p + 1);
                (order[p], order[o]) = (order[o], order[p]);
            }

            double epochSum = 0;
            for (int start = 0; start < count; start += batch)
            {
                int end = Math.Min(count, start + batch), touchedCount = 0;
                step++;
                double scale = 2.0 / (end - start);
                for (int b = start; b < end; b++)
                {
                    int p = order[b], i = pairs.First[p], j = pairs.Second[p];
                    double theta = QuaternionGeometry.DistanceAndGradient(q.AsSpan(4 * i, 4), q.AsSpan(4 * j, 4), g, out double sign);
                    double residual = theta - pairs.Distances[p];
                    epochSum += residual * residual;
                    double c = scale * residual;
                    for (int a = 0; a < 4; a++)
                    {
                        gradient[(4 * i) + a] += c * g[a];
                        gradient[(4 * j) + a] -= sign * c * g[a];
                    }

                    if (stamp[i] != step)
                    {
                        stamp[i] = step;
                        touched[touchedCount++] = i;
                    }

                    if (stamp[j] != step)
                    {
                        stamp[j] = step;
                        touched[touchedCount++] = j;
                    }
                }

                double progressFraction = (double)(step - 1) / Math.Max(1, totalSteps - 1);
                double lr = options.LearningRate * (0.01 + (0.99 * 0.5 * (1 + Math.Cos(Math.PI * progressFraction))));
                double correction1 = 1 - Math.Pow(Beta1, step), correction2 = 1 - Math.Pow(Beta2, step);
                for (int t = 0; t < touchedCount; t++)
                {
                    int i = touched[t], o = 4 * i;

                    // Riemannian: only the gradient's component along the sphere moves the quaternion.
                    double radial = (gradient[o] * q[o]) + (gradient[o + 1] * q[o + 1]) + (gradient[o + 2] * q[o + 2]) + (gradient[o + 3] * q[o + 3]);
                    double norm = 0;
                    for (int a = 0; a < 4; a++)
                    {
                        double ga = gradient[o + a] - (radial * q[o + a]);
                        gradient[o + a] = 0;
                        m[o + a] = (Beta1 * m[o + a]) + ((1 - Beta1) * ga);
                        v[o + a] = (Beta2 * v[o + a]) + ((1 - Beta2) * ga * ga);
                        q[o + a] -= lr * (m[o + a] / correction1) / (Math.Sqrt(v[o + a] / correction2) + Epsilon);
                        norm += q[o + a] * q[o + a];
                    }

                    norm = 1 / Math.Sqrt(norm);
                    for (int a = 0; a < 4; a++)
                    {
                        q[o + a] *= norm;
                    }
                }
            }

            curve[epoch] = epochSum / count;
            epochDone();
        }

        return (q, Loss(pairs, q), curve);
    }
}
