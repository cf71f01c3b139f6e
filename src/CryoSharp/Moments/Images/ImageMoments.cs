namespace CryoSharp.Moments.Images;

/// <summary>
/// The debiased first and second moments of a set of particle images in the coordinates of an
/// <see cref="ImageMomentBasis"/>: M̂¹ = (1/N) Σ uⱼ and M̂² = (1/N) Σ uⱼuⱼᵀ − σ²I, with σ² the noise variance per
/// pixel. When the particles carry CTFs the images were phase-flipped (multiplied by sign C), which keeps the noise
/// white, and <see cref="CtfFirst"/>, <see cref="CtfSecond"/> hold the means of |C| and of |C|⊗|C| over the same
/// images: with the CTF independent of the view, E[u] = K¹ ⊙ E[P_R v] and E[uuᵀ] − σ²I = K² ⊙ E[(P_R v)(P_R v)ᵀ],
/// so a model of the clean moments needs only these two factors.
/// </summary>
public sealed class ImageMoments
{
    /// <summary>Wraps computed moments (arrays kept, not copied).</summary>
    public ImageMoments(ImageMomentBasis basis, long count, double noiseVariance, bool noiseEstimated, double[] first, double[] second,
        double[]? ctfFirst, double[]? ctfSecond, string description)
    {
        ArgumentNullException.ThrowIfNull(basis);
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        int d = basis.Dimension;
        if (first.Length != d || second.Length != (long)d * d || (ctfFirst is not null && ctfFirst.Length != d) ||
            (ctfSecond is not null && ctfSecond.Length != (long)d * d) || ((ctfFirst is null) != (ctfSecond is null)))
        {
            throw new ArgumentException("The moments' sizes do not match the basis.");
        }

        Basis = basis;
        Count = count;
        NoiseVariance = noiseVariance;
        NoiseEstimated = noiseEstimated;
        First = first;
        Second = second;
        CtfFirst = ctfFirst;
        CtfSecond = ctfSecond;
        Description = description;
    }

    /// <summary>The coordinates.</summary>
    public ImageMomentBasis Basis { get; }

    /// <summary>N, images summed.</summary>
    public long Count { get; }

    /// <summary>σ², the noise variance per pixel (and per coordinate) that was subtracted from the diagonal of M̂².</summary>
    public double NoiseVariance { get; }

    /// <summary>Whether σ² was estimated from the images' corners rather than given.</summary>
    public bool NoiseEstimated { get; }

    /// <summary>M̂¹, <see cref="ImageMomentBasis.Dimension"/> values.</summary>
    public double[] First { get; }

    /// <summary>M̂², debiased, d × d row-major (symmetric).</summary>
    public double[] Second { get; }

    /// <summary>K¹ = mean |C| per coordinate; null when the images have no CTF.</summary>
    public double[]? CtfFirst { get; }

    /// <summary>K² = mean |C|⊗|C|, d × d; null when the images have no CTF.</summary>
    public double[]? CtfSecond { get; }

    /// <summary>Where the images came from.</summary>
    public string Description { get; }

    /// <summary>Whether CTF factors are present.</summary>
    public bool HasCtf => CtfFirst is not null;

    /// <summary>
    /// The same moments on the smaller disk of radius <paramref name="radiusPx"/>: the rows and columns of its
    /// coordinates (for frequency marching, which fits the low frequencies first).
    /// </summary>
    public ImageMoments Restrict(int radiusPx)
    {
        if (radiusPx == Basis.RadiusPx)
        {
            return this;
        }

        if (radiusPx < 1 || radiusPx > Basis.RadiusPx)
        {
            throw new InvalidParameterException("moment radius", radiusPx, $"must be between 1 and {Basis.RadiusPx}");
        }

        var small = new ImageMomentBasis(Basis.Box, Basis.PixelSizeA, radiusPx);
        var lookup = new Dictionary<(int, int), int>();
        for (int j = 0; j < Basis.Frequencies; j++)
        {
            lookup[(Basis.FrequencyX[j], Basis.FrequencyY[j])] = j;
        }

        int d = small.Dimension, big = Basis.Dimension;
        var map = new int[d];
        for (int j = 0; j < small.Frequencies; j++)
        {
            int k = lookup[(small.FrequencyX[j], small.FrequencyY[j])];
            if (j == 0)
            {
                map[0] = 0;
            }
            else
            {
                map[(2 * j) - 1] = (2 * k) - 1;
                map[2 * j] = 2 * k;
            }
        }

        double[] Vector(double[] v) => [.. map.Select(i => v[i])];
        double[] Matrix(double[] m)
        {
            var r = new double[d * d];
            for (int a = 0; a < d; a++)
            {
                for (int b = 0; b < d; b++)
                {
                    r[(a * d) + b] = m[((long)map[a] * big) + map[b]];
                }
            }

            return r;
        }

        return new ImageMoments(small, Count, NoiseVariance, NoiseEstimated, Vector(First), Matrix(Second),
            CtfFirst is null ? null : Vector(CtfFirst), CtfSecond is null ? null : Matrix(CtfSecond), Description);
    }
}
