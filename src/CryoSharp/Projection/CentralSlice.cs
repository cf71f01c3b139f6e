using CryoSharp.Geometry;

namespace CryoSharp.Projection;

/// <summary>
/// Where the central slice of an orientation lies in a padded 3D spectrum: the 2D frequency (kx, ky) of an
/// image of box n sits at p·Aᵀ·(kx, ky, 0) in the spectrum of the volume padded p times (Fourier-slice theorem,
/// conventions.md). Only frequencies strictly inside Nyquist (kx² + ky² &lt; (n/2)²) are used, as RELION does.
/// </summary>
internal readonly struct CentralSlice
{
    public readonly double Ax, Ay, Az, Bx, By, Bz;
    public readonly int RadiusSquared;

    public CentralSlice(Matrix3 a, int box, int padding)
    {
        // Aᵀ·(kx, ky, 0) = kx·(row 0 of A) + ky·(row 1 of A).
        Ax = a[0, 0] * padding;
        Ay = a[0, 1] * padding;
        Az = a[0, 2] * padding;
        Bx = a[1, 0] * padding;
        By = a[1, 1] * padding;
        Bz = a[1, 2] * padding;
        RadiusSquared = (box / 2) * (box / 2);
    }
}
