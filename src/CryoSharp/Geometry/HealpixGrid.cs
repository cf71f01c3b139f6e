namespace CryoSharp.Geometry;

/// <summary>
/// The HEALPix equal-area sphere grid in the NESTED scheme (Górski et al., ApJ 622:759, 2005), as RELION samples
/// viewing directions: order k has N_side = 2^k and 12·N_side² pixels of equal area, about 60°/N_side apart.
/// Nesting makes it hierarchical: the children of pixel p at order k are 4p..4p+3 at order k+1.
/// </summary>
public sealed class HealpixGrid
{
    private static readonly int[] FaceRing = [2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4];
    private static readonly int[] FacePhi = [1, 3, 5, 7, 0, 2, 4, 6, 1, 3, 5, 7];

    /// <summary>Creates the grid of order <paramref name="order"/> (0..13).</summary>
    public HealpixGrid(int order)
    {
        if (order is < 0 or > 13)
        {
            throw new InvalidParameterException("HEALPix order", order, "must be between 0 and 13");
        }

        Order = order;
    }

    /// <summary>The order k.</summary>
    public int Order { get; }

    /// <summary>N_side = 2^k.</summary>
    public int NSide => 1 << Order;

    /// <summary>Number of pixels: 12·N_side².</summary>
    public int PixelCount => 12 * NSide * NSide;

    /// <summary>Typical spacing between pixel centres in radians (RELION's angular sampling): (π/3)/N_side.</summary>
    public double SpacingRad => Math.PI / 3 / NSide;

    /// <summary>The centre of NESTED pixel <paramref name="pixel"/> as (θ from +z, φ from +x), radians.</summary>
    public (double Theta, double Phi) PixelCenter(int pixel)
    {
        if ((uint)pixel >= (uint)PixelCount)
        {
            throw new ArgumentOutOfRangeException(nameof(pixel), pixel, $"Order {Order} has {PixelCount} pixels.");
        }

        int nside = NSide;
        long npface = (long)nside * nside;
        int face = (int)(pixel / npface);
        long ipf = pixel % npface;
        int ix = Compress(ipf), iy = Compress(ipf >> 1);
        int jr = (FaceRing[face] * nside) - (ix + iy) - 1;
        int jpt = ix - iy;
        int nr, kshift;
        double z;
        if (jr < nside)
        {
            nr = jr;
            z = 1 - ((double)nr * nr / (3.0 * npface));
            kshift = 0;
        }
        else if (jr > 3 * nside)
        {
            nr = (4 * nside) - jr;
            z = -1 + ((double)nr * nr / (3.0 * npface));
            kshift = 0;
        }
        else
        {
            nr = nside;
            z = (2.0 * nside - jr) * 2.0 / (3.0 * nside);
            kshift = (jr - nside) & 1;
        }

        int jp = ((FacePhi[face] * nr) + jpt + 1 + kshift) / 2;
        if (jp > 4 * nr)
        {
            jp -= 4 * nr;
        }

        if (jp < 1)
        {
            jp += 4 * nr;
        }

        double phi = (jp - ((kshift + 1) * 0.5)) * (Math.PI / 2 / nr);
        return (Math.Acos(Math.Clamp(z, -1, 1)), phi);
    }

    /// <summary>The centre of a pixel as a unit vector.</summary>
    public Vector3d Direction(int pixel)
    {
        var (theta, phi) = PixelCenter(pixel);
        return Vector3d.FromSpherical(theta, phi);
    }

    /// <summary>The four NESTED children of <paramref name="pixel"/> at order k + 1.</summary>
    public static ReadOnlySpan<int> Children(int pixel) => new[] { 4 * pixel, (4 * pixel) + 1, (4 * pixel) + 2, (4 * pixel) + 3 };

    /// <summary>Gathers the even bits of <paramref name="v"/> into an integer (de-interleaving the Morton code).</summary>
    private static int Compress(long v)
    {
        v &= 0x5555555555555555L;
        v = (v | (v >> 1)) & 0x3333333333333333L;
        v = (v | (v >> 2)) & 0x0F0F0F0F0F0F0F0FL;
        v = (v | (v >> 4)) & 0x00FF00FF00FF00FFL;
        v = (v | (v >> 8)) & 0x0000FFFF0000FFFFL;
        v = (v | (v >> 16)) & 0x00000000FFFFFFFFL;
        return (int)v;
    }
}
