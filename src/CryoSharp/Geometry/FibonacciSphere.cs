namespace CryoSharp.Geometry;

/// <summary>
/// Near-uniform points on the unit sphere from the golden-angle spiral: point i has z = 1 − (2i + 1)/n and
/// azimuth i·π(3 − √5). Any count; equal-area to within a few per cent.
/// </summary>
public static class FibonacciSphere
{
    /// <summary><paramref name="count"/> unit vectors.</summary>
    public static Vector3d[] Points(int count)
    {
        if (count < 1)
        {
            throw new InvalidParameterException("point count", count, "must be at least 1");
        }

        double golden = Math.PI * (3 - Math.Sqrt(5));
        var points = new Vector3d[count];
        for (int i = 0; i < count; i++)
        {
            double z = 1 - ((2.0 * i) + 1) / count;
            double r = Math.Sqrt(Math.Max(0, 1 - (z * z)));
            var (s, c) = Math.SinCos(golden * i);
            points[i] = new Vector3d(r * c, r * s, z);
        }

        return points;
    }
}
