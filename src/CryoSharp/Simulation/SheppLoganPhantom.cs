using CryoSharp.Imaging;

namespace CryoSharp.Simulation;

/// <summary>
/// The 3D Shepp–Logan head phantom: ten ellipsoids (the modified intensities of Toft, as in Schabel's
/// <c>phantom3d</c>), in a cube whose half-side is 1. A classic, symmetric-looking test object with sharp edges.
/// </summary>
public static class SheppLoganPhantom
{
    // A, semi-axes (a, b, c), centre (x0, y0, z0), rotation about z (degrees).
    private static readonly double[][] Ellipsoids =
    [
        [1.0, 0.6900, 0.920, 0.810, 0, 0, 0, 0],
        [-0.8, 0.6624, 0.874, 0.780, 0, -0.0184, 0, 0],
        [-0.2, 0.1100, 0.310, 0.220, 0.22, 0, 0, -18],
        [-0.2, 0.1600, 0.410, 0.280, -0.22, 0, 0, 18],
        [0.1, 0.2100, 0.250, 0.410, 0, 0.35, -0.15, 0],
        [0.1, 0.0460, 0.046, 0.050, 0, 0.1, 0.25, 0],
        [0.1, 0.0460, 0.046, 0.050, 0, -0.1, 0.25, 0],
        [0.1, 0.0460, 0.023, 0.050, -0.08, -0.605, 0, 0],
        [0.1, 0.0230, 0.023, 0.020, 0, -0.606, 0, 0],
        [0.1, 0.0230, 0.046, 0.020, 0.06, -0.605, 0, 0],
    ];

    /// <summary>The phantom in a cube of side <paramref name="box"/>, filling <paramref name="extent"/> of the box.</summary>
    public static Volume Create(int box, double pixelSizeA, double extent = 0.8)
    {
        if (box < 8)
        {
            throw new InvalidParameterException("box", box, "must be at least 8 voxels");
        }

        var volume = Volume.Cube(box, pixelSizeA);
        double half = extent * box / 2;
        int c = box / 2;
        foreach (var e in Ellipsoids)
        {
            var (s, co) = Math.SinCos(e[7] * Math.PI / 180);
            for (int z = 0; z < box; z++)
            {
                double pz = (z - c) / half - e[6];
                for (int y = 0; y < box; y++)
                {
                    double py = (y - c) / half - e[5];
                    for (int x = 0; x < box; x++)
                    {
                        double px = (x - c) / half - e[4];

                        // Coordinates in the ellipsoid's own frame (rotated about z).
                        double u = (co * px) + (s * py), v = (-s * px) + (co * py);
                        double q = (u * u / (e[1] * e[1])) + (v * v / (e[2] * e[2])) + (pz * pz / (e[3] * e[3]));
                        if (q <= 1)
                        {
                            volume[x, y, z] += (float)e[0];
                        }
                    }
                }
            }
        }

        return volume;
    }
}
