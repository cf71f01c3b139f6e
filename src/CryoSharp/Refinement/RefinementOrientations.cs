using CryoSharp.Geometry;

namespace CryoSharp.Refinement;

/// <summary>
/// The orientations one refinement iteration searches: the coarse <see cref="OrientationGrid"/> of HEALPix order n
/// (directions × in-plane angles, 60°/2ⁿ apart) and, for adaptive oversampling, each coarse orientation's 8 children
/// on the grid of order n + 1. With a point group only the asymmetric unit is searched: a pose A and its equivalents
/// A·Sᵀ project the symmetric map alike, and their viewing directions are the orbit {S·d}, so a direction is kept when
/// it is the member of its orbit nearest a fixed generic direction (the orbit's Voronoi cell, a fundamental domain of
/// the group on the sphere), with every in-plane angle; |G| times fewer poses, as RELION's sampling. Local searches
/// (RELION's auto-refine after a given order) keep only the coarse orientations within 3σ of a particle's previous pose
/// or any of its equivalents, each with a Gaussian prior on the rotation between them.
/// </summary>
public sealed class RefinementOrientations
{
    /// <summary>Fine orientations per coarse one (4 directions × 2 in-plane angles).</summary>
    public const int ChildrenPerCoarse = 8;

    // Generic: on no symmetry axis of any point group in RELION's settings, so its orbit has |G| distinct members.
    private static readonly Vector3d Reference = Normalise(new Vector3d(0.3137, 0.1709, 0.9340));

    private readonly int[] grid;
    private readonly double[] quaternions;
    private readonly UnitQuaternion[] equivalents;
    private readonly UnitQuaternion[] localEquivalents;

    /// <summary>
    /// The sampling of HEALPix order <paramref name="order"/> (0 to 5) for a particle of point group
    /// <paramref name="symmetry"/> (C1 when null): poses are compared to the nearest equivalent, and with
    /// <paramref name="asymmetricUnit"/> only the asymmetric unit is searched.
    /// </summary>
    public RefinementOrientations(int order, SymmetryGroup? symmetry = null, bool asymmetricUnit = true)
    {
        if (order is < 0 or > 5)
        {
            throw new InvalidParameterException("--healpix-order", order, "must be 0 to 5 (60° to 1.9°)");
        }

        Coarse = new OrientationGrid(order);
        Fine = new OrientationGrid(order + 1);
        Symmetry = symmetry ?? SymmetryGroup.C1;
        equivalents = [.. Symmetry.Elements.Select(s => UnitQuaternion.FromMatrix(s.Transpose()))];
        AsymmetricUnit = asymmetricUnit && Symmetry.Order > 1;

        // Over the whole sphere a pose's own neighbourhood holds everything a local search needs.
        localEquivalents = AsymmetricUnit ? equivalents : [UnitQuaternion.Identity];
        var kept = new List<int>(Coarse.Count);
        int psi = Coarse.PsiCount;
        for (int pixel = 0; pixel < Coarse.Directions.PixelCount; pixel++)
        {
            if (!AsymmetricUnit || InAsymmetricUnit(Coarse[pixel * psi].ToMatrix().Row(2)))
            {
                for (int j = 0; j < psi; j++)
                {
                    kept.Add((pixel * psi) + j);
                }
            }
        }

        grid = [.. kept];
        quaternions = new double[4 * grid.Length];
        for (int o = 0; o < grid.Length; o++)
        {
            var q = UnitQuaternion.FromEuler(Coarse[grid[o]]);
            quaternions[4 * o] = q.W;
            quaternions[(4 * o) + 1] = q.X;
            quaternions[(4 * o) + 2] = q.Y;
            quaternions[(4 * o) + 3] = q.Z;
        }
    }

    /// <summary>HEALPix order of the coarse grid.</summary>
    public int Order => Coarse.Order;

    /// <summary>The particle's point group.</summary>
    public SymmetryGroup Symmetry { get; }

    /// <summary>Whether only the asymmetric unit is searched.</summary>
    public bool AsymmetricUnit { get; }

    /// <summary>The whole coarse grid (of which <see cref="CoarseCount"/> orientations are searched).</summary>
    public OrientationGrid Coarse { get; }

