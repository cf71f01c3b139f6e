using System.Diagnostics;
using System.Numerics;
using CryoSharp.Distributed;
using CryoSharp.Numerics;

namespace CryoSharp.Detection;

/// <summary>Settings of <see cref="ApproximateExpectationMaximization"/>.</summary>
public sealed record MtdEmOptions
{
    /// <summary>Iteration limit.</summary>
    public int MaxIterations { get; init; } = 500;

    /// <summary>Threads.</summary>
    public ComputeContext Context { get; init; } = ComputeContext.Default;

    /// <summary>Stop when ‖x_{k+1} − x_k‖/‖x_{k+1}‖ falls below this.</summary>
    public double Tolerance { get; init; } = 1e-5;

    /// <summary>Where the random start comes from.</summary>
    public required SeedSequence Seeds { get; init; }

    /// <summary>A start instead of the random one.</summary>
    public double[]? Start { get; init; }

    /// <summary>
    /// The density the shift prior starts from: γ/L on each of the 2L − 1 shifts that show part of x, the rest on the
    /// empty patch. A uniform start (almost all mass on signal shifts) leads EM at low SNR to a local optimum with x
    /// shrunk and γ inflated (γ‖x‖² kept).
    /// </summary>
    public double StartGamma { get; init; } = 0.1;

    /// <summary>Called after each iteration with (iteration, x, relative change).</summary>
    public Action<int, double[], double>? Progress { get; init; }
}

/// <summary>
/// The approximate expectation–maximisation of Kreymer, Singer and Bendory ("An approximate expectation-maximization
/// for two-dimensional multi-target detection", IEEE SPL 2022), in 1D. The measurement is cut into ⌊N/L⌋
/// non-overlapping patches of length L, each modelled as the first L samples of the zero-padded signal [x, 0ᴸ]
/// circularly shifted by s ∈ {0, …, 2L−1}, plus noise: s &lt; L puts x's head at sample s, s &gt; L puts its tail at
/// the start, and s = L is the empty patch. The E-step weighs every shift (with prior π, estimated too); the M-step
/// is a linear least-squares solve, diagonal here because every shift shows each sample of x at most once:
/// x[i] = Σⱼ,ₛ wⱼₛ·patchⱼ[position of x[i] under s] / Σⱼ,ₛ wⱼₛ·[x[i] visible under s]. Both steps go through an
/// L × 2L table per patch (correlations, then weighted patch sums), vectorised, in parallel over chunks.
/// γ̂ = Σₛ πₛ·‖Cₛx‖²/‖x‖² (Cₛx the part of x visible under s).
/// </summary>
public sealed class ApproximateExpectationMaximization : IMtdEstimator
{
    /// <summary>Creates the estimator for a signal of length <paramref name="length"/> with known noise σ.</summary>
    /// <param name="length">L.</param>
    /// <param name="sigma">The noise level (EM does not estimate it).</param>
    /// <param name="options">Iterations, tolerance, seeds, threads.</param>
    /// <param name="start">
    /// An estimator whose result EM starts from (x and γ), such as the autocorrelation fit; null for the random start.
    /// </param>
    public ApproximateExpectationMaximization(int length, double sigma, MtdEmOptions options, IMtdEstimator? start = null)
    {
        if (!(sigma > 0) || double.IsInfinity(sigma))
        {
            throw new InvalidParameterException("σ", sigma, "must be given for EM (only the autocorrelation fit estimates it)");
        }

        Length = length;
        Sigma = sigma;
        Options = options ?? throw new ArgumentNullException(nameof(options));
        Start = start;
    }

    /// <summary>L.</summary>
    public int Length { get; }

    /// <summary>σ.</summary>
    public double Sigma { get; }

    /// <summary>The settings.</summary>
    public MtdEmOptions Options { get; }

    /// <summary>What EM starts from, or null for the random start.</summary>
    public IMtdEstimator? Start { get; }

