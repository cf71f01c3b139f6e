using CryoSharp.ClassAveraging;
using CryoSharp.Numerics;

namespace CryoSharp.Detection;

/// <summary>
/// The relative error of an estimate of an image known only up to an in-plane rotation:
/// min_α ‖x̂ − R_α x‖/‖x‖, both images expanded in the same Fourier–Bessel basis, where
/// ⟨x̂, R_α x⟩ = Σ_k w_k Re(Σ_q âₖ,q conj(aₖ,q) e^{ikα}) is a trigonometric polynomial in α: it is scanned on a grid
/// fine enough for the highest frequency and refined by golden section; the error itself is measured on the pixels.
/// </summary>
public static class RotatedImageError
{
    /// <summary>The error and the content rotation α (radians) that turns the truth onto the estimate.</summary>
    public static (double Error, double AngleRad) Of(FourierBesselBasis basis, ReadOnlySpan<ComplexF> estimate, ReadOnlySpan<ComplexF> truth)
    {
        ArgumentNullException.ThrowIfNull(basis);
        int n = basis.Count;
        var cross = new (int K, double Re, double Im)[n];
        for (int c = 0; c < n; c++)
        {
            var q = estimate[c] * truth[c].Conjugate;
            double w = basis.Frequencies[c] == 0 ? 1 : 2;
            cross[c] = (basis.Frequencies[c], w * q.Re, w * q.Im);
        }

        double Overlap(double alpha)
        {
            double sum = 0;
            foreach (var (k, re, im) in cross)
            {
                var (s, cs) = Math.SinCos(k * alpha);
                sum += (re * cs) - (im * s);
            }

            return sum;
        }

        int steps = Math.Max(360, 16 * (basis.MaxFrequency + 1));
        double best = double.NegativeInfinity, bestAngle = 0, step = 2 * Math.PI / steps;
        for (int i = 0; i < steps; i++)
        {
            double value = Overlap(i * step);
            if (value > best)
            {
                (best, bestAngle) = (value, i * step);
            }
        }

        // Golden section on the bracket around the grid's best.
        double lo = bestAngle - step, hi = bestAngle + step, ratio = (Math.Sqrt(5) - 1) / 2;
        for (int i = 0; i < 60; i++)
        {
            double a = hi - (ratio * (hi - lo)), b = lo + (ratio * (hi - lo));
            if (Overlap(a) > Overlap(b))
            {
                hi = b;
            }
            else
            {
                lo = a;
            }
        }

        double angle = ((0.5 * (lo + hi)) % (2 * Math.PI) + (2 * Math.PI)) % (2 * Math.PI);
        var rotated = truth.ToArray();
        basis.Rotate(rotated, angle);
        int pixels = basis.Box * basis.Box;
        var x = new float[pixels];
        var y = new float[pixels];
        basis.Evaluate(estimate, 1, x);
        basis.Evaluate(rotated, 1, y);
        return (RelativeError.Of(x, y), angle);
    }
}
