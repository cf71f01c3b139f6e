using System.Diagnostics;
using System.Numerics;
using System.Numerics.Tensors;
using CryoSharp.Distributed;
using CryoSharp.Numerics;
using CryoSharp.Numerics.Fft;

namespace CryoSharp.Moments;

/// <summary>Settings of <see cref="MraExpectationMaximization"/>.</summary>
public sealed record MraEmOptions
{
    /// <summary>Iteration limit.</summary>
    public int MaxIterations { get; init; } = 1000;

    /// <summary>Threads and FFT planning.</summary>
    public ComputeContext Context { get; init; } = ComputeContext.Default;

    /// <summary>Stop when ‖x_{k+1} − x_k‖/‖x_{k+1}‖ falls below this.</summary>
    public double Tolerance { get; init; } = 1e-6;

    /// <summary>Estimate ρ as well (otherwise shifts are taken as uniform).</summary>
    public bool EstimateShifts { get; init; }

    /// <summary>Where the random start (standard normal entries) comes from.</summary>
    public required SeedSequence Seeds { get; init; }

    /// <summary>A start instead of the random one.</summary>
    public double[]? Start { get; init; }

    /// <summary>Called after each iteration with (iteration, x, relative change, −log-likelihood per observation).</summary>
    public Action<int, double[], double, double>? Progress { get; init; }
}

/// <summary>
/// Expectation–maximisation for multireference alignment: the maximum-likelihood signal (and optionally ρ) with the
/// shifts as latent variables. Each iteration is one parallel pass over the data in chunks: batched FFTs give every
/// observation's correlations with all shifts of the current x at once (⟨yⱼ, R_s x⟩ = IDFT(ŷⱼ·conj x̂)[s]); the
/// posterior weights wⱼ[s] ∝ ρ[s]·exp(⟨yⱼ, R_s x⟩/σ²) follow, and the M-step x̂⁺[k] = (1/N)Σⱼ ŷⱼ[k]·conj(ŵⱼ[k]) is
/// accumulated in double precision (ρ⁺ = mean of wⱼ). Nothing of size N is stored.
/// </summary>
public sealed class MraExpectationMaximization : IMraEstimator
{
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

        int l = source.Length, half = (l / 2) + 1;
        var clock = Stopwatch.StartNew();
        var x = o.Start is not null ? (double[])o.Start.Clone() : o.Seeds.Spawn("start").CreateStream().NextGaussianVector(l);

        var rho = Enumerable.Repeat(1.0 / l, l).ToArray();
        int iteration = 0;
        double objective = double.NaN;
        var shape = new GridShape(l);
        int chunk = source.ChunkSize;
        float inverseVariance = (float)(1 / (sigma * sigma));

        // One set of buffers per worker for all iterations: allocating them per pass made gigabytes of garbage.
        var pass = new ChunkedPass<(ComplexF[] Spectra, ComplexF[] Products, float[] Weights)>(source, false, o.Context,
            () => (new ComplexF[chunk * half], new ComplexF[chunk * half], new float[chunk * l]));
        while (iteration < o.MaxIterations)
        {
            iteration++;
            var spectrum = SmallDft.Forward(x);
            var conjugate = new ComplexF[half];
            for (int k = 0; k < half; k++)
            {
                conjugate[k] = new ComplexF((float)spectrum[k].Real, (float)-spectrum[k].Imaginary);
            }

            var logRho = rho.Select(p => (float)Math.Log(Math.Max(p, 1e-300))).ToArray();
            var total = pass.Run((observations, _, n, scratch) =>
            {
                var sums = new Sums(l, half);
                var (spectra, products, weights) = scratch;
                Fft.ForwardMany(observations.AsSpan(0, n * l), shape, n, spectra, FftOrigin.Corner, context: o.Context);
                for (int j = 0; j < n; j++)
                {
                    for (int k = 0; k < half; k++)
                    {
                        products[(j * half) + k] = spectra[(j * half) + k] * conjugate[k];
                    }
                }

                Fft.InverseMany(products.AsSpan(0, n * half), shape, n, weights, FftOrigin.Corner, context: o.Context);
                for (int j = 0; j < n; j++)
                {
                    var w = weights.AsSpan(j * l, l);
                    TensorPrimitives.MultiplyAdd(w, inverseVariance, logRho, w);
                    float max = TensorPrimitives.Max(w);
                    TensorPrimitives.Subtract(w, max, w);
                    TensorPrimitives.Exp(w, w);
                    float z = TensorPrimitives.Sum(w);
                    TensorPrimitives.Divide(w, z, w);
                    sums.LogLikelihood += max + Math.Log(z);
                    for (int s = 0; s < l; s++)
                    {
                        sums.Rho[s] += w[s];
                    }
                }

                Fft.ForwardMany(weights.AsSpan(0, n * l), shape, n, products, FftOrigin.Corner, context: o.Context);
                for (int j = 0; j < n; j++)
                {
                    for (int k = 0; k < half; k++)
                    {
                        var y = spectra[(j * half) + k];
                        var wk = products[(j * half) + k];

                        // ŷ·conj(ŵ)
                        sums.Re[k] += ((double)y.Re * wk.Re) + ((double)y.Im * wk.Im);
                        sums.Im[k] += ((double)y.Im * wk.Re) - ((double)y.Re * wk.Im);
                    }
                }

                return sums;
            }, () => new Sums(l, half));

            double count = source.Count;
            double norm = x.Sum(v => v * v);
            objective = -((total.LogLikelihood / count) - (norm / (2 * sigma * sigma)));
            var next = new Complex[l];
            for (int k = 0; k < l; k++)
            {
                next[k] = k < half
                    ? new Complex(total.Re[k] / count, total.Im[k] / count)
                    : new Complex(total.Re[l - k] / count, -total.Im[l - k] / count);
            }

            var updated = SmallDft.InverseReal(next);
            double change = 0, size = 0;
            for (int t = 0; t < l; t++)
            {
                change += (updated[t] - x[t]) * (updated[t] - x[t]);
                size += updated[t] * updated[t];
            }

            x = updated;
            if (o.EstimateShifts)
            {
                rho = [.. total.Rho.Select(v => v / count)];
            }

            double relative = Math.Sqrt(change / Math.Max(size, 1e-300));
            o.Progress?.Invoke(iteration, x, relative, objective);
            if (relative < o.Tolerance)
            {
                break;
            }
        }

        return new MraEstimate(x, o.EstimateShifts ? rho : null, clock.Elapsed.TotalSeconds, iteration, objective);
    }

    private sealed class Sums(int length, int half) : ChunkSum<Sums>
    {
        private readonly double[] logLikelihood = new double[1];

        public double[] Re { get; } = new double[half];

        public double[] Im { get; } = new double[half];

        public double[] Rho { get; } = new double[length];

        public double LogLikelihood
        {
            get => logLikelihood[0];
            set => logLikelihood[0] = value;
        }

        protected override IReadOnlyList<double[]> Parts => [Re, Im, Rho, logLikelihood];
    }
}