    /// <summary>Runs the start (if any), then EM from it.</summary>
    public MtdSolution Estimate(IMtdMeasurement measurement)
    {
        var options = Options;
        double passSeconds = 0, startSeconds = 0, speed = 0;
        if (Start is not null)
        {
            var start = Start.Estimate(measurement);
            (passSeconds, startSeconds, speed) = (start.PassSeconds, start.FitSeconds, start.SamplesPerSecond);
            double densest = (double)Length / ((2 * Length) - 1);
            options = options with { Start = start.Estimate.Signal, StartGamma = Math.Clamp(start.Estimate.Gamma, 1e-3, 0.95 * densest) };
        }

        var em = Solve(measurement, Length, Sigma, options);
        return new MtdSolution(em, passSeconds, startSeconds + em.Seconds, speed);
    }

    /// <summary>Runs the approximate EM for a signal of length <paramref name="length"/>, noise σ known.</summary>
    public static MtdEstimate Solve(IMtdMeasurement measurement, int length, double sigma, MtdEmOptions options)
    {
        ArgumentNullException.ThrowIfNull(measurement);
        var o = options ?? throw new ArgumentNullException(nameof(options));
        int l = length, shifts = 2 * l;
        if (l < 2 || measurement.Length < 4L * l)
        {
            throw new InvalidParameterException("signal length", l, "must be at least 2 and a quarter of the measurement at most");
        }

        if (!(sigma > 0) || double.IsInfinity(sigma))
        {
            throw new InvalidParameterException("σ", sigma, "must be positive for EM");
        }

        var clock = Stopwatch.StartNew();
        var x = o.Start is not null ? (double[])o.Start.Clone() : o.Seeds.Spawn("start").CreateStream().NextGaussianVector(l);

        if (!(o.StartGamma > 0 && o.StartGamma < (double)l / shifts * 2))
        {
            throw new InvalidParameterException("starting γ", o.StartGamma, "must be positive and leave mass for the empty patch");
        }

        var prior = Enumerable.Repeat(o.StartGamma / l, shifts).ToArray();
        prior[l] = 1 - ((shifts - 1) * o.StartGamma / l);
        long patches = measurement.Length / l;
        int iteration = 0;
        double objective = double.NaN;
        double inverseVariance = 1 / (sigma * sigma);
        var pool = new System.Collections.Concurrent.ConcurrentBag<float[]>();
        while (iteration < o.MaxIterations)
        {
            iteration++;

            // Table[t, s] = value of the shifted, cropped, padded x at sample t; visible energy per shift.
            var table = new double[l * shifts];
            var bias = new double[shifts];
            for (int s = 0; s < shifts; s++)
            {
                double energy = 0;
                for (int t = 0; t < l; t++)
                {
                    int i = Index(t, s, l);
                    if (i >= 0)
                    {
                        table[(t * shifts) + s] = x[i];
                        energy += x[i] * x[i];
                    }
                }

                bias[s] = (-0.5 * energy * inverseVariance) + Math.Log(Math.Max(prior[s], 1e-300));
            }

            var total = ChunkedSumPass.Run(measurement.ChunkCount, o.Context, pool, () => new float[measurement.ChunkSize + l], (chunk, buffer) =>
            {
                long start = (long)chunk * measurement.ChunkSize;
                int n = measurement.ChunkLength(chunk);
                measurement.Read(chunk, l - 1, buffer);
                return Accumulate(buffer, start, n, patches, l, shifts, table, bias, inverseVariance);
            }, () => new Sums(l, shifts));

            // M-step.
            var updated = new double[l];
            for (int i = 0; i < l; i++)
            {
                double numerator = 0, denominator = 0;
                for (int s = 0; s < shifts; s++)
                {
                    int t = Position(i, s, l);
                    if (t >= 0)
                    {
                        numerator += total.Weighted[(t * shifts) + s];
                        denominator += total.Weights[s];
                    }
                }

                updated[i] = denominator > 0 ? numerator / denominator : 0;
            }

            double change = 0, size = 0;
            for (int i = 0; i < l; i++)
            {
                change += (updated[i] - x[i]) * (updated[i] - x[i]);
                size += updated[i] * updated[i];
            }

            x = updated;
            for (int s = 0; s < shifts; s++)
            {
                prior[s] = total.Weights[s] / patches;
            }

            objective = -total.LogLikelihood / patches;
            double relative = Math.Sqrt(change / Math.Max(size, 1e-300));
            o.Progress?.Invoke(iteration, x, relative);
            if (relative < o.Tolerance)
            {
                break;
            }
        }

        // Every sample of x is visible under L of the shifts, so with πₛ = γ/L for each, Σₛ πₛ·‖Cₛx‖² = γ‖x‖². Energy
        // weights (rather than sample counts) keep shifts that show only near-zero samples, which the likelihood
        // cannot tell from the empty patch, from biasing γ̂.
        double gamma = 0, total2 = 0;
        for (int i = 0; i < l; i++)
        {
            total2 += x[i] * x[i];
        }

        for (int s = 0; s < shifts; s++)
        {
            double visible = 0;
            for (int t = 0; t < l; t++)
            {
                int i = Index(t, s, l);
                if (i >= 0)
                {
                    visible += x[i] * x[i];
                }
            }

            gamma += prior[s] * visible / Math.Max(total2, 1e-300);
        }

        return new MtdEstimate(x, gamma, sigma, clock.Elapsed.TotalSeconds, iteration, objective);
    }

