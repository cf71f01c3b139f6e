using CryoSharp.Numerics;

namespace CryoSharp.Poses;

/// <summary>
/// A distance d_p(i, j) between the projections of particles i and j that pose recovery fits the rotation distance
/// d_q to. Implementations give the raw distance of one pair; this class scores batches of pairs in parallel and finds
/// nearest neighbours by brute force (every pair scored, a bounded heap per particle).
/// </summary>
public abstract class PairDistance
{
    /// <summary>Particles the distance is defined on.</summary>
    public abstract int Count { get; }

    /// <summary>What the distance is, for reports ("exact", "euclidean", "euclidean, in-plane aligned", "learned").</summary>
    public abstract string Name { get; }

    /// <summary>Doubles of per-thread scratch <see cref="Distance"/> needs.</summary>
    protected internal virtual int ScratchLength => 0;

    /// <summary>The distance of one pair.</summary>
    /// <param name="i">First particle.</param>
    /// <param name="j">Second particle.</param>
    /// <param name="scratch">At least <see cref="ScratchLength"/> doubles, private to the calling thread.</param>
    protected internal abstract double Distance(int i, int j, Span<double> scratch);

    /// <summary>The distances of the pairs (<paramref name="first"/>[p], <paramref name="second"/>[p]), in parallel.</summary>
    public virtual void Compute(int[] first, int[] second, float[] distances, ComputeContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        ArgumentNullException.ThrowIfNull(distances);
        if (second.Length != first.Length || distances.Length < first.Length)
        {
            throw new ArgumentException($"Need as many second particles and distances as first ones ({first.Length}).");
        }

        const int Chunk = 1024;
        int chunks = (first.Length + Chunk - 1) / Chunk;
        Parallel.For(0, chunks, (context ?? ComputeContext.Default).ParallelOptions, () => new double[ScratchLength], (c, _, scratch) =>
        {
            int end = Math.Min(first.Length, (c + 1) * Chunk);
            for (int p = c * Chunk; p < end; p++)
            {
                distances[p] = (float)Distance(first[p], second[p], scratch);
            }

            return scratch;
        }, _ => { });
    }

    /// <summary>
    /// For every particle its <paramref name="neighbours"/> nearest others under this distance, nearest first: every
    /// pair is scored (n²/2 distances), in parallel over particles.
    /// </summary>
    public virtual int[][] Neighbours(int neighbours, ComputeContext? context = null)
    {
        int n = Count, want = Math.Min(neighbours, n - 1);
        var result = new int[n][];
        if (want < 1)
        {
            Array.Fill(result, []);
            return result;
        }

        Parallel.For(0, n, (context ?? ComputeContext.Default).ParallelOptions, () => (Nearest: new NearestSet(want), Scratch: new double[ScratchLength]), (i, _, local) =>
        {
            local.Nearest.Clear();
            for (int j = 0; j < n; j++)
            {
                if (j != i)
                {
                    local.Nearest.Offer(j, Distance(i, j, local.Scratch));
                }
            }

            result[i] = local.Nearest.TakeNearestFirst();
            return local;
        }, _ => { });
        return result;
    }
}
