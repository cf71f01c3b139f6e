using CryoSharp.Numerics;

namespace CryoSharp.Imaging;

/// <summary>
/// CTF correction by Wiener filtering. One image: X·C / (C² + K(s)), with K the inverse spectral SNR of the
/// shell (a constant, or per shell). Several aligned images of one view: Σ CᵢXᵢ / (Σ Cᵢ² + K(s)), which fills the
/// zeros of each CTF with the others (see <see cref="WienerAverage"/>).
/// </summary>
public static class WienerFilter
{
    /// <summary>Wiener-corrects one half-complex spectrum in place, with K(s) per Fourier shell of the box.</summary>
    /// <param name="spectrum">The image's half-complex spectrum (square box).</param>
    /// <param name="ctf">The CTF in the same layout.</param>
    /// <param name="box">Box size in pixels.</param>
    /// <param name="inverseSsnr">K(s) for shells 0..; the last value is used beyond the end (one value: a constant).</param>
    public static void Apply(Span<ComplexF> spectrum, ReadOnlySpan<float> ctf, int box, ReadOnlySpan<double> inverseSsnr)
    {
        if (inverseSsnr.IsEmpty)
        {
            throw new ArgumentException("Give at least one value of 1/SSNR.");
        }

        foreach (double k in inverseSsnr)
        {
            if (!(k > 0))
            {
                throw new InvalidParameterException("Wiener constant (1/SSNR)", k, "must be positive");
            }
        }

        // A constant K needs no shell map; otherwise the box's map is made once and reused for every image.
        int[]? shells = inverseSsnr.Length > 1 ? Shells(box) : null;
        for (int i = 0; i < spectrum.Length; i++)
        {
            double c = ctf[i];
            double k = shells is null ? inverseSsnr[0] : inverseSsnr[Math.Min(shells[i], inverseSsnr.Length - 1)];
            spectrum[i] *= (float)(c / ((c * c) + k));
        }
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, int[]> ShellMaps = new();

    /// <summary>The Fourier shell of every half-complex element of a square box (computed once per box size).</summary>
    internal static int[] Shells(int box) =>
        ShellMaps.GetOrAdd(box, b => new FourierShells(GridShape.Square(b)).ShellOfElement.ToArray());
}

/// <summary>
/// The multi-image Wiener average of aligned images: accumulate Σ CᵢXᵢ and Σ Cᵢ² with <see cref="Add"/>, then
/// <see cref="Result"/> gives Σ CᵢXᵢ / (Σ Cᵢ² + K(s)).
/// </summary>
public sealed class WienerAverage
{
    private readonly double[] numerator;
    private readonly double[] denominator;

    /// <summary>Creates an empty average for images of a square box.</summary>
    public WienerAverage(int box)
    {
        Box = box;
        int length = GridShape.Square(box).HalfComplexLength;
        numerator = new double[2 * length];
        denominator = new double[length];
    }

    /// <summary>Box size in pixels.</summary>
    public int Box { get; }

    /// <summary>Number of images added.</summary>
    public int Count { get; private set; }

    /// <summary>Adds one aligned image's spectrum and its CTF.</summary>
    public void Add(ReadOnlySpan<ComplexF> spectrum, ReadOnlySpan<float> ctf)
    {
        for (int i = 0; i < denominator.Length; i++)
        {
            double c = ctf[i];
            numerator[2 * i] += c * spectrum[i].Re;
            numerator[(2 * i) + 1] += c * spectrum[i].Im;
            denominator[i] += c * c;
        }

        Count++;
    }

    /// <summary>The average's half-complex spectrum, with K(s) per shell (the last value beyond the end).</summary>
    public ComplexF[] Result(ReadOnlySpan<double> inverseSsnr)
    {
        if (inverseSsnr.IsEmpty)
        {
            throw new ArgumentException("Give at least one value of 1/SSNR (0 for plain division).");
        }

        var shells = WienerFilter.Shells(Box);
        var result = new ComplexF[denominator.Length];
        for (int i = 0; i < result.Length; i++)
        {
            double d = denominator[i] + inverseSsnr[Math.Min(shells[i], inverseSsnr.Length - 1)];
            result[i] = d > 0 ? new ComplexF((float)(numerator[2 * i] / d), (float)(numerator[(2 * i) + 1] / d)) : default;
        }

        return result;
    }
}
