using CryoSharp.Imaging;
using CryoSharp.Numerics;

namespace CryoSharp.Particles;

/// <summary>
/// Images normalised as <c>relion_preprocess --norm</c> does (<see cref="BackgroundNormalization"/>): the background
/// outside a radius gets zero mean and unit standard deviation.
/// </summary>
public sealed class NormalizedParticleSource : TransformedParticleSource
{
    /// <summary>Normalises the images of <paramref name="inner"/> with a background radius in Å.</summary>
    public NormalizedParticleSource(IParticleSource inner, double backgroundRadiusA, ComputeContext? context = null)
        : base(inner, inner.Box, inner.PixelSizeA, context)
    {
        InvalidParameterException.ThrowIfNotPositive("background radius (Å)", backgroundRadiusA);
        RadiusPx = backgroundRadiusA / inner.PixelSizeA;
        if (RadiusPx >= inner.Box / 2.0 * Math.Sqrt(2))
        {
            throw new InvalidParameterException("background radius (Å)", backgroundRadiusA, $"leaves no background in a {inner.Box}-pixel box of {inner.PixelSizeA} Å pixels");
        }
    }

    /// <summary>The background radius in pixels.</summary>
    public double RadiusPx { get; }

    /// <inheritdoc/>
    protected override string Step => $"normalised outside {RadiusPx:0.#} px";

    /// <inheritdoc/>
    protected override void Transform(ReadOnlySpan<float> input, Span<float> output, int index, object? workspace)
    {
        input.CopyTo(output);
        BackgroundNormalization.Normalize(output, GridShape.Square(Box), RadiusPx);
    }
}
