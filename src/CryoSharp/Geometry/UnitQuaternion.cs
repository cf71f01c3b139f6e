namespace CryoSharp.Geometry;

/// <summary>
/// A rotation as a unit quaternion (w, x, y, z), kept in the canonical sign w ≥ 0 (conventions.md). Its matrix
/// rotates column vectors: v′ = R(q)·v, and R(q₁q₂) = R(q₁)R(q₂).
/// </summary>
public readonly record struct UnitQuaternion
{
    /// <summary>Normalises (w, x, y, z) and makes w ≥ 0.</summary>
    public UnitQuaternion(double w, double x, double y, double z)
    {
        double n = Math.Sqrt((w * w) + (x * x) + (y * y) + (z * z));
        if (!(n > 0) || !double.IsFinite(n))
        {
            throw new ArgumentException("A quaternion of zero or non-finite length is not a rotation.");
        }

        double s = w < 0 || (w == 0 && (x < 0 || (x == 0 && (y < 0 || (y == 0 && z < 0))))) ? -1 / n : 1 / n;
        W = w * s;
        X = x * s;
        Y = y * s;
        Z = z * s;
    }

    /// <summary>Scalar part (≥ 0).</summary>
    public double W { get; }

    /// <summary>x of the vector part.</summary>
    public double X { get; }

    /// <summary>y of the vector part.</summary>
    public double Y { get; }

    /// <summary>z of the vector part.</summary>
    public double Z { get; }

    /// <summary>The identity rotation.</summary>
    public static UnitQuaternion Identity => new(1, 0, 0, 0);

    /// <summary>Rotation by <paramref name="angle"/> radians about <paramref name="axis"/> (right-handed).</summary>
    public static UnitQuaternion FromAxisAngle(Vector3d axis, double angle)
    {
        var u = axis.Normalized();
        var (s, c) = Math.SinCos(angle / 2);
        return new UnitQuaternion(c, s * u.X, s * u.Y, s * u.Z);
    }

    /// <summary>The quaternion of a rotation matrix (Shepperd's method: stable for every rotation).</summary>
    public static UnitQuaternion FromMatrix(Matrix3 m)
    {
        double t = m.Trace;
        if (t > m[0, 0] && t > m[1, 1] && t > m[2, 2])
        {
            double s = 2 * Math.Sqrt(1 + t);
            return new UnitQuaternion(s / 4, (m[2, 1] - m[1, 2]) / s, (m[0, 2] - m[2, 0]) / s, (m[1, 0] - m[0, 1]) / s);
        }

        if (m[0, 0] >= m[1, 1] && m[0, 0] >= m[2, 2])
        {
            double s = 2 * Math.Sqrt(1 + m[0, 0] - m[1, 1] - m[2, 2]);
            return new UnitQuaternion((m[2, 1] - m[1, 2]) / s, s / 4, (m[0, 1] + m[1, 0]) / s, (m[0, 2] + m[2, 0]) / s);
        }

        if (m[1, 1] >= m[2, 2])
        {
            double s = 2 * Math.Sqrt(1 + m[1, 1] - m[0, 0] - m[2, 2]);
            return new UnitQuaternion((m[0, 2] - m[2, 0]) / s, (m[0, 1] + m[1, 0]) / s, s / 4, (m[1, 2] + m[2, 1]) / s);
        }

        double sz = 2 * Math.Sqrt(1 + m[2, 2] - m[0, 0] - m[1, 1]);
        return new UnitQuaternion((m[1, 0] - m[0, 1]) / sz, (m[0, 2] + m[2, 0]) / sz, (m[1, 2] + m[2, 1]) / sz, sz / 4);
    }

    /// <summary>The quaternion of RELION Euler angles (through their matrix).</summary>
    public static UnitQuaternion FromEuler(EulerAngles angles) => FromMatrix(angles.ToMatrix());

    /// <summary>The rotation matrix.</summary>
    public Matrix3 ToMatrix()
    {
        double xx = X * X, yy = Y * Y, zz = Z * Z, xy = X * Y, xz = X * Z, yz = Y * Z, wx = W * X, wy = W * Y, wz = W * Z;
        return new Matrix3(
            1 - (2 * (yy + zz)), 2 * (xy - wz), 2 * (xz + wy),
            2 * (xy + wz), 1 - (2 * (xx + zz)), 2 * (yz - wx),
            2 * (xz - wy), 2 * (yz + wx), 1 - (2 * (xx + yy)));
    }

    /// <summary>RELION Euler angles of this rotation.</summary>
    public EulerAngles ToEuler() => EulerAngles.FromMatrix(ToMatrix());

    /// <summary>The inverse rotation.</summary>
    public UnitQuaternion Inverse() => new(W, -X, -Y, -Z);

    /// <summary>Hamilton product: the rotation b then a (R(a·b) = R(a)R(b)).</summary>
    public static UnitQuaternion operator *(UnitQuaternion a, UnitQuaternion b) => new(
        (a.W * b.W) - (a.X * b.X) - (a.Y * b.Y) - (a.Z * b.Z),
        (a.W * b.X) + (a.X * b.W) + (a.Y * b.Z) - (a.Z * b.Y),
        (a.W * b.Y) - (a.X * b.Z) + (a.Y * b.W) + (a.Z * b.X),
        (a.W * b.Z) + (a.X * b.Y) - (a.Y * b.X) + (a.Z * b.W));

    /// <summary>4D dot product.</summary>
    public double Dot(UnitQuaternion o) => (W * o.W) + (X * o.X) + (Y * o.Y) + (Z * o.Z);

    /// <summary>
    /// Geodesic distance on SO(3) in radians, 2·arccos|⟨q₁, q₂⟩| (conventions.md), computed through atan2 so
    /// that it stays accurate for small angles.
    /// </summary>
    public double DistanceTo(UnitQuaternion o)
    {
        double dot = Math.Abs(Dot(o));
        var d = this * o.Inverse();
        double vector = Math.Sqrt((d.X * d.X) + (d.Y * d.Y) + (d.Z * d.Z));
        return 2 * Math.Atan2(vector, Math.Min(1, dot));
    }
}
