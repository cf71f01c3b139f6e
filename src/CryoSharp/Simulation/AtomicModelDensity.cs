using CryoSharp.Imaging;
using CryoSharp.IO.Atoms;
using CryoSharp.Numerics;

namespace CryoSharp.Simulation;

/// <summary>
/// A density map from an atomic model (<c>cryosharp pdb2map</c>): each atom a 3D Gaussian of standard deviation
/// σ = 0.225·resolution (UCSF Chimera's <c>molmap</c> convention, σ = resolution/(π√2)) holding its atomic number
/// times its occupancy in electrons, so the map sums to the model's electron count. The model's centre of mass
/// is placed at the box centre n/2.
/// </summary>
public static class AtomicModelDensity
{
    /// <summary>σ of an atom's Gaussian per Å of resolution.</summary>
    public const double SigmaPerResolution = 0.225;

    /// <summary>Makes the map.</summary>
    /// <param name="atoms">The atoms (positions in Å).</param>
    /// <param name="box">Box size in voxels, or 0 for the smallest even box that holds the model with a 3σ margin.</param>
    /// <param name="pixelSizeA">Voxel size in Å.</param>
    /// <param name="resolutionA">Resolution in Å that sets the Gaussians' width.</param>
    /// <param name="context">Threads (one z-plane per task); null for the default.</param>
    public static Volume Create(IReadOnlyList<Atom> atoms, int box, double pixelSizeA, double resolutionA, ComputeContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(atoms);
        if (atoms.Count == 0)
        {
            throw new InvalidParameterException("atoms", 0, "the model has no atoms");
        }

        InvalidParameterException.ThrowIfNotPositive("pixel size (Å)", pixelSizeA);
        InvalidParameterException.ThrowIfNotPositive("resolution (Å)", resolutionA);
        double sigma = SigmaPerResolution * resolutionA;
        double total = 0, cx = 0, cy = 0, cz = 0;
        foreach (var a in atoms)
        {
            double w = Elements.AtomicNumber(a.Element) * a.Occupancy;
            total += w;
            cx += w * a.X;
            cy += w * a.Y;
            cz += w * a.Z;
        }

        cx /= total;
        cy /= total;
        cz /= total;
        double extent = atoms.Max(a => Math.Max(Math.Abs(a.X - cx), Math.Max(Math.Abs(a.Y - cy), Math.Abs(a.Z - cz))));
        if (box == 0)
        {
            box = 2 * (int)Math.Ceiling((extent + (3 * sigma) + pixelSizeA) / pixelSizeA);
        }

        if (box < 8)
        {
            throw new InvalidParameterException("box", box, "must be at least 8 voxels");
        }

        var volume = Volume.Cube(box, pixelSizeA);
        double sigmaPx = sigma / pixelSizeA;
        int reach = (int)Math.Ceiling(4 * sigmaPx);
        double norm = 1 / Math.Pow(2 * Math.PI * sigmaPx * sigmaPx, 1.5);
        // Voxel coordinates of every atom, sorted by z so each plane finds its atoms by binary search.
        var placed = atoms
            .Select(a => (X: ((a.X - cx) / pixelSizeA) + (box / 2), Y: ((a.Y - cy) / pixelSizeA) + (box / 2),
                Z: ((a.Z - cz) / pixelSizeA) + (box / 2), W: Elements.AtomicNumber(a.Element) * a.Occupancy * norm))
            .OrderBy(a => a.Z).ToArray();
        var zs = placed.Select(a => a.Z).ToArray();
        int span = (2 * reach) + 1;

        // One plane per task and atoms in a fixed order: every voxel sums the same terms in the same order on
        // every run, whatever the thread count.
        Parallel.For(0, box, (context ?? ComputeContext.Default).ParallelOptions, () => (Gx: new double[span], Gy: new double[span]), (z, _, local) =>
        {
            int first = LowerBound(zs, z - reach - 1);
            for (int i = first; i < placed.Length && placed[i].Z <= z + reach + 1; i++)
            {
                var a = placed[i];
                double dzv = z - a.Z;
                double wz = a.W * Math.Exp(-dzv * dzv / (2 * sigmaPx * sigmaPx));
                if (wz == 0)
                {
                    continue;
                }

                int x0 = (int)Math.Round(a.X) - reach, y0 = (int)Math.Round(a.Y) - reach;
                Profile(local.Gx, x0, a.X, sigmaPx, span);
                Profile(local.Gy, y0, a.Y, sigmaPx, span);
                for (int dy = 0; dy < span; dy++)
                {
                    int y = y0 + dy;
                    if ((uint)y >= (uint)box)
                    {
                        continue;
                    }

                    double wzy = wz * local.Gy[dy];
                    var row = volume.Data.AsSpan(((z * box) + y) * box, box);
                    for (int dx = 0; dx < span; dx++)
                    {
                        int x = x0 + dx;
                        if ((uint)x < (uint)box)
                        {
                            row[x] += (float)(wzy * local.Gx[dx]);
                        }
                    }
                }
            }

            return local;
        }, _ => { });
        return volume;
    }

    private static int LowerBound(double[] sorted, double value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private static void Profile(double[] profile, int start, double centre, double sigma, int span)
    {
        for (int i = 0; i < span; i++)
        {
            double d = start + i - centre;
            profile[i] = Math.Exp(-d * d / (2 * sigma * sigma));
        }
    }
}
