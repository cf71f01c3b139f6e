using CryoSharp.Geometry;
using CryoSharp.Numerics;

namespace CryoSharp.Poses;

/// <summary>
/// The oracle distance: the geodesic angle d_q = 2 arccos |⟨qᵢ, qⱼ⟩| (radians) between the particles' known
/// orientations. Recovery from it measures the optimiser alone, with nothing lost to the images.
/// </summary>
public sealed class RotationPairDistance : PairDistance
{
    private readonly double[] q;

    /// <summary>The distance between the given orientations.</summary>
    public RotationPairDistance(IReadOnlyList<UnitQuaternion> orientations)
    {
        ArgumentNullException.ThrowIfNull(orientations);
        q = new double[4 * orientations.Count];
        for (int i = 0; i < orientations.Count; i++)
        {
            (q[4 * i], q[(4 * i) + 1], q[(4 * i) + 2], q[(4 * i) + 3]) = (orientations[i].W, orientations[i].X, orientations[i].Y, orientations[i].Z);
        }
    }

    /// <inheritdoc/>
    public override int Count => q.Length / 4;

    /// <inheritdoc/>
    public override string Name => "exact";

    /// <inheritdoc/>
    protected internal override double Distance(int i, int j, Span<double> scratch) => QuaternionGeometry.Distance(q.AsSpan(4 * i, 4), q.AsSpan(4 * j, 4));

    /// <inheritdoc/>
    public override int[][] Neighbours(int neighbours, ComputeContext? context = null)
    {
        // The distance falls as |⟨qᵢ, qⱼ⟩| grows, so the nearest are the largest |dot|: four multiply–adds a pair.
        int n = Count, want = Math.Min(neighbours, n - 1);
        var result = new int[n][];
        if (want < 1)
        {
            Array.Fill(result, []);
            return result;
        }

        Parallel.For(0, n, (context ?? ComputeContext.Default).ParallelOptions, () => new NearestSet(want), (i, _, nearest) =>
        {
            nearest.Clear();
            double w = q[4 * i], x = q[(4 * i) + 1], y = q[(4 * i) + 2], z = q[(4 * i) + 3];
            for (int j = 0; j < n; j++)
            {
                if (j != i)
                {
                    // −|dot| orders the pairs as the angle does.
                    nearest.Offer(j, -Math.Abs((w * q[4 * j]) + (x * q[(4 * j) + 1]) + (y * q[(4 * j) + 2]) + (z * q[(4 * j) + 3])));
                }
            }

            result[i] = nearest.TakeNearestFirst();
            return nearest;
        }, _ => { });
        return result;
    }
}
