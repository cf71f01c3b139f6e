using CryoSharp.Geometry;
using CryoSharp.Imaging;

namespace CryoSharp.Tests.Support;

/// <summary>
/// The projection by its definition, p(x, y) = Σ_z V(Aᵀ(x, y, z)), with trilinear interpolation of the map in real
/// space at unit steps along z: a slow reference independent of any Fourier transform.
/// </summary>
public static class RealSpaceProjector
{
    public static float[] Project(Volume volume, Matrix3 a)
    {
        int n = volume.Nx, c = n / 2;
        var image = new float[n * n];
        var at = a.Transpose();
        for (int y = 0; y < n; y++)
        {
            for (int x = 0; x < n; x++)
            {
                double sum = 0;
                for (int z = -n; z <= n; z++)
                {
                    var p = at * new Vector3d(x - c, y - c, z);
                    sum += Trilinear(volume, p.X + c, p.Y + c, p.Z + c);
                }

                image[(y * n) + x] = (float)sum;
            }
        }

        return image;
    }

    private static double Trilinear(Volume v, double x, double y, double z)
    {
        int x0 = (int)Math.Floor(x), y0 = (int)Math.Floor(y), z0 = (int)Math.Floor(z);
        double fx = x - x0, fy = y - y0, fz = z - z0, sum = 0;
        for (int dz = 0; dz < 2; dz++)
        {
            for (int dy = 0; dy < 2; dy++)
            {
                for (int dx = 0; dx < 2; dx++)
                {
                    int xi = x0 + dx, yi = y0 + dy, zi = z0 + dz;
                    if (xi < 0 || yi < 0 || zi < 0 || xi >= v.Nx || yi >= v.Ny || zi >= v.Nz)
                    {
                        continue;
                    }

                    sum += (dx == 0 ? 1 - fx : fx) * (dy == 0 ? 1 - fy : fy) * (dz == 0 ? 1 - fz : fz) * v[xi, yi, zi];
                }
            }
        }

        return sum;
    }
}
