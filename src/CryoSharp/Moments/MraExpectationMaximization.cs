using System.Collections.Concurrent;
using System.Diagnostics;
using System.Numerics.Tensors;
using CryoSharp.Distributed;
using CryoSharp.Numerics;
using CryoSharp.Numerics.LinearAlgebra;

namespace CryoSharp.Moments;

/// <summary>How <see cref="MraExpectationMaximization"/> schedules its iterations.</summary>
public enum MraEmSchedule
{
    /// <summary>
    /// SQUAREM-accelerated EM (Varadhan–Roland, two EM steps extrapolated along their difference, accepted only when
    /// the likelihood improves) on growing subsets of the observations (a hundredth, a tenth, all; each stage started
    /// from the last), so that most passes are cheap and the full data are only used near their fixed point.
    /// </summary>
    Fast,

    /// <summary>The textbook: one EM iteration per pass over all observations.</summary>
    Plain,
}

/// <summary>Settings of <see cref="MraExpectationMaximization"/>.</summary>
public sealed record MraEmOptions
{
    /// <summary>Limit on EM iterations (passes over the data or a subset of it), all stages together.</summary>
    public int MaxIterations { get; init; } = 1000;

    /// <summary>Threads and FFT planning.</summary>
    public ComputeContext Context { get; init; } = ComputeContext.Default;

    /// <summary>Stop when one EM step changes x by less than this relative to ‖x‖: ‖F(x) − x‖/‖F(x)‖.</summary>
    public double Tolerance { get; init; } = 1e-6;

    /// <summary>Estimate ρ as well (otherwise shifts are taken as uniform).</summary>
    public bool EstimateShifts { get; init; }

    /// <summary>Where the random start (standard normal entries) comes from.</summary>
    public required SeedSequence Seeds { get; init; }

    /// <summary>A start instead of the random one.</summary>
    public double[]? Start { get; init; }

    /// <summary>Accelerated on growing subsets (default) or plain.</summary>
    public MraEmSchedule Schedule { get; init; } = MraEmSchedule.Fast;

    /// <summary>
    /// The observations are kept in memory after the first pass when they take at most this many bytes (N·L·4); else
    /// every pass reads (or simulates) them again. 0 never keeps them.
    /// </summary>
    public long CacheBytes { get; init; } = 4L << 30;

    /// <summary>Called after each iteration with (iteration, x, relative change, −log-likelihood per observation).</summary>
    public Action<int, double[], double, double>? Progress { get; init; }
}

/// <summary>
/// Expectation–maximisation for multireference alignment: the maximum-likelihood signal (and optionally ρ) with the
/// shifts as latent variables. An iteration is one parallel pass over the observations in chunks, 256 at a time: the
/// correlations of every observation with every shift of x are one small matrix product, C = Y·X with
/// X[t, s] = x[t − s] (C[j, s] = ⟨yⱼ, R_s x⟩); the posteriors wⱼ[s] ∝ ρ[s]·exp(C[j, s]/σ²) follow row by row, and the
/// M-step x⁺[t] = (1/N) Σⱼ Σ_s wⱼ[s]·yⱼ[t + s] is the diagonal sums of B = Yᵀ·W, another product (ρ⁺ = mean of wⱼ).
/// Both run in <see cref="PanelProduct"/> in single precision; everything summed over observations is summed in
/// double. The observations are read once and kept when they fit in <see cref="MraEmOptions.CacheBytes"/>; nothing
/// else of size N is stored.
/// </summary>
public sealed class MraExpectationMaximization : IMraEstimator
{
    /// <summary>Observations per block of the products (their rows of Y, C and W stay in the core's caches).</summary>
    private const int Block = 256;

    /// <summary>Fewest observations in the first subset of <see cref="MraEmSchedule.Fast"/>.</summary>
    private const int SmallestStage = 50_000;

    /// <summary>Creates the estimator.</summary>
    public MraExpectationMaximization(MraEmOptions options)
    {
        Options = options ?? throw new ArgumentNullException(nameof(options));
    }

    /// <summary>The settings.</summary>
    public MraEmOptions Options { get; }

