using CryoSharp.Geometry;

namespace CryoSharp.Particles;

/// <summary>
/// Where a particle sits: its orientation as RELION's ZYZ Euler angles in degrees (rot, tilt, psi: what STAR files
/// hold, so that a pose read and written again is unchanged to the bit) and its origin, the translation in Å that
/// re-centres the image (rlnOriginX/YAngst: the image is the centred projection translated by −origin).
/// </summary>
/// <param name="RotDeg">First Euler angle in degrees.</param>
/// <param name="TiltDeg">Second Euler angle in degrees.</param>
/// <param name="PsiDeg">Third Euler angle in degrees.</param>
/// <param name="OriginXA">x translation that centres the particle, in Å.</param>
/// <param name="OriginYA">y translation that centres the particle, in Å.</param>
public readonly record struct Pose(double RotDeg, double TiltDeg, double PsiDeg, double OriginXA = 0, double OriginYA = 0)
{
    /// <summary>A pose from an orientation and an origin in Å.</summary>
    public static Pose From(EulerAngles angles, double originXA = 0, double originYA = 0)
    {
        var (rot, tilt, psi) = angles.ToDegrees();
        return new Pose(rot, tilt, psi, originXA, originYA);
    }

    /// <summary>The orientation in radians.</summary>
    public EulerAngles Angles => EulerAngles.FromDegrees(RotDeg, TiltDeg, PsiDeg);

    /// <summary>RELION's rotation matrix of the orientation.</summary>
    public Matrix3 Rotation => Angles.ToMatrix();
}