    /// <summary>Index of x seen at sample t under shift s, or −1 (padding).</summary>
    private static int Index(int t, int s, int l)
    {
        int i = ((t - s) % (2 * l) + (2 * l)) % (2 * l);
        return i < l ? i : -1;
    }

    /// <summary>Sample where x[i] appears under shift s, or −1 (cropped away).</summary>
    private static int Position(int i, int s, int l)
    {
        int t = (i + s) % (2 * l);
        return t < l ? t : -1;
    }

    private static Sums Accumulate(float[] buffer, long start, int n, long patches, int l, int shifts, double[] table, double[] bias, double inverseVariance)
    {
        var sums = new Sums(l, shifts);

        // Patches whose first sample lies in this chunk; the halo completes the last one.
        long firstPatch = (start + l - 1) / l;
        long endPatch = Math.Min(patches, (start + n + l - 1) / l);
        var logits = new double[shifts];
        var patch = new double[l];
        int width = Vector<double>.Count;
        for (long j = firstPatch; j < endPatch; j++)
        {
            int offset = (int)((j * l) - start);
            for (int t = 0; t < l; t++)
            {
                patch[t] = buffer[offset + t];
            }

            // logits[s] = ⟨patch, C_s x⟩/σ² − ‖C_s x‖²/2σ² + log π_s
            bias.CopyTo(logits, 0);
            for (int t = 0; t < l; t++)
            {
                var row = table.AsSpan(t * shifts, shifts);
                double v = patch[t] * inverseVariance;
                var vv = new Vector<double>(v);
                int s = 0;
                for (; s + width <= shifts; s += width)
                {
                    (new Vector<double>(logits, s) + (vv * new Vector<double>(row[s..]))).CopyTo(logits, s);
                }

                for (; s < shifts; s++)
                {
                    logits[s] += v * row[s];
                }
            }

            double max = double.NegativeInfinity;
            for (int s = 0; s < shifts; s++)
            {
                max = Math.Max(max, logits[s]);
            }

            double z = 0;
            for (int s = 0; s < shifts; s++)
            {
                logits[s] = Math.Exp(logits[s] - max);
                z += logits[s];
            }

            sums.LogLikelihood += max + Math.Log(z);
            double scale = 1 / z;
            for (int s = 0; s < shifts; s++)
            {
                logits[s] *= scale;
                sums.Weights[s] += logits[s];
            }

            // Weighted[t, s] += patch[t]·w[s]
            for (int t = 0; t < l; t++)
            {
                var row = sums.Weighted.AsSpan(t * shifts, shifts);
                var vv = new Vector<double>(patch[t]);
                int s = 0;
                for (; s + width <= shifts; s += width)
                {
                    (new Vector<double>(row[s..]) + (vv * new Vector<double>(logits, s))).CopyTo(row[s..]);
                }

                for (; s < shifts; s++)
                {
                    row[s] += patch[t] * logits[s];
                }
            }
        }

        return sums;
    }

    private sealed class Sums(int l, int shifts) : ChunkSum<Sums>
    {
        private readonly double[] logLikelihood = new double[1];

        public double[] Weighted { get; } = new double[l * shifts];

        public double[] Weights { get; } = new double[shifts];

        public double LogLikelihood
        {
            get => logLikelihood[0];
            set => logLikelihood[0] = value;
        }

        protected override IReadOnlyList<double[]> Parts => [Weighted, Weights, logLikelihood];
    }
}