    /// <summary>Runs EM; every iteration is its own pass over the data.</summary>
    public MraSolution Estimate(IMraObservations observations, double sigma)
    {
        var estimate = Solve(observations, sigma, Options);
        return new MraSolution(estimate, 0, estimate.Seconds);
    }

    /// <summary>Runs EM on <paramref name="source"/> with known noise level <paramref name="sigma"/>.</summary>
    public static MraEstimate Solve(IMraObservations source, double sigma, MraEmOptions options)
    {
        ArgumentNullException.ThrowIfNull(source);
        var o = options ?? throw new ArgumentNullException(nameof(options));
        if (!(sigma > 0) || double.IsInfinity(sigma))
        {
            throw new InvalidParameterException("σ", sigma, "must be positive for EM");
        }

        int l = source.Length;
        var clock = Stopwatch.StartNew();
        var x = o.Start is not null ? (double[])o.Start.Clone() : o.Seeds.Spawn("start").CreateStream().NextGaussianVector(l);
        if (x.Length != l)
        {
            throw new InvalidParameterException("start", x.Length, $"must have the observations' length {l}");
        }

        var state = new EmState(x, Enumerable.Repeat(1.0 / l, l).ToArray());
        var map = new EmMap(source, sigma, o);
        var run = new EmRun(map, o);
        foreach (int chunks in Stages(source, o.Schedule))
        {
            state = o.Schedule == MraEmSchedule.Plain ? run.Plain(state, chunks) : run.Accelerated(state, chunks);
            if (run.Iterations >= o.MaxIterations)
            {
                break;
            }
        }

        return new MraEstimate(state.X, o.EstimateShifts ? state.Rho : null, clock.Elapsed.TotalSeconds, run.Iterations, run.Objective);
    }

    /// <summary>The chunk counts of the stages: all chunks for the plain schedule, else a hundredth, a tenth and all.</summary>
    internal static IReadOnlyList<int> Stages(IMraObservations source, MraEmSchedule schedule)
    {
        int all = source.ChunkCount;
        var stages = new List<int> { all };
        if (schedule == MraEmSchedule.Fast)
        {
            for (int stage = all / 10; stage < stages[0] && (long)stage * source.ChunkSize >= SmallestStage && stages.Count < 3; stage /= 10)
            {
                stages.Insert(0, stage);
            }
        }

        return stages;
    }

    /// <summary>x and ρ, what one EM step maps to new values.</summary>
    private sealed record EmState(double[] X, double[] Rho);

    /// <summary>Iterations of one solve: the stopping rule, the count, the last objective, the progress.</summary>
    private sealed class EmRun(EmMap map, MraEmOptions o)
    {
        private double stepLimit = 1;

        public int Iterations { get; private set; }

        public double Objective { get; private set; } = double.NaN;

        private bool converged;

        /// <summary>One EM step from <paramref name="state"/> on the first <paramref name="chunks"/> chunks; its objective is the start's.</summary>
        private (EmState Next, double Objective, double Change) Step(EmState state, int chunks)
        {
            var (next, objective) = map.Apply(state, chunks);
            Iterations++;
            Objective = objective;
            double change = RelativeChange(next.X, state.X);
            o.Progress?.Invoke(Iterations, next.X, change, objective);
            converged = change < o.Tolerance;
            return (next, objective, change);
        }

        private bool Done => converged || Iterations >= o.MaxIterations;

        public EmState Plain(EmState state, int chunks)
        {
            converged = false;
            while (!Done)
            {
                state = Step(state, chunks).Next;
            }

            return state;
        }

