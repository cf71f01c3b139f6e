using CryoSharp.Imaging;
using CryoSharp.Numerics;
using CryoSharp.Numerics.Fft;

namespace CryoSharp.Particles;

/// <summary>
/// Images corrected for their CTF, image by image: phase-flipped (the records then say so, as RELION's
/// rlnCtfDataArePhaseFlipped does, so that a reconstruction applies |CTF| rather than the CTF again) or
/// Wiener-filtered with a constant 1/SSNR (the records then carry no CTF: it has been divided out).
/// </summary>
public sealed class CtfCorrectedParticleSource : TransformedParticleSource
{
    /// <summary>Corrects the images of <paramref name="inner"/>.</summary>
    /// <param name="inner">Particles with CTF parameters.</param>
    /// <param name="correction">Phase flip or Wiener filter.</param>
    /// <param name="wienerConstant">K = 1/SSNR of the Wiener filter (positive), unused for flipping.</param>
    /// <param name="context">Threads.</param>
    public CtfCorrectedParticleSource(IParticleSource inner, CtfCorrection correction, double wienerConstant = 0.1, ComputeContext? context = null)
        : base(inner, inner.Box, inner.PixelSizeA, context, Corrected(inner, correction))
    {
        if (correction == CtfCorrection.Wiener && !(wienerConstant > 0))
        {
            throw new InvalidParameterException("--wiener-constant", wienerConstant, "must be positive");
        }

        Correction = correction;
        WienerConstant = wienerConstant;
    }

    /// <summary>The correction.</summary>
    public CtfCorrection Correction { get; }

    /// <summary>K of the Wiener filter.</summary>
    public double WienerConstant { get; }

    /// <inheritdoc/>
    protected override string Step => Correction == CtfCorrection.Flip ? "phase-flipped" : $"Wiener-filtered (K = {WienerConstant})";

    /// <inheritdoc/>
    protected override object? CreateWorkspace()
    {
        var shape = GridShape.Square(Box);
        return (new ComplexF[shape.HalfComplexLength], new float[shape.HalfComplexLength]);
    }

    /// <inheritdoc/>
    protected override void Transform(ReadOnlySpan<float> input, Span<float> output, int index, object? workspace)
    {
        var (spectrum, ctf) = ((ComplexF[], float[]))workspace!;
        var shape = GridShape.Square(Box);
        var model = ParticleRecords.ValidatedCtf(Inner.Records[index], Inner.Description);
        Fft.Forward(input, shape, spectrum, context: Context);
        model.Fill(ctf, Box, PixelSizeA);
        if (Correction == CtfCorrection.Flip)
        {
            SpectrumFilter.PhaseFlip(spectrum, ctf);
        }
        else
        {
            WienerFilter.Apply(spectrum, ctf, Box, [WienerConstant]);
        }

        Fft.Inverse(spectrum, shape, output, context: Context);
    }

    private static ParticleRecord[] Corrected(IParticleSource inner, CtfCorrection correction)
    {
        ArgumentNullException.ThrowIfNull(inner);
        var records = new ParticleRecord[inner.Count];
        for (int i = 0; i < records.Length; i++)
        {
            var r = inner.Records[i];
            if (r.Optics.CtfPhaseFlipped || r.Optics.CtfPremultiplied)
            {
                throw new InvalidFileException(inner.Description, $"particle {i + 1}'s images are already CTF-corrected (phase-flipped or premultiplied); correcting them again would be wrong", r.StarLine);
            }

            records[i] = correction == CtfCorrection.Flip
                ? r with { Optics = r.Optics with { CtfPhaseFlipped = true } }
                : r with { Ctf = null };
        }

        return records;
    }
}
