using System.Numerics.Tensors;
using CryoSharp.Geometry;

namespace CryoSharp.Synchronization;

/// <summary>
/// The rotation Q maximising a band-limited function on SO(3), f(Q) = Σ_ℓ Σ_ab w^ℓ_ab·D^ℓ_ab(Q) (ℓ = 1..L): the best
/// point of a coarse orientation grid whose spacing is below half the main lobe of the degree-L kernel, then the
/// best of the 8 children at each of a few finer levels. The coarse grid's Wigner-D values are computed once and
/// scored with SIMD dot products. Thread-safe.
/// </summary>
internal sealed class So3PeakSearch
{
    private readonly RealWignerD wigner;
    private readonly int maxDegree;
    private readonly int total;
    private readonly OrientationGrid[] grids;
    private readonly float[] coarse;

    public So3PeakSearch(RealWignerD wigner, int maxDegree, int refinements, Numerics.ComputeContext? context = null)
    {
        this.wigner = wigner;
        this.maxDegree = maxDegree;
        total = RealWignerD.TotalSize(maxDegree);

        // The kernel Σ(2ℓ+1)χ_ℓ has its first zero near 2π/(L + 1.5); the grids of order 1, 2, 3 are about
        // 30°, 15° and 7.5° apart.
        int order = maxDegree <= 3 ? 1 : maxDegree <= 6 ? 2 : 3;
        grids = new OrientationGrid[refinements + 1];
        for (int level = 0; level <= refinements; level++)
        {
            grids[level] = new OrientationGrid(order + level);
        }

        int count = grids[0].Count;
        coarse = new float[(long)count * total];
        Parallel.For(0, count, (context ?? Numerics.ComputeContext.Default).ParallelOptions, () => new double[total], (g, _, values) =>
        {
            wigner.ComputeAll(grids[0][g].ToMatrix(), maxDegree, values);
            for (int c = 0; c < total; c++)
            {
                coarse[((long)g * total) + c] = (float)values[c];
            }

            return values;
        }, _ => { });
    }

    /// <summary>The maximiser for the weights <paramref name="w"/> (concatenated per degree like the D matrices).</summary>
    public Matrix3 Peak(ReadOnlySpan<double> w)
    {
        Span<float> weights = stackalloc float[total];
        for (int c = 0; c < total; c++)
        {
            weights[c] = (float)w[c];
        }

        int best = 0;
        float bestScore = float.NegativeInfinity;
        int count = grids[0].Count;
        for (int g = 0; g < count; g++)
        {
            float score = TensorPrimitives.Dot(weights, coarse.AsSpan(g * total, total));
            if (score > bestScore)
            {
                bestScore = score;
                best = g;
            }
        }

        Span<double> values = stackalloc double[total];
        for (int level = 1; level < grids.Length; level++)
        {
            double bestChild = double.NegativeInfinity;
            int next = 0;
            foreach (int child in grids[level - 1].Children(best))
            {
                wigner.ComputeAll(grids[level][child].ToMatrix(), maxDegree, values);
                double score = TensorPrimitives.Dot(w, values);
                if (score > bestChild)
                {
                    bestChild = score;
                    next = child;
                }
            }

            best = next;
        }

        return grids[^1][best].ToMatrix();
    }
}