        /// <summary>
        /// SQUAREM (the SqS3 step length α = −‖r‖/‖v‖, r = F(θ) − θ, v = F(F(θ)) − 2F(θ) + θ, θ' = θ − 2αr + α²v, then
        /// one EM step from θ'): α is kept in [−stepLimit, −1] (α = −1 is two plain EM steps), the limit growing
        /// fourfold when reached, and θ' is kept only when ρ stays a distribution and the likelihood at θ' beats the
        /// one at F(θ); otherwise the cycle goes on from F(F(θ)) and the limit shrinks.
        /// </summary>
        public EmState Accelerated(EmState state, int chunks)
        {
            converged = false;
            while (!Done)
            {
                var (first, _, _) = Step(state, chunks);
                if (Done)
                {
                    return first;
                }

                var (second, firstObjective, _) = Step(first, chunks);
                if (Done)
                {
                    return second;
                }

                var r = Difference(first, state);
                var v = Difference(Difference(second, first), r);
                double alpha = -Math.Sqrt(SquaredNorm(r) / Math.Max(SquaredNorm(v), 1e-300));
                alpha = Math.Clamp(alpha, -stepLimit, -1);
                if (alpha == -stepLimit)
                {
                    stepLimit *= 4;
                }

                var extrapolated = new EmState(Combine(state.X, r.X, v.X, alpha), Combine(state.Rho, r.Rho, v.Rho, alpha));
                if (alpha == -1 || !IsDistribution(extrapolated.Rho))
                {
                    state = second;
                    continue;
                }

                var (stabilised, extrapolatedObjective, _) = Step(extrapolated, chunks);
                if (extrapolatedObjective <= firstObjective)
                {
                    state = stabilised;
                }
                else
                {
                    // The pass at θ' is lost; F(F(θ)) is an EM iterate, so the likelihood still never decreases.
                    stepLimit = Math.Max(1, stepLimit / 4);
                    converged = false;
                    state = second;
                }
            }

            return state;
        }

        private EmState Difference(EmState a, EmState b) => new(Subtract(a.X, b.X), o.EstimateShifts ? Subtract(a.Rho, b.Rho) : new double[a.Rho.Length]);

        private static double[] Subtract(double[] a, double[] b)
        {
            var d = new double[a.Length];
            TensorPrimitives.Subtract(a, b, d);
            return d;
        }

        private static double SquaredNorm(EmState s) => TensorPrimitives.Dot(s.X, s.X) + TensorPrimitives.Dot(s.Rho, s.Rho);

        private static double[] Combine(double[] theta, double[] r, double[] v, double alpha)
        {
            var result = new double[theta.Length];
            for (int i = 0; i < result.Length; i++)
            {
                result[i] = theta[i] - (2 * alpha * r[i]) + (alpha * alpha * v[i]);
            }

            return result;
        }

        private static bool IsDistribution(double[] rho)
        {
            foreach (double p in rho)
            {
                if (!(p >= 0))
                {
                    return false;
                }
            }

            return true;
        }

        private static double RelativeChange(double[] next, double[] previous)
        {
            double change = 0, size = 0;
            for (int t = 0; t < next.Length; t++)
            {
                change += (next[t] - previous[t]) * (next[t] - previous[t]);
                size += next[t] * next[t];
            }

            return Math.Sqrt(change / Math.Max(size, 1e-300));
        }
    }

    /// <summary>The EM map θ ↦ F(θ) over the first chunks of the observations, with its workers' buffers and the cache.</summary>
    private sealed class EmMap
    {
        private readonly IMraObservations source;
        private readonly double sigma;
        private readonly MraEmOptions o;
        private readonly int length, padded;
        private readonly float[]?[]? cache;
        private readonly ConcurrentBag<Workspace> pool = [];

        public EmMap(IMraObservations source, double sigma, MraEmOptions o)
        {
            this.source = source;
            this.sigma = sigma;
            this.o = o;
            length = source.Length;
            padded = PanelProduct.Padded(length);
            if (source.Count * length * (long)sizeof(float) <= o.CacheBytes)
            {
                cache = new float[source.ChunkCount][];
            }
        }

