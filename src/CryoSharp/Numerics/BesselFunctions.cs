namespace CryoSharp.Numerics;

/// <summary>
/// Bessel functions of the first kind of integer order, Jₙ(x) for x ≥ 0, and their positive zeros, to double
/// precision. Jₙ is the minimal solution of the three-term recurrence J_{m−1} = (2m/x)J_m − J_{m+1}, so it is computed
/// by recurring downwards from an order well above n and x (Miller's algorithm) and normalising with the identity
/// J₀ + 2Σ J_{2m} = 1; the zeros are bracketed by a scan in steps shorter than their spacing (more than π for n ≥ 1,
/// above 3.1 for n = 0) and refined by bisection.
/// </summary>
public static class BesselFunctions
{
    /// <summary>Jₙ(x), n ≥ 0, x ≥ 0.</summary>
    public static double J(int n, double x)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        if (!(x >= 0) || double.IsInfinity(x))
        {
            throw new ArgumentOutOfRangeException(nameof(x), x, "must be finite and not negative");
        }

        if (x == 0)
        {
            return n == 0 ? 1 : 0;
        }

        // Far enough above both n and x that the start's error has decayed to nothing by order n.
        double top = Math.Max(n, x);
        int start = 2 * (((int)(top + 30 + (2.5 * Math.Sqrt(top))) / 2) + 1);
        double next = 0, current = 1e-300, result = 0, sum = 0;
        for (int m = start; m > 0; m--)
        {
            double previous = (2.0 * m / x * current) - next;
            next = current;
            current = previous;

            // Values grow fast going down through the orders above x: keep them representable.
            if (Math.Abs(current) > 1e250)
            {
                current *= 1e-250;
                next *= 1e-250;
                result *= 1e-250;
                sum *= 1e-250;
            }

            // current is now J_{m−1} up to a common factor.
            if (m - 1 == n)
            {
                result = current;
            }

            if ((m - 1) % 2 == 0 && m - 1 > 0)
            {
                sum += 2 * current;
            }
        }

        sum += current;
        return result / sum;
    }

    /// <summary>The positive zeros of Jₙ below <paramref name="limit"/>, in increasing order.</summary>
    public static double[] Zeros(int n, double limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        // Every zero of Jₙ (n ≥ 1) lies beyond n, and consecutive zeros are more than 3 apart.
        return ScannedRoots.Find(x => J(n, x), n == 0 ? 0.5 : Math.Max(n, 0.5), limit, 1.0);
    }
}
