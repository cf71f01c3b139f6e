using System.Diagnostics;
using System.Numerics.Tensors;
using CryoSharp.Distributed;
using CryoSharp.Numerics;

namespace CryoSharp.Detection;

/// <summary>
/// The first three autocorrelations of a micrograph y of N = width × height pixels, for a target of L × L pixels:
/// a¹ = (1/N)Σₙ y[n]; a²[ℓ] = (1/N)Σₙ y[n]y[n+ℓ] for every lag ℓ = (dy, dx) with |dy|, |dx| &lt; L; and
/// a³[ℓ₁, ℓ₂] = (1/N)Σₙ y[n]y[n+ℓ₁]y[n+ℓ₂] for the lag pairs of <see cref="ThirdOrderLags"/> (every triangle whose
/// three pixels fit in one L × L window, once: the entries a model of well-separated copies predicts without cross
/// terms; the others are zero). Pixels beyond the edge
/// count as zero. One streaming pass over bands of rows (each with a halo of L − 1 rows) in parallel, each row summed
/// in column blocks that stay in cache (single precision within a block, double across blocks), merged in a fixed
/// order (<see cref="ChunkedSumPass"/>) so the result does not depend on the thread count.
/// <see cref="Debias"/> removes the white-noise terms: σ² from a²[0] and σ²·a¹·(δ[ℓ₁] + δ[ℓ₂] + δ[ℓ₁−ℓ₂]) from a³.
/// Layouts: a² is (2L−1) × (2L−1), index (dy + L − 1)(2L − 1) + dx + L − 1, symmetric under ℓ → −ℓ; a³ is
/// n × n over the n lags of <see cref="Lags"/>, index q₁n + q₂, symmetric, lag 0 first.
/// </summary>
public sealed class MicrographAutocorrelations
{
    private const int BandRows = 8;
    private const int ColumnBlock = 2048;

    internal MicrographAutocorrelations(int targetSize, long pixels)
    {
        TargetSize = targetSize;
        Pixels = pixels;
        Lags = new ThirdOrderLags(targetSize);
        Second = new double[((2 * targetSize) - 1) * ((2 * targetSize) - 1)];
        Third = new double[Lags.Count * Lags.Count];
    }

    /// <summary>L, the target's box in pixels.</summary>
    public int TargetSize { get; }

    /// <summary>N, pixels summed over.</summary>
    public long Pixels { get; }

    /// <summary>a¹.</summary>
    public double First { get; internal set; }

    /// <summary>a²[ℓ], (2L−1) × (2L−1) row-major, lag (0, 0) at the centre.</summary>
    public double[] Second { get; }

    /// <summary>The lags of <see cref="Third"/>.</summary>
    public ThirdOrderLags Lags { get; }

    /// <summary>a³[ℓ₁, ℓ₂], n × n row-major over <see cref="Lags"/>, symmetric (unused pairs zero).</summary>
    public double[] Third { get; }

    /// <summary>σ removed (0 for raw autocorrelations).</summary>
    public double Sigma { get; private set; }

    /// <summary>Seconds the pass took.</summary>
    public double Seconds { get; private set; }

    /// <summary>Pixels per second of the pass.</summary>
    public double PixelsPerSecond => Pixels / Math.Max(Seconds, 1e-12);

    /// <summary>Index of lag (dy, dx) in <see cref="Second"/>.</summary>
    public int SecondIndex(int dy, int dx) => ((dy + TargetSize - 1) * ((2 * TargetSize) - 1)) + dx + TargetSize - 1;

    /// <summary>The autocorrelations with the noise terms of level <paramref name="sigma"/> removed.</summary>
    public MicrographAutocorrelations Debias(double sigma)
    {
        if (!(sigma >= 0) || double.IsInfinity(sigma))
        {
            throw new InvalidParameterException("σ", sigma, "must be a finite noise level, not negative");
        }

        var result = new MicrographAutocorrelations(TargetSize, Pixels) { First = First, Sigma = sigma, Seconds = Seconds };
        double s2 = sigma * sigma;
        Second.CopyTo(result.Second, 0);
        result.Second[SecondIndex(0, 0)] -= s2;
        Third.CopyTo(result.Third, 0);
        SubtractNoiseTerms(result.Third, Lags.Count, s2 * First);
        return result;
    }

    /// <summary>Adds −<paramref name="scale"/>·(δ[ℓ₁] + δ[ℓ₂] + δ[ℓ₁−ℓ₂]) to a third-order array over <paramref name="lags"/> lags (lag 0 first).</summary>
    internal static void SubtractNoiseTerms(Span<double> third, int lags, double scale)
    {
        for (int q = 0; q < lags; q++)
        {
            third[q] -= scale;            // ℓ₁ = 0
            third[q * lags] -= scale;     // ℓ₂ = 0
            third[(q * lags) + q] -= scale; // ℓ₁ = ℓ₂
        }
    }

