using CryoSharp.Numerics;

namespace CryoSharp.Imaging;

/// <summary>
/// RELION-style particle normalisation (<c>relion_preprocess --norm</c>): subtract the mean of the background
/// (the pixels farther than a radius from the centre n/2) and divide by its standard deviation, so the noise
/// has zero mean and unit variance whatever the particle contributes.
/// </summary>
public static class BackgroundNormalization
{
    /// <summary>Normalises one image in place; returns the background mean and standard deviation it used.</summary>
    /// <param name="image">Pixels of one image.</param>
    /// <param name="shape">The image's shape.</param>
    /// <param name="radiusPx">Background radius in pixels (RELION's <c>--bg_radius</c>).</param>
    public static (double Mean, double StdDev) Normalize(Span<float> image, GridShape shape, double radiusPx)
    {
        if (!(radiusPx > 0))
        {
            throw new InvalidParameterException("background radius (px)", radiusPx, "must be positive");
        }

        int cx = shape.Nx / 2, cy = shape.Ny / 2;
        double r2 = radiusPx * radiusPx, sum = 0, sumSq = 0;
        long count = 0;
        for (int y = 0; y < shape.Ny; y++)
        {
            double dy2 = (double)(y - cy) * (y - cy);
            for (int x = 0; x < shape.Nx; x++)
            {
                if (dy2 + ((double)(x - cx) * (x - cx)) > r2)
                {
                    double v = image[(y * shape.Nx) + x];
                    sum += v;
                    sumSq += v * v;
                    count++;
                }
            }
        }

        if (count < 2)
        {
            throw new InvalidParameterException("background radius (px)", radiusPx,
                $"leaves fewer than two background pixels in a {shape} image");
        }

        double mean = sum / count;
        double std = Math.Sqrt(Math.Max(0, (sumSq / count) - (mean * mean)));
        if (std == 0)
        {
            throw new CryoSharpException("The image background is constant, so it cannot be normalised to unit variance.");
        }

        System.Numerics.Tensors.TensorPrimitives.Add(image[..shape.Length], (float)-mean, image);
        System.Numerics.Tensors.TensorPrimitives.Multiply(image[..shape.Length], (float)(1 / std), image);
        return (mean, std);
    }
}
