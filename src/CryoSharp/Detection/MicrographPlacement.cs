using CryoSharp.Numerics;

namespace CryoSharp.Detection;

/// <summary>
/// Random non-overlapping placement of L × L boxes in a W × H micrograph by random sequential adsorption: candidate
/// corners are drawn uniformly and kept unless they conflict with a box already placed, until the density
/// γ = copies·L²/(W·H) is reached. Two corners conflict when both |Δx| and |Δy| are below the minimum spacing m:
/// m = 2L − 1 for <see cref="MtdSpacing.WellSeparated"/> (at least L − 1 empty pixels between boxes along x or y, so
/// that no L × L patch of the micrograph touches two copies: the model of the patch-wise approximate EM), m = L for
/// <see cref="MtdSpacing.Arbitrary"/> (boxes may touch). A grid of m × m cells, each holding at most one corner,
/// makes every test look at nine cells. Random sequential adsorption jams well below the densest packing
/// (about 0.56 of L²/m²); a density it cannot reach is an error that says what it did reach.
/// </summary>
public static class MicrographPlacement
{
    /// <summary>The densest γ the spacing allows at all: L²/m².</summary>
    public static double DensestPacking(int size, MtdSpacing spacing)
    {
        double m = MinimumSpacing(size, spacing);
        return (double)size * size / (m * m);
    }

    /// <summary>m: the smallest distance between two corners along x or y.</summary>
    public static int MinimumSpacing(int size, MtdSpacing spacing) => spacing == MtdSpacing.WellSeparated ? (2 * size) - 1 : size;

    /// <summary>Places copies of an L × L box; orientations are left at zero (the caller draws them).</summary>
    /// <param name="width">W, columns.</param>
    /// <param name="height">H, rows.</param>
    /// <param name="size">L.</param>
    /// <param name="gamma">Target density γ.</param>
    /// <param name="spacing">Placement model.</param>
    /// <param name="random">Where the corners come from.</param>
    /// <returns>The corners, sorted by row, then column.</returns>
    public static MicrographCopy[] Place(int width, int height, int size, double gamma, MtdSpacing spacing, RandomStream random)
    {
        ArgumentNullException.ThrowIfNull(random);
        int m = MinimumSpacing(size, spacing);
        if (width < 2 * m || height < 2 * m)
        {
            throw new InvalidParameterException("--size", $"{width} × {height}", $"must be at least {2 * m} pixels along each side for a target of {size} pixels");
        }

        double densest = DensestPacking(size, spacing);
        if (!(gamma > 0) || gamma > densest)
        {
            throw new InvalidParameterException("--density", gamma, $"must be in (0, {densest:0.###}] (L²/{m}²: the densest packing with this spacing)");
        }

        long wanted = (long)Math.Round(gamma * width * height / ((double)size * size));
        if (wanted < 1)
        {
            throw new InvalidParameterException("--density", gamma, $"places no copy in {width} × {height} pixels; raise it or the size");
        }

        int xRange = width - size + 1, yRange = height - size + 1;
        int cellsX = ((xRange - 1) / m) + 1, cellsY = ((yRange - 1) / m) + 1;
        var cells = new int[(long)cellsX * cellsY];
        Array.Fill(cells, -1);
        var xs = new List<int>();
        var ys = new List<int>();

        // Jamming shows as a long run of rejections; 200 per wanted copy is far past where the coverage stops growing.
        long attempts = 0, limit = (200 * wanted) + 10_000;
        while (xs.Count < wanted && attempts < limit)
        {
            attempts++;
            int x = random.NextInt(xRange), y = random.NextInt(yRange);
            int cx = x / m, cy = y / m;
            bool free = true;
            for (int dy = -1; dy <= 1 && free; dy++)
            {
                int ny = cy + dy;
                if (ny < 0 || ny >= cellsY)
                {
                    continue;
                }

                for (int dx = -1; dx <= 1; dx++)
                {
                    int nx = cx + dx;
                    if (nx < 0 || nx >= cellsX)
                    {
                        continue;
                    }

                    int other = cells[((long)ny * cellsX) + nx];
                    if (other >= 0 && Math.Abs(xs[other] - x) < m && Math.Abs(ys[other] - y) < m)
                    {
                        free = false;
                        break;
                    }
                }
            }

            if (free)
            {
                cells[((long)cy * cellsX) + cx] = xs.Count;
                xs.Add(x);
                ys.Add(y);
            }
        }

        if (xs.Count < wanted)
        {
            double reached = (double)xs.Count * size * size / ((double)width * height);
            throw new InvalidParameterException("--density", gamma, $"is more than random placement reaches with this spacing (it jammed at γ = {reached:0.###})");
        }

        var copies = new MicrographCopy[xs.Count];
        for (int i = 0; i < copies.Length; i++)
        {
            copies[i] = new MicrographCopy(xs[i], ys[i], 0, 0, 0);
        }

        Array.Sort(copies, (a, b) => a.Y != b.Y ? a.Y.CompareTo(b.Y) : a.X.CompareTo(b.X));
        return copies;
    }
}
