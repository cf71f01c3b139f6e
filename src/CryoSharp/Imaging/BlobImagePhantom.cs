using CryoSharp.Numerics;

namespace CryoSharp.Imaging;

/// <summary>
/// A 2D target for multi-target detection: Gaussian blobs of varied width and height with centres uniform in the disc
/// of radius 0.35 of the box, so that the image fills most of the disc inscribed in its box, then centred on its centre of mass
/// (<see cref="ImageCentring"/>). Scaled to unit maximum; seeded; asymmetric,
/// so that an in-plane rotation of it is visible.
/// </summary>
public static class BlobImagePhantom
{
    /// <summary>The phantom in a <paramref name="box"/> × <paramref name="box"/> image.</summary>
    /// <param name="box">Side in pixels.</param>
    /// <param name="pixelSizeA">Pixel size in Å.</param>
    /// <param name="seeds">Where the blobs come from.</param>
    /// <param name="blobs">Number of Gaussian blobs.</param>
    public static Image Create(int box, double pixelSizeA, SeedSequence seeds, int blobs = 10)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        if (box < 3)
        {
            throw new InvalidParameterException("target size", box, "must be at least 3 pixels");
        }

        var random = seeds.CreateStream();
        var image = new Image(box, box, pixelSizeA);
        double c = box / 2, radius = 0.35 * box;
        for (int b = 0; b < blobs; b++)
        {
            double r = radius * Math.Sqrt(random.NextDouble()), angle = 2 * Math.PI * random.NextDouble();
            double cx = c + (r * Math.Cos(angle)), cy = c + (r * Math.Sin(angle));
            double sigma = box * (0.06 + (0.06 * random.NextDouble())), amplitude = 0.5 + random.NextDouble();
            double inv = -0.5 / (sigma * sigma);
            for (int y = 0; y < box; y++)
            {
                for (int x = 0; x < box; x++)
                {
                    image.Data[(y * box) + x] += (float)(amplitude * Math.Exp((((x - cx) * (x - cx)) + ((y - cy) * (y - cy))) * inv));
                }
            }
        }

        ImageCentring.Centre(image);
        float max = System.Numerics.Tensors.TensorPrimitives.Max<float>(image.Data);
        System.Numerics.Tensors.TensorPrimitives.Multiply(image.Data, 1 / max, image.Data);
        return image;
    }
}
