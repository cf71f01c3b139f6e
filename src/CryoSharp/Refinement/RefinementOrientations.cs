using CryoSharp.Geometry;

namespace CryoSharp.Refinement;

/// <summary>
/// The orientations one refinement iteration searches: the coarse <see cref="OrientationGrid"/> of HEALPix order n
/// (directions × in-plane angles, 60°/2ⁿ apart) and, for adaptive oversampling, each coarse orientation's 8 children
/// on the grid of order n + 1. Local searches (RELION's auto-refine after a given order) keep only the coarse
/// orientations within 3σ of a particle's previous pose, each with a Gaussian prior on the rotation between them.
/// </summary>
public sealed class RefinementOrientations
{
    /// <summary>Fine orientations per coarse one (4 directions × 2 in-plane angles).</summary>
    public const int ChildrenPerCoarse = 8;

    private readonly double[] quaternions;

    /// <summary>The sampling of HEALPix order <paramref name="order"/> (0 to 5).</summary>
    public RefinementOrientations(int order)
    {
        if (order is < 0 or > 5)
        {
            throw new InvalidParameterException("--healpix-order", order, "must be 0 to 5 (60° to 1.9°)");
        }

        Coarse = new OrientationGrid(order);
        Fine = new OrientationGrid(order + 1);
        quaternions = new double[4 * Coarse.Count];
        for (int o = 0; o < Coarse.Count; o++)
        {
            var q = UnitQuaternion.FromEuler(Coarse[o]);
            quaternions[4 * o] = q.W;
            quaternions[(4 * o) + 1] = q.X;
            quaternions[(4 * o) + 2] = q.Y;
            quaternions[(4 * o) + 3] = q.Z;
        }
    }

    /// <summary>HEALPix order of the coarse grid.</summary>
    public int Order => Coarse.Order;

    /// <summary>The coarse grid.</summary>
    public OrientationGrid Coarse { get; }

    /// <summary>The fine grid (order + 1).</summary>
    public OrientationGrid Fine { get; }

    /// <summary>Number of coarse orientations.</summary>
    public int CoarseCount => Coarse.Count;

    /// <summary>Angular step of the coarse grid, in degrees.</summary>
    public double CoarseStepDeg => 60.0 / Coarse.Directions.NSide;

    /// <summary>Angular step of the fine grid, in degrees.</summary>
    public double FineStepDeg => CoarseStepDeg / 2;

    /// <summary>The index on <see cref="Fine"/> of child <paramref name="child"/> (0..7) of coarse orientation <paramref name="o"/>.</summary>
    public int FineIndex(int o, int child)
    {
        int pixel = o / Coarse.PsiCount, psi = o % Coarse.PsiCount;
        return (((4 * pixel) + (child / 2)) * Fine.PsiCount) + (2 * psi) + (child % 2);
    }

    /// <summary>
    /// The coarse orientations within 3σ of <paramref name="previous"/> (geodesic angle), each with log prior −θ²/(2σ²),
    /// written from index 0 of <paramref name="candidates"/> and <paramref name="logPrior"/> (each at least
    /// <see cref="CoarseCount"/> long) after <paramref name="offset"/> is added to each index (a class's first slice).
    /// Returns how many were written; the nearest orientation is always kept.
    /// </summary>
    public int Local(UnitQuaternion previous, double sigmaDeg, int offset, Span<int> candidates, Span<double> logPrior)
    {
        double sigma = sigmaDeg * Math.PI / 180;
        double limit = Math.Cos(Math.Min(3 * sigma, Math.PI) / 2);
        double w = previous.W, x = previous.X, y = previous.Y, z = previous.Z;
        int n = 0, nearest = 0;
        double nearestDot = -1;
        var q = quaternions;
        for (int o = 0; o < CoarseCount; o++)
        {
            double dot = Math.Abs((w * q[4 * o]) + (x * q[(4 * o) + 1]) + (y * q[(4 * o) + 2]) + (z * q[(4 * o) + 3]));
            if (dot > nearestDot)
            {
                nearestDot = dot;
                nearest = o;
            }

            if (dot >= limit)
            {
                double angle = 2 * Math.Acos(Math.Min(dot, 1));
                candidates[n] = offset + o;
                logPrior[n] = -(angle * angle) / (2 * sigma * sigma);
                n++;
            }
        }

        if (n == 0)
        {
            double angle = 2 * Math.Acos(Math.Min(nearestDot, 1));
            candidates[0] = offset + nearest;
            logPrior[0] = -(angle * angle) / (2 * sigma * sigma);
            n = 1;
        }

        return n;
    }
}
