using CryoSharp.Numerics;

namespace CryoSharp.ClassAveraging;

/// <summary>
/// Rotation-invariant features of an image from its steerable coefficients, to find candidate neighbours quickly:
/// the steerable power spectrum Pₖ(l, l′) = wₖ cₖ,ₗ conj cₖ,ₗ′ (l ≤ l′, wₖ = 1 at k = 0, 2 above), unchanged by any
/// rotation (both factors turn by e^{−ikα}) and conjugated by a reflection. Its real and imaginary parts are
/// compressed separately by seeded Gaussian random projections (Johnson–Lindenstrauss: distances kept to a few per
/// cent) to at most <see cref="Dimension"/> values each, so that the reflected image's features are the same with the
/// second half negated and one distance covers both: d² = ‖rᵢ − rⱼ‖² + ‖mᵢ ∓ mⱼ‖², the sign whichever is smaller.
/// The power spectrum ignores the relative phases of different k (the bispectrum would keep them); the exact
/// rotationally invariant distance (<see cref="RotationalAlignment"/>) then ranks the candidates these give.
/// </summary>
public sealed class RotationInvariantFeatures
{
    private readonly int[] first;
    private readonly int[] second;
    private readonly float[] weights;
    private readonly float[]? projectRe;
    private readonly float[]? projectIm;
    private readonly int realTerms;
    private readonly int imaginaryTerms;

    /// <summary>Features for coefficients of the given angular <paramref name="frequencies"/>.</summary>
    /// <param name="frequencies">The k of each coefficient, ordered by k.</param>
    /// <param name="dimension">Values kept for each of the real and imaginary parts.</param>
    /// <param name="seeds">Where the projections come from.</param>
    public RotationInvariantFeatures(int[] frequencies, int dimension, SeedSequence seeds)
    {
        ArgumentNullException.ThrowIfNull(frequencies);
        ArgumentNullException.ThrowIfNull(seeds);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        var a = new List<int>();
        var b = new List<int>();
        var w = new List<float>();
        for (int o = 0; o < frequencies.Length; o++)
        {
            for (int p = o; p < frequencies.Length && frequencies[p] == frequencies[o]; p++)
            {
                a.Add(o);
                b.Add(p);
                w.Add(frequencies[o] == 0 ? 1 : 2);
            }
        }

        first = [.. a];
        second = [.. b];
        weights = [.. w];

        // The imaginary part is zero on the diagonal and at k = 0.
        realTerms = first.Length;
        imaginaryTerms = 0;
        for (int t = 0; t < first.Length; t++)
        {
            if (first[t] != second[t] && frequencies[first[t]] > 0)
            {
                imaginaryTerms++;
            }
        }

        Dimension = dimension;
        RealLength = Math.Min(dimension, realTerms);
        ImaginaryLength = Math.Min(dimension, imaginaryTerms);
        var random = seeds.Spawn("invariant-projections").CreateStream();
        projectRe = realTerms > dimension ? Gaussian(dimension, realTerms, random) : null;
        projectIm = imaginaryTerms > dimension ? Gaussian(dimension, imaginaryTerms, random) : null;
        Frequencies = frequencies;
    }

    /// <summary>The k of each coefficient.</summary>
    public int[] Frequencies { get; }

    /// <summary>The most values kept per part.</summary>
    public int Dimension { get; }

    /// <summary>Values of the real part.</summary>
    public int RealLength { get; }

    /// <summary>Values of the imaginary part.</summary>
    public int ImaginaryLength { get; }

    /// <summary>Values per image: the real part's, then the imaginary part's.</summary>
    public int Length => RealLength + ImaginaryLength;

    /// <summary>The features of one image's coefficients <paramref name="c"/> into <paramref name="features"/> (<see cref="Length"/>); <paramref name="scratch"/> holds the uncompressed spectrum (<see cref="ScratchLength"/>).</summary>
    public void Compute(ReadOnlySpan<ComplexF> c, Span<float> features, Span<float> scratch)
    {
        var re = scratch[..realTerms];
        var im = scratch.Slice(realTerms, imaginaryTerms);
        for (int t = 0, u = 0; t < first.Length; t++)
        {
            var x = c[first[t]];
            var y = c[second[t]];
            re[t] = weights[t] * ((x.Re * y.Re) + (x.Im * y.Im));
            if (first[t] != second[t] && Frequencies[first[t]] > 0)
            {
                im[u++] = weights[t] * ((x.Im * y.Re) - (x.Re * y.Im));
            }
        }

        Project(re, projectRe, features[..RealLength]);
        Project(im, projectIm, features.Slice(RealLength, ImaginaryLength));
    }

    /// <summary>Floats of scratch <see cref="Compute"/> needs.</summary>
    public int ScratchLength => realTerms + imaginaryTerms;

    private static void Project(ReadOnlySpan<float> values, float[]? matrix, Span<float> into)
    {
        if (matrix is null)
        {
            values.CopyTo(into);
            return;
        }

        int n = values.Length;
        for (int r = 0; r < into.Length; r++)
        {
            into[r] = System.Numerics.Tensors.TensorPrimitives.Dot(matrix.AsSpan(r * n, n), values);
        }
    }

    private static float[] Gaussian(int rows, int columns, RandomStream random)
    {
        var m = new float[rows * columns];
        float scale = 1 / MathF.Sqrt(rows);
        for (int i = 0; i < m.Length; i++)
        {
            m[i] = scale * (float)random.NextGaussian();
        }

        return m;
    }
}
