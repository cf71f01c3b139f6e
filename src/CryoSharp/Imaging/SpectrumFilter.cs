using CryoSharp.Numerics;

namespace CryoSharp.Imaging;

/// <summary>Element-wise real filters of half-complex spectra: CTF multiplication and phase flipping.</summary>
public static class SpectrumFilter
{
    /// <summary>spectrum[i] ·= filter[i] (a real filter such as a CTF, same half-complex layout).</summary>
    public static void Multiply(Span<ComplexF> spectrum, ReadOnlySpan<float> filter)
    {
        if (filter.Length < spectrum.Length)
        {
            throw new ArgumentException($"Filter holds {filter.Length} values; the spectrum has {spectrum.Length}.");
        }

        for (int i = 0; i < spectrum.Length; i++)
        {
            spectrum[i] *= filter[i];
        }
    }

    /// <summary>Phase flipping: spectrum[i] ·= sign(ctf[i]) (zeros of the CTF keep their value).</summary>
    public static void PhaseFlip(Span<ComplexF> spectrum, ReadOnlySpan<float> ctf)
    {
        if (ctf.Length < spectrum.Length)
        {
            throw new ArgumentException($"CTF holds {ctf.Length} values; the spectrum has {spectrum.Length}.");
        }

        for (int i = 0; i < spectrum.Length; i++)
        {
            if (ctf[i] < 0)
            {
                spectrum[i] = -spectrum[i];
            }
        }
    }
}
