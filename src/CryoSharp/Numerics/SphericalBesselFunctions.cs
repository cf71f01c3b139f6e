namespace CryoSharp.Numerics;

/// <summary>
/// Spherical Bessel functions of the first kind, j_ℓ(x) = √(π/(2x))·J_{ℓ+½}(x) for x ≥ 0, and their positive zeros, to
/// double precision. j_ℓ is the minimal solution of j_{n−1} = ((2n + 1)/x)·j_n − j_{n+1}, so below x ≈ ℓ it is found by
/// recurring downwards from an order well above both (Miller's algorithm), normalised by whichever of
/// j₀ = sin x / x and j₁ = sin x / x² − cos x / x is larger there; above, the upward recurrence from j₀ and j₁ is stable.
/// Zeros are found by <see cref="ScannedRoots"/> in unit steps (consecutive zeros are more than π apart, and the first lies
/// beyond ℓ).
/// </summary>
public static class SphericalBesselFunctions
{
    /// <summary>j_ℓ(x), ℓ ≥ 0, x ≥ 0.</summary>
    public static double J(int degree, double x)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(degree);
        if (!(x >= 0) || double.IsInfinity(x))
        {
            throw new ArgumentOutOfRangeException(nameof(x), x, "must be finite and not negative");
        }

        if (x < 1e-8)
        {
            return degree == 0 ? 1 : 0;
        }

        var (sin, cos) = Math.SinCos(x);
        double j0 = sin / x, j1 = (sin / (x * x)) - (cos / x);
        if (degree == 0)
        {
            return j0;
        }

        if (degree == 1)
        {
            return j1;
        }

        if (x > degree)
        {
            double previous = j0, current = j1;
            for (int n = 1; n < degree; n++)
            {
                double next = (((2 * n) + 1) / x * current) - previous;
                previous = current;
                current = next;
            }

            return current;
        }

        double top = Math.Max(degree, x);
        int start = (int)(top + 30 + (3 * Math.Sqrt(top)));
        double above = 0, value = 1e-300, result = 0, first = 0;
        for (int n = start; n > 0; n--)
        {
            double below = (((2 * n) + 1) / x * value) - above;
            above = value;
            value = below;
            if (Math.Abs(value) > 1e250)
            {
                value *= 1e-250;
                above *= 1e-250;
                result *= 1e-250;
                first *= 1e-250;
            }

            // value is now j_{n−1} up to a common factor.
            if (n - 1 == degree)
            {
                result = value;
            }

            if (n - 1 == 1)
            {
                first = value;
            }
        }

        return Math.Abs(j0) >= Math.Abs(j1) ? result * j0 / value : result * j1 / first;
    }

    /// <summary>The positive zeros of j_ℓ below <paramref name="limit"/>, in increasing order.</summary>
    public static double[] Zeros(int degree, double limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(degree);
        return ScannedRoots.Find(x => J(degree, x), Math.Max(degree, 0.5), limit, 1.0);
    }
}
