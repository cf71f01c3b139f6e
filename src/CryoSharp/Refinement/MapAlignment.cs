using CryoSharp.Geometry;
using CryoSharp.Imaging;
using CryoSharp.Numerics;

namespace CryoSharp.Refinement;

/// <summary>The transform that best fits one map onto another.</summary>
/// <param name="Rotation">R (RELION's convention, acting on column vectors about the box centre n/2).</param>
/// <param name="Reflected">Whether the moving map is inverted through its centre first (the other hand).</param>
/// <param name="ShiftA">The translation t applied after the rotation, in Å: aligned(x) = moving(Rᵀ(x − c − t) + c).</param>
/// <param name="Correlation">The real-space correlation of the aligned map with the fixed one, inside the sphere of the box, at the search resolution.</param>
public sealed record MapAlignmentResult(Matrix3 Rotation, bool Reflected, Vector3d ShiftA, double Correlation);

/// <summary>
/// Fits a map onto a reference by rotation, translation and, optionally, hand — to compare an ab initio or
/// moment-based map, refined in a frame of its own, with the truth. Both maps are low-passed to the search
/// resolution; a global search scores every orientation of a HEALPix grid (order 2, 15°, for each hand) by real-space
/// correlation in a sphere after matching the centres of mass, then coordinate descent refines the rotation (small
/// turns about x, y, z) and the shift down to 0.2° and 0.05 px.
/// </summary>
public static class MapAlignment
{
    /// <summary>Aligns <paramref name="moving"/> onto <paramref name="reference"/> (same box and pixel size).</summary>
    public static MapAlignmentResult Align(Volume moving, Volume reference, bool allowReflection = true, double searchResolutionA = 20, ComputeContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(moving);
        ArgumentNullException.ThrowIfNull(reference);
        if (moving.Nx != reference.Nx || moving.Ny != reference.Ny || moving.Nz != reference.Nz || !moving.Shape.IsSquareOrCubic)
        {
            throw new InvalidParameterException("maps", $"{moving.Nx}³ and {reference.Nx}³", "must be cubic and of the same box");
        }

        if (Math.Abs(moving.PixelSizeA - reference.PixelSizeA) > 1e-3 * reference.PixelSizeA)
        {
            throw new InvalidParameterException("maps", $"{moving.PixelSizeA:0.###} and {reference.PixelSizeA:0.###} Å/px", "must have the same pixel size");
        }

        var ctx = context ?? ComputeContext.Default;
        var a = LowPassFilter.Apply(moving, searchResolutionA, "--search-resolution");
        var b = LowPassFilter.Apply(reference, searchResolutionA, "--search-resolution");
        int n = a.Nx;

        // The global search on maps brought to about two pixels per resolution element, for speed.
        int small = Math.Min(n, Math.Max(16, 2 * (int)Math.Ceiling(n * a.PixelSizeA / searchResolutionA)));
        var aSmall = (Volume)FourierResampling.Resample(a, small);
        var bSmall = (Volume)FourierResampling.Resample(b, small);
        double scale = (double)small / n;
        var grid = new OrientationGrid(2);
        MapAlignmentResult? best = null;
        foreach (bool reflected in allowReflection ? new[] { false, true } : [false])
        {
            var scores = new double[grid.Count];
            Parallel.For(0, grid.Count, ctx.ParallelOptions, o => scores[o] = Correlation(aSmall, bSmall, grid[o].ToMatrix(), reflected, RotatedShift(aSmall, bSmall, grid[o].ToMatrix(), reflected)));
            int arg = Array.IndexOf(scores, scores.Max());
            var r = grid[arg].ToMatrix();
            var candidate = new MapAlignmentResult(r, reflected, (1 / scale) * a.PixelSizeA * RotatedShift(aSmall, bSmall, r, reflected), scores[arg]);
            if (best is null || candidate.Correlation > best.Correlation)
            {
                best = candidate;
            }
        }

        // Coordinate descent at the full box: turns about x, y, z and steps along them, halved when nothing improves.
        var rotation = best!.Rotation;
        var shift = (1 / a.PixelSizeA) * best.ShiftA;
        double score = Correlation(a, b, rotation, best.Reflected, shift);
        double angle = 4 * Math.PI / 180, step = 1;
        Vector3d[] axes = [new(1, 0, 0), new(0, 1, 0), new(0, 0, 1)];
        while (angle > 0.2 * Math.PI / 180 || step > 0.05)
        {
            bool improved = false;
            foreach (var axis in axes)
            {
                foreach (double sign in new[] { 1.0, -1.0 })
                {
                    if (angle > 0.2 * Math.PI / 180)
                    {
                        var turned = UnitQuaternion.FromAxisAngle(axis, sign * angle).ToMatrix() * rotation;
                        double s = Correlation(a, b, turned, best.Reflected, shift);
                        if (s > score)
                        {
                            (rotation, score, improved) = (turned, s, true);
                        }
                    }

                    if (step > 0.05)
                    {
                        var moved = shift + ((sign * step) * axis);
                        double s = Correlation(a, b, rotation, best.Reflected, moved);
                        if (s > score)
                        {
                            (shift, score, improved) = (moved, s, true);
                        }
                    }
                }
            }

            if (!improved)
            {
                angle /= 2;
                step /= 2;
            }
        }

        return new MapAlignmentResult(rotation, best.Reflected, a.PixelSizeA * shift, score);
    }

