using CryoSharp.Numerics;
using CryoSharp.Particles;

namespace CryoSharp.Classification;

/// <summary>
/// One particle as the E-step sees it, packed on the slices' <see cref="FourierPixelSet"/>: its spectrum X, its CTF
/// (1 where none is modelled; |CTF| for phase-flipped images), the noise weights 1/(2σ²(s)) of its optics group,
/// and the offset it had after the previous iteration (searches are centred there).
/// </summary>
public sealed class ParticleSpectrum
{
    /// <summary>Buffers for <paramref name="frequencies"/> packed frequencies.</summary>
    public ParticleSpectrum(int frequencies)
    {
        Spectrum = new float[2 * frequencies];
        Ctf = new float[frequencies];
        NoiseWeight = new float[frequencies];
    }

    /// <summary>
    /// Loads one particle: its half-complex <paramref name="spectrum"/> gathered onto <paramref name="pixels"/>, the noise
    /// weights of its optics group, and its CTF (with <paramref name="ctf"/> and a model; |CTF| for phase-flipped images;
    /// otherwise 1). <paramref name="ctfStep"/> is the frequency step 1/(box·pixel size) in 1/Å.
    /// </summary>
    public void Load(FourierPixelSet pixels, ReadOnlySpan<ComplexF> spectrum, ReadOnlySpan<float> noiseWeight, ParticleRecord record, bool ctf, double ctfStep)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(record);
        pixels.Gather(spectrum, Spectrum);
        noiseWeight.CopyTo(NoiseWeight);
        if (ctf && record.Ctf is { } model)
        {
            model.Fill(Ctf, pixels.Kx, pixels.Ky, ctfStep);
            if (record.Optics.CtfPhaseFlipped)
            {
                for (int f = 0; f < Ctf.Length; f++)
                {
                    Ctf[f] = Math.Abs(Ctf[f]);
                }
            }
        }
        else
        {
            Array.Fill(Ctf, 1f);
        }
    }

    /// <summary>The image's spectrum, interleaved (re, im), in the units of an unscaled forward FFT.</summary>
    public float[] Spectrum { get; }

    /// <summary>The CTF per frequency.</summary>
    public float[] Ctf { get; }

    /// <summary>1/(2σ²(s)) per frequency: the weight of |X − C·S·R·A|² in the log-likelihood.</summary>
    public float[] NoiseWeight { get; }

    /// <summary>
    /// The coarse slices a local search scores (the first <see cref="CandidateCount"/>); null to score every slice.
    /// </summary>
    public int[]? Candidates { get; set; }

    /// <summary>The log prior of each candidate (the Gaussian prior on the change of pose), added to its slice's own.</summary>
    public double[]? CandidateLogPrior { get; set; }

    /// <summary>Number of candidates in use.</summary>
    public int CandidateCount { get; set; }

    /// <summary>The particle's previous offset (x, y), in pixels: the image is the reference translated by it.</summary>
    public (double X, double Y) PreviousShiftPx { get; set; }
}
