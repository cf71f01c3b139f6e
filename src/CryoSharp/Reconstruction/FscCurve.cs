namespace CryoSharp.Reconstruction;

/// <summary>
/// A Fourier shell (or ring) correlation curve: one value per shell s = 0..Nyquist, at spatial frequency
/// s/(n·pixel) 1/Å, and the resolutions where it first falls below a threshold.
/// </summary>
/// <param name="Values">FSC per shell, shell 0 (the mean) first.</param>
/// <param name="Box">Box size in pixels.</param>
/// <param name="PixelSizeA">Pixel size in Å.</param>
public sealed record FscCurve(double[] Values, int Box, double PixelSizeA)
{
    /// <summary>Spatial frequency of shell s in 1/Å.</summary>
    public double Frequency(int shell) => shell / (Box * PixelSizeA);

    /// <summary>
    /// The resolution in Å where the curve first falls below <paramref name="threshold"/> (0.143 for gold-standard
    /// half maps, 0.5 against a known reference), interpolating linearly in frequency between the shells on either
    /// side (conventions.md). Nyquist (2 × pixel) when it never does.
    /// </summary>
    public double Resolution(double threshold)
    {
        for (int s = 1; s < Values.Length; s++)
        {
            if (Values[s] < threshold)
            {
                double f0 = Frequency(s - 1), f1 = Frequency(s), v0 = Values[s - 1], v1 = Values[s];
                double f = v0 == v1 ? f1 : f0 + ((threshold - v0) * (f1 - f0) / (v1 - v0));
                return f > 0 ? 1 / f : double.PositiveInfinity;
            }
        }

        return 2 * PixelSizeA;
    }

    /// <summary>
    /// Whether the curve falls below <paramref name="threshold"/> before Nyquist; when it does not,
    /// <see cref="Resolution"/> returns Nyquist, and the resolution is beyond what the sampling can tell.
    /// </summary>
    public bool Crosses(double threshold)
    {
        for (int s = 1; s < Values.Length; s++)
        {
            if (Values[s] < threshold)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The resolution at <paramref name="threshold"/> as people read it: "7.52 Å", or "beyond Nyquist (6.00 Å)" when
    /// the curve never falls below the threshold.
    /// </summary>
    public string DescribeResolution(double threshold) => Crosses(threshold)
        ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Resolution(threshold):0.00} Å")
        : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"beyond Nyquist ({2 * PixelSizeA:0.00} Å)");

    /// <summary>The shell at or beyond which the curve first falls below <paramref name="threshold"/>, or the last shell.</summary>
    public int FirstShellBelow(double threshold)
    {
        for (int s = 1; s < Values.Length; s++)
        {
            if (Values[s] < threshold)
            {
                return s;
            }
        }

        return Values.Length - 1;
    }
}
