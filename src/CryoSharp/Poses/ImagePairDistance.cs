using CryoSharp.ClassAveraging;
using CryoSharp.Numerics;

namespace CryoSharp.Poses;

/// <summary>
/// The Euclidean distance between two particle images inside the particle's disc, either as they are or after the best
/// in-plane rotation of one onto the other (no reflection: a mirrored projection is another view). Both are computed on
/// the images' Fourier–Bessel coefficients, which are orthonormal on the disc: ‖fᵢ − fⱼ‖² = Σₖ wₖ |cᵢ,ₖ − cⱼ,ₖ|² with
/// w = 1 at angular frequency 0 and 2 above, band-limited to the basis's radial frequency — a low-pass distance, which is
/// what noisy images need. Units: image intensity (not radians; see <see cref="CalibratedPairDistance"/>).
/// </summary>
public sealed class ImagePairDistance : PairDistance
{
    private readonly ComplexF[] coefficients;
    private readonly double[] norms;
    private readonly int[] frequencies;
    private readonly int length;
    private readonly RotationalAlignment? aligner;
    private readonly float[]? magnitudes;

    /// <summary>The distance between the <paramref name="count"/> images in <paramref name="images"/> (box² floats each).</summary>
    /// <param name="images">The images, row-major, one after another.</param>
    /// <param name="count">Images.</param>
    /// <param name="box">Image side in pixels.</param>
    /// <param name="inPlaneAligned">Minimise over the in-plane rotation of the second image.</param>
    /// <param name="bandLimit">Highest frequency in cycles per pixel (≤ ½): the distance sees the images low-pass filtered to it.</param>
    /// <param name="radiusPx">Radius of the disc compared, in pixels (default half the box).</param>
    /// <param name="context">Threads for the expansion.</param>
    public ImagePairDistance(ReadOnlySpan<float> images, int count, int box, bool inPlaneAligned, double bandLimit = 0.5, double? radiusPx = null, ComputeContext? context = null)
    {
        var basis = new FourierBesselBasis(box, radiusPx, bandLimit);
        length = basis.Count;
        frequencies = basis.Frequencies;
        coefficients = new ComplexF[(long)count * length];
        basis.Expand(images, count, coefficients, context);
        Count = count;
        InPlaneAligned = inPlaneAligned;
        var normOf = new RotationalAlignment(frequencies);
        norms = new double[count];
        for (int i = 0; i < count; i++)
        {
            norms[i] = normOf.SquaredNorm(coefficients.AsSpan(i * length, length));
        }

        aligner = inPlaneAligned ? normOf : null;
        if (inPlaneAligned)
        {
            // √w·|c|: rotation-invariant, and ‖√w(|cᵢ| − |cⱼ|)‖ ≤ min_α ‖cᵢ − R_α cⱼ‖ coefficient by coefficient.
            magnitudes = new float[(long)count * length];
            for (long o = 0; o < magnitudes.Length; o++)
            {
                var c = coefficients[o];
                magnitudes[o] = (float)(Math.Sqrt(frequencies[o % length] == 0 ? 1 : 2) * Math.Sqrt((c.Re * (double)c.Re) + (c.Im * (double)c.Im)));
            }
        }
    }

    /// <inheritdoc/>
    public override int Count { get; }

    /// <summary>Whether the second image of each pair is first rotated in-plane onto the first.</summary>
    public bool InPlaneAligned { get; }

    /// <summary>Fourier–Bessel coefficients per image.</summary>
    public int CoefficientsPerImage => length;

    /// <inheritdoc/>
    public override string Name => InPlaneAligned ? "euclidean, in-plane aligned" : "euclidean";

    /// <inheritdoc/>
    protected internal override int ScratchLength => aligner?.ScratchLength ?? 0;

    /// <summary>
    /// Nearest neighbours; for the aligned distance, exactly but without aligning every pair: the distance between the
    /// coefficients' magnitudes bounds the aligned distance from below, so each particle's candidates are aligned in the
    /// order of that bound until it exceeds the k-th nearest found.
    /// </summary>
    public override int[][] Neighbours(int neighbours, ComputeContext? context = null)
    {
        if (aligner is null || magnitudes is null)
        {
            return base.Neighbours(neighbours, context);
        }

        int n = Count, want = Math.Min(neighbours, n - 1);
        var result = new int[n][];
        if (want < 1)
        {
            Array.Fill(result, []);
            return result;
        }

        Parallel.For(0, n, (context ?? ComputeContext.Default).ParallelOptions,
            () => (Bounds: new float[n], Order: new int[n], Nearest: new NearestSet(want), Scratch: new double[aligner.ScratchLength]), (i, _, local) =>
        {
            var mi = magnitudes.AsSpan(i * length, length);
            for (int j = 0; j < n; j++)
            {
                local.Order[j] = j;
                local.Bounds[j] = j == i ? float.PositiveInfinity : System.Numerics.Tensors.TensorPrimitives.Distance(mi, magnitudes.AsSpan(j * length, length));
            }

            Array.Sort(local.Bounds, local.Order);
            var nearest = local.Nearest;
            nearest.Clear();
            for (int r = 0; r < n - 1 && local.Bounds[r] <= nearest.Farthest * (1 + 1e-6); r++)
            {
                nearest.Offer(local.Order[r], Distance(i, local.Order[r], local.Scratch));
            }

            result[i] = nearest.TakeNearestFirst();
            return local;
        }, _ => { });
        return result;
    }

    /// <inheritdoc/>
    protected internal override double Distance(int i, int j, Span<double> scratch)
    {
        var ci = coefficients.AsSpan(i * length, length);
        var cj = coefficients.AsSpan(j * length, length);
        if (aligner is not null)
        {
            return Math.Sqrt(aligner.AlignRotationOnly(ci, cj, norms[i], norms[j], scratch).SquaredDistance);
        }

        double sum = 0;
        for (int o = 0; o < length; o++)
        {
            double re = ci[o].Re - cj[o].Re, im = ci[o].Im - cj[o].Im;
            sum += (frequencies[o] == 0 ? 1 : 2) * ((re * re) + (im * im));
        }

        return Math.Sqrt(sum);
    }
}