    /// <summary>The whole fine grid (order + 1).</summary>
    public OrientationGrid Fine { get; }

    /// <summary>Number of coarse orientations searched (the whole grid divided by about |G|).</summary>
    public int CoarseCount => grid.Length;

    /// <summary>Angular step of the coarse grid, in degrees.</summary>
    public double CoarseStepDeg => 60.0 / Coarse.Directions.NSide;

    /// <summary>Angular step of the fine grid, in degrees.</summary>
    public double FineStepDeg => CoarseStepDeg / 2;

    /// <summary>The index on <see cref="Coarse"/> of searched coarse orientation <paramref name="o"/>.</summary>
    public int GridIndex(int o) => grid[o];

    /// <summary>Searched coarse orientation <paramref name="o"/>.</summary>
    public EulerAngles CoarseAngles(int o) => Coarse[grid[o]];

    /// <summary>Child <paramref name="child"/> (0..7) of searched coarse orientation <paramref name="o"/>.</summary>
    public EulerAngles FineAngles(int o, int child) => Fine[FineIndex(o, child)];

    /// <summary>The index on <see cref="Fine"/> of child <paramref name="child"/> (0..7) of searched coarse orientation <paramref name="o"/>.</summary>
    public int FineIndex(int o, int child)
    {
        int g = grid[o];
        int pixel = g / Coarse.PsiCount, psi = g % Coarse.PsiCount;
        return (((4 * pixel) + (child / 2)) * Fine.PsiCount) + (2 * psi) + (child % 2);
    }

    /// <summary>The geodesic angle, in radians, between <paramref name="a"/> and the nearest equivalent of <paramref name="b"/>.</summary>
    public double Distance(UnitQuaternion a, UnitQuaternion b)
    {
        double best = double.PositiveInfinity;
        foreach (var s in equivalents)
        {
            best = Math.Min(best, a.DistanceTo(b * s));
        }

        return best;
    }

    /// <summary>
    /// The coarse orientations within 3σ of <paramref name="previous"/> (or, over the asymmetric unit, of any of its
    /// equivalents; geodesic angle), each
    /// with log prior −θ²/(2σ²) for the nearest, written from index 0 of <paramref name="candidates"/> and
    /// <paramref name="logPrior"/> (each at least <see cref="CoarseCount"/> long) after <paramref name="offset"/> is
    /// added to each index (a class's first slice). Returns how many were written; the nearest orientation is always kept.
    /// </summary>
    public int Local(UnitQuaternion previous, double sigmaDeg, int offset, Span<int> candidates, Span<double> logPrior)
    {
        double sigma = sigmaDeg * Math.PI / 180;
        double limit = Math.Cos(Math.Min(3 * sigma, Math.PI) / 2);
        Span<double> images = stackalloc double[4 * localEquivalents.Length];
        for (int e = 0; e < localEquivalents.Length; e++)
        {
            var q = previous * localEquivalents[e];
            images[4 * e] = q.W;
            images[(4 * e) + 1] = q.X;
            images[(4 * e) + 2] = q.Y;
            images[(4 * e) + 3] = q.Z;
        }

        int n = 0, nearest = 0;
        double nearestDot = -1;
        var qs = quaternions;
        for (int o = 0; o < grid.Length; o++)
        {
            double qw = qs[4 * o], qx = qs[(4 * o) + 1], qy = qs[(4 * o) + 2], qz = qs[(4 * o) + 3], dot = 0;
            for (int e = 0; e < images.Length; e += 4)
            {
                dot = Math.Max(dot, Math.Abs((images[e] * qw) + (images[e + 1] * qx) + (images[e + 2] * qy) + (images[e + 3] * qz)));
            }

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

    private bool InAsymmetricUnit(Vector3d d)
    {
        double own = Dot(d, Reference);
        foreach (var s in Symmetry.Elements)
        {
            if (Dot(s * d, Reference) > own + 1e-9)
            {
                return false;
            }
        }

        return true;
    }

    private static double Dot(Vector3d a, Vector3d b) => (a.X * b.X) + (a.Y * b.Y) + (a.Z * b.Z);

    private static Vector3d Normalise(Vector3d v)
    {
        double n = Math.Sqrt(Dot(v, v));
        return new Vector3d(v.X / n, v.Y / n, v.Z / n);
    }
}
