using CryoSharp.Imaging;
using CryoSharp.Numerics;

namespace CryoSharp.Particles;

/// <summary>
/// Images windowed in real space about their centre n/2 to another box (cropped, or padded with zeros), at the same
/// pixel size (<see cref="RealSpaceWindow"/>, as RELION windows).
/// </summary>
public sealed class CroppedParticleSource : TransformedParticleSource
{
    /// <summary>Windows the images of <paramref name="inner"/> to <paramref name="box"/> pixels.</summary>
    public CroppedParticleSource(IParticleSource inner, int box, ComputeContext? context = null)
        : base(inner, box >= 1 ? box : throw new InvalidParameterException("box (px)", box, "must be at least 1"), inner.PixelSizeA, context, Resized(inner, box))
    {
    }

    /// <inheritdoc/>
    protected override string Step => $"windowed to {Box} px";

    /// <inheritdoc/>
    protected override void Transform(ReadOnlySpan<float> input, Span<float> output, int index, object? workspace) =>
        RealSpaceWindow.Window(input, GridShape.Square(Inner.Box), output, GridShape.Square(Box));

    private static ParticleRecord[] Resized(IParticleSource inner, int box)
    {
        ArgumentNullException.ThrowIfNull(inner);
        var records = new ParticleRecord[inner.Count];
        for (int i = 0; i < records.Length; i++)
        {
            var r = inner.Records[i];
            records[i] = r with { Optics = r.Optics with { ImageSize = box } };
        }

        return records;
    }
}