    /// <summary>One pass over <paramref name="micrograph"/> for a target of <paramref name="targetSize"/> pixels.</summary>
    /// <param name="micrograph">The micrograph.</param>
    /// <param name="targetSize">L, pixels.</param>
    /// <param name="context">Threads.</param>
    /// <param name="progress">Called (from any thread) with the fraction of the rows done.</param>
    public static MicrographAutocorrelations Compute(IMicrograph micrograph, int targetSize, ComputeContext? context = null, Action<double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(micrograph);
        if (targetSize < 2 || targetSize > 32)
        {
            throw new InvalidParameterException("target size", targetSize, "must be between 2 and 32 pixels for the third-order autocorrelation");
        }

        if (micrograph.Width < targetSize || micrograph.Height < targetSize)
        {
            throw new InvalidParameterException("micrograph", $"{micrograph.Width} × {micrograph.Height}", $"is smaller than the target ({targetSize} px)");
        }

        var clock = Stopwatch.StartNew();
        int l = targetSize, span = (2 * l) - 1;
        var thirdLags = new ThirdOrderLags(l);
        int lags = thirdLags.Count;
        int size = 1 + (span * span) + (lags * lags);
        int bands = (micrograph.Height + BandRows - 1) / BandRows, done = 0;
        var total = ChunkedSumPass.Run(bands, context ?? ComputeContext.Default, [], () => new Workspace(micrograph, thirdLags), (band, space) =>
        {
            space.Load(band * BandRows);
            var sums = new VectorSum(space.Sum(Math.Min(BandRows, micrograph.Height - (band * BandRows))));
            progress?.Invoke((double)Interlocked.Increment(ref done) / bands);
            return sums;
        }, () => new VectorSum(size)).Values;

        var result = new MicrographAutocorrelations(l, (long)micrograph.Width * micrograph.Height);
        double n = result.Pixels;
        result.First = total[0] / n;

        // Computed: dy ≥ 0 (dx ≥ 0 when dy = 0); the rest by a²[−ℓ] = a²[ℓ].
        for (int dy = 0; dy < l; dy++)
        {
            for (int dx = -(l - 1); dx < l; dx++)
            {
                if (dy == 0 && dx < 0)
                {
                    continue;
                }

                double v = total[1 + result.SecondIndex(dy, dx)] / n;
                result.Second[result.SecondIndex(dy, dx)] = v;
                result.Second[result.SecondIndex(-dy, -dx)] = v;
            }
        }

        int third = 1 + (span * span);
        for (int q1 = 0; q1 < lags; q1++)
        {
            for (int q2 = q1; q2 < lags; q2++)
            {
                if (!thirdLags.IsUsed(q1, q2))
                {
                    continue;
                }

                double v = total[third + (q1 * lags) + q2] / n;
                result.Third[(q1 * lags) + q2] = v;
                result.Third[(q2 * lags) + q1] = v;
            }
        }

        result.Seconds = clock.Elapsed.TotalSeconds;
        return result;
    }

    /// <summary>A band of rows with its halo, padded by L − 1 zero columns on each side, and the row kernel.</summary>
    private sealed class Workspace
    {
        private readonly IMicrograph micrograph;
        private readonly ThirdOrderLags thirdLags;
        private readonly int l;
        private readonly int pad;
        private readonly int stride;
        private readonly float[] raw;
        private readonly float[] padded;
        private readonly float[] products = new float[ColumnBlock];

        public Workspace(IMicrograph micrograph, ThirdOrderLags thirdLags)
        {
            this.micrograph = micrograph;
            this.thirdLags = thirdLags;
            l = thirdLags.TargetSize;
            pad = l - 1;
            stride = micrograph.Width + (2 * pad);
            raw = new float[(BandRows + pad) * micrograph.Width];
            padded = new float[(BandRows + pad) * stride];
        }

        /// <summary>Reads rows from <paramref name="firstRow"/> on (zeros below the bottom edge).</summary>
        public void Load(int firstRow)
        {
            int w = micrograph.Width, rows = Math.Min(BandRows + pad, micrograph.Height - firstRow);
            micrograph.ReadRows(firstRow, rows, raw.AsSpan(0, rows * w));
            Array.Clear(padded);
            for (int r = 0; r < rows; r++)
            {
                raw.AsSpan(r * w, w).CopyTo(padded.AsSpan((r * stride) + pad, w));
            }
        }

        /// <summary>The sums for the first <paramref name="rows"/> rows of the band (their lags reach into the halo).</summary>
        public double[] Sum(int rows)
        {
            int lags = thirdLags.Count, span = (2 * l) - 1, w = micrograph.Width;
            var dys = thirdLags.Dy;
            var dxs = thirdLags.Dx;
            int third = 1 + (span * span);
            var sums = new double[third + (lags * lags)];
            var y = padded.AsSpan();
            for (int r = 0; r < rows; r++)
            {
                for (int start = 0; start < w; start += ColumnBlock)
                {
                    int b = Math.Min(ColumnBlock, w - start);
                    int origin = (r * stride) + pad + start;
                    var head = y.Slice(origin, b);
                    sums[0] += TensorPrimitives.Sum(head);
                    for (int dy = 0; dy < l; dy++)
                    {
                        for (int dx = dy == 0 ? 0 : -(l - 1); dx < l; dx++)
                        {
                            sums[1 + ((dy + l - 1) * span) + dx + l - 1] += TensorPrimitives.Dot(head, y.Slice(origin + (dy * stride) + dx, b));
                        }
                    }

                    var z = products.AsSpan(0, b);
                    for (int q1 = 0; q1 < lags; q1++)
                    {
                        // z = y[n]·y[n+ℓ₁]; a³[ℓ₁, ℓ₂] is Σ z·y[n+ℓ₂] for ℓ₂ ≥ ℓ₁.
                        TensorPrimitives.Multiply(head, y.Slice(origin + (dys[q1] * stride) + dxs[q1], b), z);
                        int row = third + (q1 * lags);
                        for (int q2 = q1; q2 < lags; q2++)
                        {
                            if (thirdLags.IsUsed(q1, q2))
                            {
                                sums[row + q2] += TensorPrimitives.Dot(z, y.Slice(origin + (dys[q2] * stride) + dxs[q2], b));
                            }
                        }
                    }
                }
            }

            return sums;
        }
    }
}
