namespace CryoSharp.Geometry;

/// <summary>
/// Real orthonormal spherical harmonics Y_ℓm on the unit sphere (∫ Y_ℓm Y_ℓ′m′ dΩ = δ), without the
/// Condon–Shortley phase: Y_ℓ0 = K_ℓ0·P_ℓ(cos θ), Y_ℓm = √2·K_ℓm·P_ℓ^m(cos θ)·cos mφ for m &gt; 0 and
/// √2·K_ℓ|m|·P_ℓ^|m|(cos θ)·sin |m|φ for m &lt; 0, with K_ℓm = √((2ℓ+1)/(4π)·(ℓ−m)!/(ℓ+m)!). Degree ℓ, order m
/// is stored at index ℓ² + ℓ + m, so degree ℓ occupies the 2ℓ + 1 entries from ℓ².
/// </summary>
public static class RealSphericalHarmonics
{
    /// <summary>Number of harmonics of degree 0..<paramref name="maxDegree"/>: (L + 1)².</summary>
    public static int Count(int maxDegree) => (maxDegree + 1) * (maxDegree + 1);

    /// <summary>All Y_ℓm(x) for ℓ ≤ <paramref name="maxDegree"/> at the unit vector <paramref name="x"/>.</summary>
    public static void Evaluate(int maxDegree, Vector3d x, Span<double> values)
    {
        if (maxDegree < 0)
        {
            throw new InvalidParameterException("spherical harmonic degree", maxDegree, "must not be negative");
        }

        if (values.Length < Count(maxDegree))
        {
            throw new ArgumentException($"Need room for {Count(maxDegree)} values.", nameof(values));
        }

        double length = x.Length;
        double z = Math.Clamp(x.Z / length, -1, 1);
        double sinTheta = Math.Sqrt(Math.Max(0, 1 - (z * z)));
        double phi = Math.Atan2(x.Y, x.X);

        // P_m^m = (2m − 1)!!·sin^m θ, then upward in ℓ: (ℓ − m)P_ℓ^m = (2ℓ − 1)z·P_{ℓ−1}^m − (ℓ + m − 1)P_{ℓ−2}^m.
        double pmm = 1;
        for (int m = 0; m <= maxDegree; m++)
        {
            if (m > 0)
            {
                pmm *= ((2 * m) - 1) * sinTheta;
            }

            var (sinM, cosM) = Math.SinCos(m * phi);
            double previous = 0, current = pmm;
            for (int l = m; l <= maxDegree; l++)
            {
                if (l > m)
                {
                    double next = ((((2 * l) - 1) * z * current) - ((l + m - 1) * previous)) / (l - m);
                    previous = current;
                    current = next;
                }

                double k = Normalisation(l, m);
                int centre = (l * l) + l;
                if (m == 0)
                {
                    values[centre] = k * current;
                }
                else
                {
                    values[centre + m] = Math.Sqrt(2) * k * current * cosM;
                    values[centre - m] = Math.Sqrt(2) * k * current * sinM;
                }
            }
        }
    }

    private static double Normalisation(int l, int m)
    {
        // (ℓ − m)!/(ℓ + m)! as a product, to stay finite for moderate ℓ.
        double ratio = 1;
        for (int t = l - m + 1; t <= l + m; t++)
        {
            ratio /= t;
        }

        return Math.Sqrt(((2 * l) + 1) / (4 * Math.PI) * ratio);
    }
}
