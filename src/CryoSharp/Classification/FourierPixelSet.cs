using CryoSharp.Numerics;

namespace CryoSharp.Classification;

/// <summary>
/// The half-complex frequencies of a square box that lie within a radius (RELION's current image size, as a
/// radius in Fourier pixels), packed in order of increasing radius so that any prefix is a lower-resolution set.
/// Spectra are compared and accumulated in this packed form: contiguous, SIMD-friendly, and only as large as the
/// resolution in use.
/// </summary>
public sealed class FourierPixelSet
{
    private readonly int[] offsets;
    private readonly int[] shells;
    private readonly float[] kx;
    private readonly float[] ky;

    /// <summary>The frequencies of a <paramref name="box"/>² image with radius ≤ <paramref name="radiusPx"/> (Fourier pixels).</summary>
    public FourierPixelSet(int box, double radiusPx)
    {
        if (box < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(box), box, "The box must be at least 2 pixels.");
        }

        Box = box;
        RadiusPx = Math.Min(radiusPx, box / 2);
        int half = (box / 2) + 1;
        var list = new List<(double R2, int Offset, int Kx, int Ky)>();
        double limit = RadiusPx * RadiusPx;
        for (int y = 0; y < box; y++)
        {
            int fy = FourierIndex.Frequency(y, box);
            for (int x = 0; x < half; x++)
            {
                double r2 = ((double)x * x) + ((double)fy * fy);
                if (r2 <= limit)
                {
                    list.Add((r2, (y * half) + x, x, fy));
                }
            }
        }

        // Stable order by radius, then by position, so the packing is the same on every machine.
        list.Sort((a, b) => a.R2 != b.R2 ? a.R2.CompareTo(b.R2) : a.Offset.CompareTo(b.Offset));
        Count = list.Count;
        offsets = new int[Count];
        shells = new int[Count];
        kx = new float[Count];
        ky = new float[Count];
        for (int i = 0; i < Count; i++)
        {
            offsets[i] = list[i].Offset;
            shells[i] = (int)Math.Round(Math.Sqrt(list[i].R2));
            kx[i] = list[i].Kx;
            ky[i] = list[i].Ky;
        }
    }

    /// <summary>Box of the images, in pixels.</summary>
    public int Box { get; }

    /// <summary>Largest radius included, in Fourier pixels.</summary>
    public double RadiusPx { get; }

    /// <summary>Number of frequencies.</summary>
    public int Count { get; }

    /// <summary>Index of each frequency in the half-complex array of the box.</summary>
    public ReadOnlySpan<int> Offsets => offsets;

    /// <summary>Resolution shell (rounded radius) of each frequency.</summary>
    public ReadOnlySpan<int> Shells => shells;

    /// <summary>Signed x frequency index of each frequency (≥ 0).</summary>
    public ReadOnlySpan<float> Kx => kx;

    /// <summary>Signed y frequency index of each frequency.</summary>
    public ReadOnlySpan<float> Ky => ky;

    /// <summary>Number of frequencies in a prefix that holds every frequency of radius ≤ <paramref name="radiusPx"/>.</summary>
    public int PrefixWithin(double radiusPx)
    {
        double limit = radiusPx * radiusPx;
        int lo = 0, hi = Count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if ((kx[mid] * kx[mid]) + (ky[mid] * ky[mid]) <= limit)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>
    /// Packs a half-complex spectrum of the box into <paramref name="packed"/>, interleaved (re, im) per frequency:
    /// 2 × <see cref="Count"/> floats.
    /// </summary>
    public void Gather(ReadOnlySpan<ComplexF> spectrum, Span<float> packed)
    {
        for (int i = 0; i < offsets.Length; i++)
        {
            var v = spectrum[offsets[i]];
            packed[2 * i] = v.Re;
            packed[(2 * i) + 1] = v.Im;
        }
    }

    /// <summary>Number of frequencies in each shell 0..<paramref name="shellCount"/> − 1.</summary>
    public int[] CountPerShell(int shellCount)
    {
        var counts = new int[shellCount];
        foreach (int s in shells)
        {
            if (s < shellCount)
            {
                counts[s]++;
            }
        }

        return counts;
    }
}
