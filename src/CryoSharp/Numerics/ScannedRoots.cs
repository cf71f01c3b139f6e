namespace CryoSharp.Numerics;

/// <summary>
/// The roots of a function on an interval, for functions whose roots are further apart than a known step (the Bessel
/// functions and their spherical kin): sign changes are bracketed by a scan in that step and refined by bisection to
/// double precision; a scan point where the function is exactly zero is a root itself.
/// </summary>
internal static class ScannedRoots
{
    /// <summary>The roots of <paramref name="f"/> in [<paramref name="start"/>, <paramref name="limit"/>), in increasing order.</summary>
    public static double[] Find(Func<double, double> f, double start, double limit, double step)
    {
        var roots = new List<double>();
        double a = start, fa = f(a);
        while (a < limit)
        {
            double b = Math.Min(a + step, limit), fb = f(b);
            if (fa == 0)
            {
                roots.Add(a);
            }
            else if (Math.Sign(fa) != Math.Sign(fb) && fb != 0)
            {
                double lo = a, hi = b, flo = fa;
                for (int i = 0; i < 200 && hi - lo > 1e-15 * hi; i++)
                {
                    double mid = 0.5 * (lo + hi), fm = f(mid);
                    if (Math.Sign(fm) == Math.Sign(flo))
                    {
                        (lo, flo) = (mid, fm);
                    }
                    else
                    {
                        hi = mid;
                    }
                }

                roots.Add(0.5 * (lo + hi));
            }

            (a, fa) = (b, fb);
        }

        return [.. roots];
    }
}
