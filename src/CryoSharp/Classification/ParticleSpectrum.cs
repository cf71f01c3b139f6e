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

    /// <summary>The image's spectrum, interleaved (re, im), in the units of an unscaled forward FFT.</summary>
    public float[] Spectrum { get; }

    /// <summary>The CTF per frequency.</summary>
    public float[] Ctf { get; }

    /// <summary>1/(2σ²(s)) per frequency: the weight of |X − C·S·R·A|² in the log-likelihood.</summary>
    public float[] NoiseWeight { get; }

    /// <summary>The particle's previous offset (x, y), in pixels: the image is the reference translated by it.</summary>
    public (double X, double Y) PreviousShiftPx { get; set; }
}
