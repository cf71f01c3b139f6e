using System.Diagnostics;
using System.Numerics.Tensors;
using CryoSharp.Distributed;
using CryoSharp.Numerics;

namespace CryoSharp.Detection;

/// <summary>
/// The first three autocorrelations of a measurement y of length N, for lags 0 ≤ ℓ &lt; L:
/// a¹ = (1/N)Σₙ y[n], a²[ℓ] = (1/N)Σₙ y[n]y[n+ℓ], a³[ℓ₁, ℓ₂] = (1/N)Σₙ y[n]y[n+ℓ₁]y[n+ℓ₂] (samples beyond the end
/// count as zero), from one streaming pass: chunks with a halo of L − 1 samples run in parallel, each summed in
/// blocks that stay in cache (single precision within a block, double across blocks), and merged in a fixed order
/// (<see cref="ChunkedSumPass"/>) so the result does not depend on the thread count or on how many MPI ranks share
/// the chunks. <see cref="Debias"/> removes the white-noise terms:
/// σ² from a²[0] and σ²·a¹·(δ[ℓ₁] + δ[ℓ₂] + δ[ℓ₁−ℓ₂]) from a³.
/// </summary>
public sealed class MtdAutocorrelations
{
    private const int Block = 4096;

    private MtdAutocorrelations(int maxLag, long length)
    {
        Lags = maxLag;
        Length = length;
        Second = new double[maxLag];
        Third = new double[maxLag * maxLag];
    }

    /// <summary>L, the number of lags.</summary>
    public int Lags { get; }

    /// <summary>N, samples summed over.</summary>
    public long Length { get; }

    /// <summary>a¹.</summary>
    public double First { get; private set; }

    /// <summary>a²[ℓ], ℓ = 0..L−1.</summary>
    public double[] Second { get; }

    /// <summary>a³[ℓ₁, ℓ₂], L × L row-major, symmetric.</summary>
    public double[] Third { get; }

    /// <summary>σ removed (0 for raw autocorrelations).</summary>
    public double Sigma { get; private set; }

    /// <summary>Seconds the pass took.</summary>
    public double Seconds { get; private set; }

    /// <summary>Samples per second of the pass.</summary>
    public double SamplesPerSecond => Length / Math.Max(Seconds, 1e-12);

    /// <summary>The autocorrelations with the noise terms of level <paramref name="sigma"/> removed.</summary>
    public MtdAutocorrelations Debias(double sigma)
    {
        if (!(sigma >= 0) || double.IsInfinity(sigma))
        {
            throw new InvalidParameterException("σ", sigma, "must be a finite noise level, not negative");
        }

        int l = Lags;
        var result = new MtdAutocorrelations(l, Length) { First = First, Sigma = sigma, Seconds = Seconds };
        double s2 = sigma * sigma;
        Second.CopyTo(result.Second, 0);
        result.Second[0] -= s2;
        for (int a = 0; a < l; a++)
        {
            for (int b = 0; b < l; b++)
            {
                int deltas = (a == 0 ? 1 : 0) + (b == 0 ? 1 : 0) + (a == b ? 1 : 0);
                result.Third[(a * l) + b] = Third[(a * l) + b] - (s2 * First * deltas);
            }
        }

        return result;
    }

    /// <summary>One pass over <paramref name="measurement"/> for lags 0..<paramref name="lags"/> − 1.</summary>
    public static MtdAutocorrelations Compute(IMtdMeasurement measurement, int lags, ComputeContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(measurement);
        if (lags < 1 || lags > 1024)
        {
            throw new InvalidParameterException("lags", lags, "must be between 1 and 1024");
        }

        var clock = Stopwatch.StartNew();
        int l = lags, chunks = measurement.ChunkCount, halo = l - 1;
        int size = 1 + l + (l * l);
        var total = ChunkedSumPass.Run(chunks, context ?? ComputeContext.Default, [], () => new Workspace(measurement.ChunkSize + halo + Block, l), (chunk, space) =>
        {
            int n = measurement.ChunkLength(chunk);
            int extra = measurement.Read(chunk, halo, space.Samples);

            // Zeros past the end of the measurement.
            space.Samples.AsSpan(n + extra, halo - extra + Block).Clear();
            return new VectorSum(space.Sum(n));
        }, () => new VectorSum(size)).Values;

        var result = new MtdAutocorrelations(l, measurement.Length);
        double length = measurement.Length;
        result.First = total[0] / length;
        for (int a = 0; a < l; a++)
        {
            result.Second[a] = total[1 + a] / length;
            for (int b = a; b < l; b++)
            {
                double v = total[1 + l + (a * l) + b] / length;
                result.Third[(a * l) + b] = v;
                result.Third[(b * l) + a] = v;
            }
        }

        result.Seconds = clock.Elapsed.TotalSeconds;
        return result;
    }

    /// <summary>Per-thread buffers and the block kernel.</summary>
    private sealed class Workspace(int capacity, int lags)
    {
        private readonly float[] products = new float[Block];

        public float[] Samples { get; } = new float[capacity];

        /// <summary>Sums over the first <paramref name="n"/> positions of <see cref="Samples"/> (lags read into the halo).</summary>
        public double[] Sum(int n)
        {
            int l = lags;
            var sums = new double[1 + l + (l * l)];
            var y = Samples.AsSpan();
            for (int start = 0; start < n; start += Block)
            {
                int b = Math.Min(Block, n - start);
                var head = y.Slice(start, b);
                sums[0] += TensorPrimitives.Sum(head);
                for (int a = 0; a < l; a++)
                {
                    // z = y[n]·y[n+a]; a² is Σz, and a³[a, c] = Σ z·y[n+c] for c ≥ a.
                    var z = products.AsSpan(0, b);
                    TensorPrimitives.Multiply(head, y.Slice(start + a, b), z);
                    sums[1 + a] += TensorPrimitives.Sum(z);
                    int row = 1 + l + (a * l);
                    for (int c = a; c < l; c++)
                    {
                        sums[row + c] += TensorPrimitives.Dot(z, y.Slice(start + c, b));
                    }
                }
            }

            return sums;
        }
    }
}
