namespace CryoSharp.Geometry;

/// <summary>A 3-vector in double precision.</summary>
/// <param name="X">x component.</param>
/// <param name="Y">y component.</param>
/// <param name="Z">z component.</param>
public readonly record struct Vector3d(double X, double Y, double Z)
{
    /// <summary>Euclidean length.</summary>
    public double Length => Math.Sqrt(Dot(this));

    /// <summary>Dot product.</summary>
    public double Dot(Vector3d o) => (X * o.X) + (Y * o.Y) + (Z * o.Z);

    /// <summary>Cross product.</summary>
    public Vector3d Cross(Vector3d o) => new((Y * o.Z) - (Z * o.Y), (Z * o.X) - (X * o.Z), (X * o.Y) - (Y * o.X));

    /// <summary>This vector scaled to unit length.</summary>
    public Vector3d Normalized()
    {
        double l = Length;
        return new Vector3d(X / l, Y / l, Z / l);
    }

    /// <summary>Sum.</summary>
    public static Vector3d operator +(Vector3d a, Vector3d b) => new(a.X + b.X, a.Y + b.Y, a.Z + b.Z);

    /// <summary>Difference.</summary>
    public static Vector3d operator -(Vector3d a, Vector3d b) => new(a.X - b.X, a.Y - b.Y, a.Z - b.Z);

    /// <summary>Scaling.</summary>
    public static Vector3d operator *(double s, Vector3d a) => new(s * a.X, s * a.Y, s * a.Z);

    /// <summary>
    /// The unit vector at polar angle <paramref name="theta"/> from +z and azimuth <paramref name="phi"/> from +x
    /// (radians).
    /// </summary>
    public static Vector3d FromSpherical(double theta, double phi)
    {
        var (st, ct) = Math.SinCos(theta);
        var (sp, cp) = Math.SinCos(phi);
        return new Vector3d(st * cp, st * sp, ct);
    }
}
