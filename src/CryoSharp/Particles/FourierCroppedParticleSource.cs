using CryoSharp.Imaging;
using CryoSharp.Numerics;

namespace CryoSharp.Particles;

/// <summary>
/// Images downsampled (or upsampled) by Fourier cropping (padding) to another box with the same field of view, so
/// the pixel size becomes p·n/n′ (<see cref="FourierResampling"/>; RELION's <c>--scale</c> in extraction).
/// </summary>
public sealed class FourierCroppedParticleSource : TransformedParticleSource
{
    /// <summary>Resamples the images of <paramref name="inner"/> to <paramref name="box"/> pixels.</summary>
    public FourierCroppedParticleSource(IParticleSource inner, int box, ComputeContext? context = null)
        : base(inner, Checked(inner, box), inner.PixelSizeA * inner.Box / box, context, Rescaled(inner, box))
    {
    }

    /// <inheritdoc/>
    protected override string Step => $"Fourier-resampled to {Box} px ({PixelSizeA:0.###} Å)";

    /// <inheritdoc/>
    protected override void Transform(ReadOnlySpan<float> input, Span<float> output, int index, object? workspace)
    {
        var image = new Image(Inner.Box, Inner.Box, Inner.PixelSizeA, input.ToArray());
        FourierResampling.Resample(image, Box).Data.CopyTo(output);
    }

    private static int Checked(IParticleSource inner, int box)
    {
        ArgumentNullException.ThrowIfNull(inner);
        return box >= 2 ? box : throw new InvalidParameterException("box (px)", box, "must be at least 2");
    }

    private static ParticleRecord[] Rescaled(IParticleSource inner, int box)
    {
        double pixel = inner.PixelSizeA * inner.Box / box;
        var records = new ParticleRecord[inner.Count];
        for (int i = 0; i < records.Length; i++)
        {
            var r = inner.Records[i];
            records[i] = r with { Optics = r.Optics with { PixelSizeA = pixel, ImageSize = box } };
        }

        return records;
    }
}
