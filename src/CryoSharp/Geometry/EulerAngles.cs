namespace CryoSharp.Geometry;

/// <summary>
/// RELION's ZYZ Euler angles (rot, tilt, psi) = (α, β, γ) in radians (conventions.md). Files and the command line
/// use degrees; convert with <see cref="FromDegrees"/> and <see cref="ToDegrees"/> at the boundary.
/// </summary>
/// <param name="Rot">α, rotation about z (radians).</param>
/// <param name="Tilt">β, rotation about the new y (radians).</param>
/// <param name="Psi">γ, in-plane rotation about the new z (radians).</param>
public readonly record struct EulerAngles(double Rot, double Tilt, double Psi)
{
    private const double DegreesPerRadian = 180 / Math.PI;

    /// <summary>Creates angles from degrees.</summary>
    public static EulerAngles FromDegrees(double rotDeg, double tiltDeg, double psiDeg) =>
        new(rotDeg / DegreesPerRadian, tiltDeg / DegreesPerRadian, psiDeg / DegreesPerRadian);

    /// <summary>The angles in degrees.</summary>
    public (double RotDeg, double TiltDeg, double PsiDeg) ToDegrees() =>
        (Rot * DegreesPerRadian, Tilt * DegreesPerRadian, Psi * DegreesPerRadian);

    /// <summary>
    /// RELION's <c>Euler_angles2matrix</c>: the matrix A that maps volume coordinates to image coordinates
    /// (projection: p(x, y) = ∫ V(Aᵀ(x, y, z)) dz; the viewing direction is A's third row).
    /// </summary>
    public Matrix3 ToMatrix()
    {
        var (sa, ca) = Math.SinCos(Rot);
        var (sb, cb) = Math.SinCos(Tilt);
        var (sg, cg) = Math.SinCos(Psi);
        double cc = cb * ca, cs = cb * sa, sc = sb * ca, ss = sb * sa;
        return new Matrix3(
            (cg * cc) - (sg * sa), (cg * cs) + (sg * ca), -cg * sb,
            (-sg * cc) - (cg * sa), (-sg * cs) + (cg * ca), sg * sb,
            sc, ss, cb);
    }

    /// <summary>
    /// RELION's <c>Euler_matrix2angles</c>: the angles of a rotation matrix, with tilt in [0, π] and RELION's
    /// choice at the gimbal-lock poles (rot = 0).
    /// </summary>
    public static EulerAngles FromMatrix(Matrix3 a)
    {
        const double eps = 1.1920929e-07; // FLT_EPSILON, as RELION uses
        double absSb = Math.Sqrt((a[0, 2] * a[0, 2]) + (a[1, 2] * a[1, 2]));
        double alpha, beta, gamma;
        if (absSb > 16 * eps)
        {
            gamma = Math.Atan2(a[1, 2], -a[0, 2]);
            alpha = Math.Atan2(a[2, 1], a[2, 0]);
            double signSb = Math.Abs(Math.Sin(gamma)) < eps
                ? Math.Sign(-a[0, 2] / Math.Cos(gamma))
                : Math.Sin(gamma) > 0 ? Math.Sign(a[1, 2]) : -Math.Sign(a[1, 2]);
            beta = Math.Atan2(signSb * absSb, a[2, 2]);
        }
        else if (a[2, 2] > 0)
        {
            alpha = 0;
            beta = 0;
            gamma = Math.Atan2(-a[1, 0], a[0, 0]);
        }
        else
        {
            alpha = 0;
            beta = Math.PI;
            gamma = Math.Atan2(a[1, 0], -a[0, 0]);
        }

        return new EulerAngles(alpha, beta, gamma);
    }

    /// <summary>The viewing direction (the projection axis in the volume's frame): A's third row.</summary>
    public Vector3d ViewingDirection()
    {
        var (sa, ca) = Math.SinCos(Rot);
        var (sb, cb) = Math.SinCos(Tilt);
        return new Vector3d(sb * ca, sb * sa, cb);
    }
}
