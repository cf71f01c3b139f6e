using CryoSharp.Imaging;
using CryoSharp.Numerics;

namespace CryoSharp.Particles;

/// <summary>
/// Images multiplied by a soft circular mask about the centre (<see cref="SphericalMask"/>: 1 inside the radius, a
/// raised-cosine edge, 0 outside), as RELION masks particles to their diameter.
/// </summary>
public sealed class MaskedParticleSource : TransformedParticleSource
{
    private readonly SphericalMask mask;

    /// <summary>Masks the images of <paramref name="inner"/>.</summary>
    /// <param name="inner">The particles.</param>
    /// <param name="radiusA">Radius of the mask in Å (half the particle diameter).</param>
    /// <param name="edgeWidthA">Width of the soft edge in Å.</param>
    /// <param name="context">Threads.</param>
    public MaskedParticleSource(IParticleSource inner, double radiusA, double edgeWidthA, ComputeContext? context = null)
        : base(inner, inner.Box, inner.PixelSizeA, context)
    {
        InvalidParameterException.ThrowIfNotPositive("mask radius (Å)", radiusA);
        if (!(edgeWidthA >= 0))
        {
            throw new InvalidParameterException("mask edge (Å)", edgeWidthA, "must not be negative");
        }

        mask = new SphericalMask(GridShape.Square(inner.Box), radiusA / inner.PixelSizeA, edgeWidthA / inner.PixelSizeA);
    }

    /// <inheritdoc/>
    protected override string Step => $"masked at {mask.RadiusPx:0.#} px";

    /// <inheritdoc/>
    protected override void Transform(ReadOnlySpan<float> input, Span<float> output, int index, object? workspace)
    {
        input.CopyTo(output);
        mask.Apply(output);
    }
}
