using CryoSharp.Numerics;

namespace CryoSharp.Imaging;

/// <summary>
/// A soft-edged circular (2D) or spherical (3D) mask about the centre n/2: 1 within <see cref="RadiusPx"/>,
/// a raised-cosine fall to 0 over <see cref="EdgeWidthPx"/> beyond it, 0 outside (RELION's soft mask).
/// </summary>
public sealed class SphericalMask
{
    /// <summary>Creates the mask for a grid shape; radii in pixels.</summary>
    public SphericalMask(GridShape shape, double radiusPx, double edgeWidthPx = 3)
    {
        if (!(radiusPx >= 0))
        {
            throw new InvalidParameterException("mask radius (px)", radiusPx, "must not be negative");
        }

        if (!(edgeWidthPx >= 0))
        {
            throw new InvalidParameterException("mask edge width (px)", edgeWidthPx, "must not be negative");
        }

        Shape = shape;
        RadiusPx = radiusPx;
        EdgeWidthPx = edgeWidthPx;
        Weights = new float[shape.Length];
        int cx = shape.Nx / 2, cy = shape.Ny / 2, cz = shape.Nz / 2;
        for (int z = 0; z < shape.Nz; z++)
        {
            for (int y = 0; y < shape.Ny; y++)
            {
                double r2 = ((double)(z - cz) * (z - cz)) + ((double)(y - cy) * (y - cy));
                int row = shape.Index(0, y, z);
                for (int x = 0; x < shape.Nx; x++)
                {
                    Weights[row + x] = (float)WeightAt(Math.Sqrt(r2 + ((double)(x - cx) * (x - cx))));
                }
            }
        }
    }

    /// <summary>The grid the mask was made for.</summary>
    public GridShape Shape { get; }

    /// <summary>Radius of the flat part, in pixels.</summary>
    public double RadiusPx { get; }

    /// <summary>Width of the cosine edge, in pixels.</summary>
    public double EdgeWidthPx { get; }

    /// <summary>The mask values in [0, 1], one per sample.</summary>
    public float[] Weights { get; }

    /// <summary>The mask value at distance r (pixels) from the centre.</summary>
    public double WeightAt(double r)
    {
        if (r <= RadiusPx)
        {
            return 1;
        }

        if (r >= RadiusPx + EdgeWidthPx)
        {
            return 0;
        }

        return 0.5 + (0.5 * Math.Cos(Math.PI * (r - RadiusPx) / EdgeWidthPx));
    }

    /// <summary>
    /// Blends <paramref name="data"/> towards the mean of the samples the mask excludes (weight 0), in place: a soft
    /// mask that leaves a flat background rather than a step to zero (RELION's <c>softMaskOutsideMap</c>).
    /// </summary>
    public void ApplyToBackgroundMean(Span<float> data)
    {
        double sum = 0;
        long count = 0;
        for (int i = 0; i < Weights.Length; i++)
        {
            if (Weights[i] == 0)
            {
                sum += data[i];
                count++;
            }
        }

        Apply(data, count > 0 ? (float)(sum / count) : 0f);
    }

    /// <summary>
    /// Multiplies <paramref name="data"/> by the mask in place, blending towards <paramref name="background"/>
    /// (0 by default) where the mask is below 1.
    /// </summary>
    public void Apply(Span<float> data, float background = 0f)
    {
        if (data.Length != Weights.Length)
        {
            throw new ArgumentException($"Data holds {data.Length} samples; the mask {Shape} has {Weights.Length}.");
        }

        for (int i = 0; i < data.Length; i++)
        {
            float w = Weights[i];
            data[i] = (w * data[i]) + ((1 - w) * background);
        }
    }
}
