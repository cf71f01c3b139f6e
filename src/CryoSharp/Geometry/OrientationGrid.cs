namespace CryoSharp.Geometry;

/// <summary>
/// A hierarchical grid of orientations for searches, as RELION samples them: HEALPix viewing directions of order
/// k (rot = φ, tilt = θ) times 6·N_side in-plane angles ψ, about (60°/N_side) apart on every axis. The in-plane
/// angles sit at the middle of their intervals, ψⱼ = (j + ½)·Δψ, so that the two children of an angle at order
/// k + 1 lie symmetrically about it; each orientation has 8 children (4 directions × 2 angles).
/// </summary>
public sealed class OrientationGrid
{
    /// <summary>Creates the grid of HEALPix order <paramref name="order"/>.</summary>
    public OrientationGrid(int order)
    {
        Directions = new HealpixGrid(order);
        PsiCount = 6 * Directions.NSide;
    }

    /// <summary>The viewing directions.</summary>
    public HealpixGrid Directions { get; }

    /// <summary>HEALPix order.</summary>
    public int Order => Directions.Order;

    /// <summary>Number of in-plane angles.</summary>
    public int PsiCount { get; }

    /// <summary>Spacing of the in-plane angles in radians.</summary>
    public double PsiStepRad => 2 * Math.PI / PsiCount;

    /// <summary>Number of orientations: directions × in-plane angles.</summary>
    public int Count => Directions.PixelCount * PsiCount;

    /// <summary>Orientation i (direction i / PsiCount, angle i mod PsiCount) as RELION Euler angles.</summary>
    public EulerAngles this[int i]
    {
        get
        {
            if ((uint)i >= (uint)Count)
            {
                throw new ArgumentOutOfRangeException(nameof(i), i, $"The grid has {Count} orientations.");
            }

            var (theta, phi) = Directions.PixelCenter(i / PsiCount);
            return new EulerAngles(phi, theta, ((i % PsiCount) + 0.5) * PsiStepRad);
        }
    }

    /// <summary>The 8 orientations of order k + 1 that refine orientation i of this order.</summary>
    public int[] Children(int i)
    {
        int pixel = i / PsiCount, psi = i % PsiCount, childPsiCount = 2 * PsiCount;
        var result = new int[8];
        int n = 0;
        foreach (int child in HealpixGrid.Children(pixel))
        {
            result[n++] = (child * childPsiCount) + (2 * psi);
            result[n++] = (child * childPsiCount) + (2 * psi) + 1;
        }

        return result;
    }
}
