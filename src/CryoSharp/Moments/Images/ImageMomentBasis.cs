using CryoSharp.Numerics;

namespace CryoSharp.Moments.Images;

/// <summary>
/// The real coordinates the image moments are taken in: the Fourier coefficients of a Box × Box image inside the disk
/// |k| ≤ <see cref="RadiusPx"/> (in Fourier pixels, 1/(Box·pixel) Å⁻¹ each), with the redundancy of a real image
/// removed. Coordinate 0 is the DC term; then, for every frequency of the half plane (kx &gt; 0, or kx = 0 and ky &gt; 0),
/// √2·Re f(k) and √2·Im f(k). With the orthonormal DFT this is an orthogonal map from the disk-limited image to
/// ℝ^<see cref="Dimension"/>, so white noise of variance σ² per pixel stays white, σ² per coordinate, and the
/// debiased second moment is simply M̂² − σ²I. The radius stays below Box/2, so no Nyquist term (which is real on its
/// own) enters.
/// </summary>
public sealed class ImageMomentBasis
{
    /// <summary>Makes the basis for a box and a radius in Fourier pixels (1 ≤ radius &lt; Box/2).</summary>
    public ImageMomentBasis(int box, double pixelSizeA, int radiusPx)
    {
        if (box < 4)
        {
            throw new InvalidParameterException("box", box, "must be at least 4");
        }

        if (radiusPx < 1 || radiusPx >= box / 2)
        {
            throw new InvalidParameterException("moment radius", radiusPx, $"must be between 1 and {(box / 2) - 1} Fourier pixels for box {box}");
        }

        Box = box;
        PixelSizeA = pixelSizeA;
        RadiusPx = radiusPx;
        var kx = new List<int> { 0 };
        var ky = new List<int> { 0 };
        for (int y = -radiusPx; y <= radiusPx; y++)
        {
            for (int x = 0; x <= radiusPx; x++)
            {
                if ((x > 0 || y > 0) && (x * x) + (y * y) <= radiusPx * radiusPx)
                {
                    kx.Add(x);
                    ky.Add(y);
                }
            }
        }

        FrequencyX = [.. kx];
        FrequencyY = [.. ky];
        Dimension = (2 * kx.Count) - 1;
        var shape = GridShape.Square(box);
        halfComplexIndex = new int[kx.Count];
        for (int i = 0; i < kx.Count; i++)
        {
            halfComplexIndex[i] = (FourierIndex.IndexOf(FrequencyY[i], box) * shape.HalfNx) + FrequencyX[i];
        }
    }

    private readonly int[] halfComplexIndex;

    /// <summary>Image box in pixels.</summary>
    public int Box { get; }

    /// <summary>Pixel size in Å.</summary>
    public double PixelSizeA { get; }

    /// <summary>Radius of the disk in Fourier pixels.</summary>
    public int RadiusPx { get; }

    /// <summary>The finest resolution inside the disk, Box·pixel / radius, in Å.</summary>
    public double ResolutionA => Box * PixelSizeA / RadiusPx;

    /// <summary>Real coordinates: 1 + 2 × (frequencies of the half disk).</summary>
    public int Dimension { get; }

    /// <summary>kx of frequency j (0 for the DC term, j = 0), in Fourier pixels; coordinates 2j − 1 and 2j belong to frequency j ≥ 1.</summary>
    public IReadOnlyList<int> FrequencyX { get; }

    /// <summary>ky of frequency j, in Fourier pixels.</summary>
    public IReadOnlyList<int> FrequencyY { get; }

    /// <summary>Frequencies: the DC term and the half disk.</summary>
    public int Frequencies => FrequencyX.Count;

    /// <summary>The radius in Fourier pixels for a resolution in Å: ⌊Box·pixel / resolution⌋, at most Box/2 − 1.</summary>
    public static int RadiusFor(int box, double pixelSizeA, double resolutionA)
    {
        if (!(resolutionA > 0) || double.IsInfinity(resolutionA))
        {
            throw new InvalidParameterException("--max-resolution", resolutionA, "must be a positive number of Å");
        }

        int radius = (int)Math.Floor((box * pixelSizeA / resolutionA) + 1e-9);
        if (radius < 1)
        {
            throw new InvalidParameterException("--max-resolution", resolutionA, $"is coarser than the box ({box * pixelSizeA:0.#} Å) allows");
        }

        return Math.Min(radius, (box / 2) - 1);
    }

    /// <summary>
    /// The coordinates of one image from its half-complex spectrum (orthonormal DFT), each frequency multiplied by
    /// <paramref name="signs"/>[j] (±1, a phase flip) when given.
    /// </summary>
    public void Coordinates(ReadOnlySpan<ComplexF> spectrum, Span<float> destination, ReadOnlySpan<float> signs = default)
    {
        bool flip = !signs.IsEmpty;
        destination[0] = spectrum[halfComplexIndex[0]].Re * (flip ? signs[0] : 1);
        const float root2 = 1.41421356f;
        for (int j = 1; j < halfComplexIndex.Length; j++)
        {
            var f = spectrum[halfComplexIndex[j]];
            float s = root2 * (flip ? signs[j] : 1);
            destination[(2 * j) - 1] = s * f.Re;
            destination[2 * j] = s * f.Im;
        }
    }

    /// <summary>The frequency (index into <see cref="FrequencyX"/>) that coordinate <paramref name="coordinate"/> belongs to.</summary>
    public static int FrequencyOf(int coordinate) => (coordinate + 1) / 2;
}