        /// <summary>F(θ) on the first <paramref name="chunks"/> chunks, and the negative log-likelihood per observation at θ.</summary>
        public (EmState Next, double Objective) Apply(EmState state, int chunks)
        {
            int l = length, p = padded;
            var circulant = new float[l * p];
            for (int t = 0; t < l; t++)
            {
                for (int s = 0; s < l; s++)
                {
                    circulant[(t * p) + s] = (float)state.X[((t - s) % l + l) % l];
                }
            }

            var logRho = new float[l];
            for (int s = 0; s < l; s++)
            {
                logRho[s] = (float)Math.Log(Math.Max(state.Rho[s], 1e-300));
            }

            float inverseVariance = (float)(1 / (sigma * sigma));
            var total = ChunkedSumPass.Run(chunks, o.Context, pool, () => new Workspace(source.ChunkSize, l, p),
                (chunk, w) => Accumulate(Observations(chunk, w), source.ChunkLength(chunk), circulant, logRho, inverseVariance, w),
                () => new Sums(l));
            double count = Math.Min((long)chunks * source.ChunkSize, source.Count);
            var x = new double[l];
            var rho = new double[l];
            for (int t = 0; t < l; t++)
            {
                x[t] = total.X[t] / count;
                rho[t] = o.EstimateShifts ? total.Rho[t] / count : state.Rho[t];
            }

            double objective = -((total.LogLikelihood / count) - (TensorPrimitives.Dot(state.X, state.X) / (2 * sigma * sigma)));
            return (new EmState(x, rho), objective);
        }

        private float[] Observations(int chunk, Workspace w)
        {
            if (cache is null)
            {
                source.Read(chunk, w.Observations, []);
                return w.Observations;
            }

            // Each chunk is handled by one worker per pass, so its slot is written once, by the first pass that meets it.
            var kept = cache[chunk];
            if (kept is null)
            {
                kept = new float[source.ChunkLength(chunk) * length];
                source.Read(chunk, kept, []);
                cache[chunk] = kept;
            }

            return kept;
        }

        private Sums Accumulate(float[] observations, int n, float[] circulant, float[] logRho, float inverseVariance, Workspace w)
        {
            int l = length, p = padded;
            var sums = new Sums(l);
            var weights = w.Weights;
            var products = w.Products;
            for (int first = 0; first < n; first += Block)
            {
                int m = Math.Min(Block, n - first);
                var y = observations.AsSpan(first * l, m * l);
                var c = weights.AsSpan(0, m * p);
                c.Clear();
                PanelProduct.AddProduct(y, m, l, l, 1, circulant, c, p);
                for (int j = 0; j < m; j++)
                {
                    var row = c.Slice(j * p, l);
                    TensorPrimitives.MultiplyAdd(row, inverseVariance, logRho, row);
                    float max = TensorPrimitives.Max(row);
                    TensorPrimitives.Subtract(row, max, row);
                    TensorPrimitives.Exp(row, row);
                    float z = TensorPrimitives.Sum(row);
                    TensorPrimitives.Divide(row, z, row);
                    sums.LogLikelihood += max + Math.Log(z);
                    for (int s = 0; s < l; s++)
                    {
                        sums.Rho[s] += row[s];
                    }
                }

                // B[a, s] = Σⱼ yⱼ[a]·wⱼ[s]; the padding columns of W are zero because those of X are.
                products.AsSpan().Clear();
                PanelProduct.AddProduct(y, l, m, 1, l, c, products, p);
                for (int t = 0; t < l; t++)
                {
                    double sum = 0;
                    for (int s = 0, a = t; s < l; s++, a = a + 1 == l ? 0 : a + 1)
                    {
                        sum += products[(a * p) + s];
                    }

                    sums.X[t] += sum;
                }
            }

            return sums;
        }
    }

    private sealed class Workspace(int chunk, int length, int padded)
    {
        public float[] Observations { get; } = new float[chunk * length];

        public float[] Weights { get; } = new float[Block * padded];

        public float[] Products { get; } = new float[length * padded];
    }

    private sealed class Sums(int length) : ChunkSum<Sums>
    {
        private readonly double[] logLikelihood = new double[1];

        public double[] X { get; } = new double[length];

        public double[] Rho { get; } = new double[length];

        public double LogLikelihood
        {
            get => logLikelihood[0];
            set => logLikelihood[0] = value;
        }

        protected override IReadOnlyList<double[]> Parts => [X, Rho, logLikelihood];
    }
}