    /// <summary>The moving map transformed: (inverted through the centre if reflected, then) aligned(x) = moving(Rᵀ(x − c − t) + c), trilinear.</summary>
    public static Volume Apply(Volume moving, MapAlignmentResult alignment)
    {
        ArgumentNullException.ThrowIfNull(moving);
        ArgumentNullException.ThrowIfNull(alignment);
        return Transformed(moving, alignment.Rotation, alignment.Reflected, (1 / moving.PixelSizeA) * alignment.ShiftA);
    }

    /// <summary>The shift (pixels) that matches the centres of mass after rotating.</summary>
    private static Vector3d RotatedShift(Volume moving, Volume reference, Matrix3 r, bool reflected)
    {
        double c = moving.Nx / 2;
        var com = CentreOfMass(moving) - new Vector3d(c, c, c);
        if (reflected)
        {
            com = -1 * com;
        }

        var turned = r * com;
        return CentreOfMass(reference) - new Vector3d(c, c, c) - turned;
    }

    private static Vector3d CentreOfMass(Volume v)
    {
        int n = v.Nx;
        double sum = 0, x = 0, y = 0, z = 0;
        for (int k = 0; k < n; k++)
        {
            for (int j = 0; j < n; j++)
            {
                for (int i = 0; i < n; i++)
                {
                    double d = v[i, j, k];
                    if (d > 0)
                    {
                        sum += d;
                        x += d * i;
                        y += d * j;
                        z += d * k;
                    }
                }
            }
        }

        return sum > 0 ? new Vector3d(x / sum, y / sum, z / sum) : new Vector3d(n / 2, n / 2, n / 2);
    }

    private static Volume Transformed(Volume v, Matrix3 r, bool reflected, Vector3d shiftPx)
    {
        int n = v.Nx;
        double c = n / 2;
        var result = Volume.Cube(n, v.PixelSizeA);
        var rt = r.Transpose();
        for (int k = 0; k < n; k++)
        {
            for (int j = 0; j < n; j++)
            {
                for (int i = 0; i < n; i++)
                {
                    var p = rt * new Vector3d(i - c - shiftPx.X, j - c - shiftPx.Y, k - c - shiftPx.Z);
                    if (reflected)
                    {
                        p = -1 * p;
                    }

                    result[i, j, k] = (float)Sample(v, p.X + c, p.Y + c, p.Z + c);
                }
            }
        }

        return result;
    }

    /// <summary>Correlation of the transformed moving map with the reference inside the sphere of radius n/2 − 1.</summary>
    private static double Correlation(Volume moving, Volume reference, Matrix3 r, bool reflected, Vector3d shiftPx)
    {
        int n = moving.Nx;
        double c = n / 2, limit = ((n / 2) - 1) * ((n / 2) - 1);
        var rt = r.Transpose();
        double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
        long count = 0;
        for (int k = 0; k < n; k++)
        {
            for (int j = 0; j < n; j++)
            {
                for (int i = 0; i < n; i++)
                {
                    double dx = i - c, dy = j - c, dz = k - c;
                    if ((dx * dx) + (dy * dy) + (dz * dz) > limit)
                    {
                        continue;
                    }

                    var p = rt * new Vector3d(dx - shiftPx.X, dy - shiftPx.Y, dz - shiftPx.Z);
                    if (reflected)
                    {
                        p = -1 * p;
                    }

                    double va = Sample(moving, p.X + c, p.Y + c, p.Z + c), vb = reference[i, j, k];
                    sa += va;
                    sb += vb;
                    saa += va * va;
                    sbb += vb * vb;
                    sab += va * vb;
                    count++;
                }
            }
        }

        double cov = sab - (sa * sb / count), varA = saa - (sa * sa / count), varB = sbb - (sb * sb / count);
        return varA > 0 && varB > 0 ? cov / Math.Sqrt(varA * varB) : 0;
    }

    private static double Sample(Volume v, double x, double y, double z)
    {
        int n = v.Nx;
        int x0 = (int)Math.Floor(x), y0 = (int)Math.Floor(y), z0 = (int)Math.Floor(z);
        if (x0 < 0 || y0 < 0 || z0 < 0 || x0 >= n - 1 || y0 >= n - 1 || z0 >= n - 1)
        {
            return 0;
        }

        double fx = x - x0, fy = y - y0, fz = z - z0;
        var d = v.Data;
        int row = n, slab = n * n, at = (z0 * slab) + (y0 * row) + x0;
        double c00 = d[at] + (fx * (d[at + 1] - d[at]));
        double c01 = d[at + row] + (fx * (d[at + row + 1] - d[at + row]));
        double c10 = d[at + slab] + (fx * (d[at + slab + 1] - d[at + slab]));
        double c11 = d[at + slab + row] + (fx * (d[at + slab + row + 1] - d[at + slab + row]));
        double c0 = c00 + (fy * (c01 - c00)), c1 = c10 + (fy * (c11 - c10));
        return c0 + (fz * (c1 - c0));
    }
}
