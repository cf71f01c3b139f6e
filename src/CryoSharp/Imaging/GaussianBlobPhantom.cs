using CryoSharp.Numerics;

namespace CryoSharp.Imaging;

/// <summary>
/// An asymmetric "molecule" of Gaussian blobs that needs no download: a seeded random chain of blobs (each a
/// step from the last, like domains of a protein) of varied size and density, kept within a sphere of
/// <see cref="RadiusFraction"/> of the box. It has no symmetry, so orientation and handedness are identifiable.
/// </summary>
public sealed class GaussianBlobPhantom
{
    /// <summary>Number of blobs.</summary>
    public int BlobCount { get; init; } = 24;

    /// <summary>Radius of the sphere that holds the molecule, as a fraction of the box.</summary>
    public double RadiusFraction { get; init; } = 0.3;

    /// <summary>Where the blobs' sizes, heights and places come from.</summary>
    public required SeedSequence Seeds { get; init; }

    /// <summary>Makes the phantom in a cube of side <paramref name="box"/> with voxel size <paramref name="pixelSizeA"/> Å.</summary>
    public Volume Create(int box, double pixelSizeA)
    {
        if (box < 8)
        {
            throw new InvalidParameterException("box", box, "must be at least 8 voxels");
        }

        if (BlobCount < 1)
        {
            throw new InvalidParameterException("blob count", BlobCount, "must be at least 1");
        }

        var random = Seeds.CreateStream();
        var volume = Volume.Cube(box, pixelSizeA);
        double radius = RadiusFraction * box, c = box / 2;
        double x = 0, y = 0, z = 0;
        for (int b = 0; b < BlobCount; b++)
        {
            double sigma = box * (0.03 + (0.04 * random.NextDouble()));
            double amplitude = 0.5 + random.NextDouble();

            // A step of about two blob widths, pulled back inside the sphere when it would leave it.
            double nx = x + (1.5 * sigma * random.NextGaussian()), ny = y + (1.5 * sigma * random.NextGaussian()), nz = z + (1.5 * sigma * random.NextGaussian());
            double r = Math.Sqrt((nx * nx) + (ny * ny) + (nz * nz));
            double limit = radius - (2 * sigma);
            if (r > limit)
            {
                double shrink = Math.Max(0, limit) / r;
                nx *= shrink;
                ny *= shrink;
                nz *= shrink;
            }

            (x, y, z) = (nx, ny, nz);
            AddBlob(volume, c + x, c + y, c + z, sigma, amplitude);
        }

        return volume;
    }

    private static void AddBlob(Volume volume, double cx, double cy, double cz, double sigma, double amplitude)
    {
        int n = volume.Nx;
        int reach = (int)Math.Ceiling(4 * sigma);
        double inv = -0.5 / (sigma * sigma);
        int z0 = Math.Max(0, (int)cz - reach), z1 = Math.Min(n - 1, (int)cz + reach);
        int y0 = Math.Max(0, (int)cy - reach), y1 = Math.Min(n - 1, (int)cy + reach);
        int x0 = Math.Max(0, (int)cx - reach), x1 = Math.Min(n - 1, (int)cx + reach);
        for (int z = z0; z <= z1; z++)
        {
            for (int y = y0; y <= y1; y++)
            {
                double r2 = ((z - cz) * (z - cz)) + ((y - cy) * (y - cy));
                var row = volume.Data.AsSpan(volume.Shape.Index(0, y, z), n);
                for (int x = x0; x <= x1; x++)
                {
                    row[x] += (float)(amplitude * Math.Exp((r2 + ((x - cx) * (x - cx))) * inv));
                }
            }
        }
    }
}
