namespace CryoSharp.Imaging;

/// <summary>
/// The exact Euclidean distance transform of a 3D binary grid (Felzenszwalb and Huttenlocher, "Distance transforms of
/// sampled functions", 2012): for every voxel, the distance in voxels to the nearest voxel that is set. Three
/// separable passes of the 1D lower envelope of parabolas, O(N) in all.
/// </summary>
public static class DistanceTransform
{
    /// <summary>Distances (voxels) from every voxel of a grid of <paramref name="nx"/>·<paramref name="ny"/>·<paramref name="nz"/> to the nearest set one.</summary>
    public static float[] Compute(ReadOnlySpan<bool> set, int nx, int ny, int nz)
    {
        if (set.Length != nx * ny * nz)
        {
            throw new ArgumentException($"{set.Length} voxels are not {nx} × {ny} × {nz}.", nameof(set));
        }

        const double far = 1e20;
        var d = new double[set.Length];
        for (int i = 0; i < d.Length; i++)
        {
            d[i] = set[i] ? 0 : far;
        }

        int longest = Math.Max(nx, Math.Max(ny, nz));
        var f = new double[longest];
        var g = new double[longest];
        var v = new int[longest];
        var z = new double[longest + 1];
        for (int k = 0; k < nz; k++)
        {
            for (int j = 0; j < ny; j++)
            {
                Pass(d, ((k * ny) + j) * nx, 1, nx, f, g, v, z);
            }
        }

        for (int k = 0; k < nz; k++)
        {
            for (int i = 0; i < nx; i++)
            {
                Pass(d, (k * ny * nx) + i, nx, ny, f, g, v, z);
            }
        }

        for (int j = 0; j < ny; j++)
        {
            for (int i = 0; i < nx; i++)
            {
                Pass(d, (j * nx) + i, nx * ny, nz, f, g, v, z);
            }
        }

        var result = new float[d.Length];
        for (int i = 0; i < d.Length; i++)
        {
            result[i] = (float)Math.Sqrt(d[i]);
        }

        return result;
    }

    /// <summary>The 1D squared distance transform of the line starting at <paramref name="start"/> with <paramref name="stride"/>.</summary>
    private static void Pass(double[] d, int start, int stride, int n, double[] f, double[] g, int[] v, double[] z)
    {
        for (int q = 0; q < n; q++)
        {
            f[q] = d[start + (q * stride)];
        }

        int k = 0;
        v[0] = 0;
        z[0] = double.NegativeInfinity;
        z[1] = double.PositiveInfinity;
        for (int q = 1; q < n; q++)
        {
            double s = ((f[q] + ((double)q * q)) - (f[v[k]] + ((double)v[k] * v[k]))) / (2.0 * (q - v[k]));
            while (s <= z[k])
            {
                k--;
                s = ((f[q] + ((double)q * q)) - (f[v[k]] + ((double)v[k] * v[k]))) / (2.0 * (q - v[k]));
            }

            k++;
            v[k] = q;
            z[k] = s;
            z[k + 1] = double.PositiveInfinity;
        }

        k = 0;
        for (int q = 0; q < n; q++)
        {
            while (z[k + 1] < q)
            {
                k++;
            }

            g[q] = ((double)(q - v[k]) * (q - v[k])) + f[v[k]];
        }

        for (int q = 0; q < n; q++)
        {
            d[start + (q * stride)] = g[q];
        }
    }
}
