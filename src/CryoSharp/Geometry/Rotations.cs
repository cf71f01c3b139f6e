namespace CryoSharp.Geometry;

/// <summary>Distances between rotation matrices and seeded uniform sampling of SO(3).</summary>
public static class Rotations
{
    /// <summary>The geodesic angle (radians, in [0, π]) of A·Bᵀ: the rotation that takes B to A.</summary>
    public static double Distance(Matrix3 a, Matrix3 b) =>
        UnitQuaternion.FromMatrix(a).DistanceTo(UnitQuaternion.FromMatrix(b));

    /// <summary>
    /// One rotation drawn uniformly (Haar measure) from SO(3): a normalised 4D Gaussian vector is a uniform
    /// unit quaternion.
    /// </summary>
    public static UnitQuaternion RandomUniform(Numerics.RandomStream random)
    {
        ArgumentNullException.ThrowIfNull(random);
        while (true)
        {
            double w = random.NextGaussian(), x = random.NextGaussian(), y = random.NextGaussian(), z = random.NextGaussian();
            if ((w * w) + (x * x) + (y * y) + (z * z) > 1e-12)
            {
                return new UnitQuaternion(w, x, y, z);
            }
        }
    }

    /// <summary><paramref name="count"/> uniform random rotations from a seed sequence.</summary>
    public static UnitQuaternion[] RandomUniform(int count, Numerics.SeedSequence seeds)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        var random = seeds.CreateStream();
        var result = new UnitQuaternion[count];
        for (int i = 0; i < count; i++)
        {
            result[i] = RandomUniform(random);
        }

        return result;
    }
}
