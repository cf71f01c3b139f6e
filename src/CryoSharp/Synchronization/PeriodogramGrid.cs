using System.Numerics;

namespace CryoSharp.Synchronization;

/// <summary>
/// Finds the peak of a pair's periodogram S(φ) = 1 + 2·Re Σ_{k=1}^{K} Wₖe^{−ikφ} (the Hermitian sum over
/// k = −K..K, which is real): the best of 4K + 4 grid angles, then Newton steps on S′ = 0. The grid is finer than
/// half the width of S's main lobe (2π/K), so the global peak's basin is always bracketed.
/// </summary>
internal sealed class PeriodogramGrid
{
    private readonly int frequencies;
    private readonly double[] cos;
    private readonly double[] sin;
    private readonly int points;

    private PeriodogramGrid(int k)
    {
        frequencies = k;
        points = (4 * k) + 4;
        cos = new double[points * k];
        sin = new double[points * k];
        for (int g = 0; g < points; g++)
        {
            double phi = 2 * Math.PI * g / points;
            for (int f = 1; f <= k; f++)
            {
                (sin[(g * k) + f - 1], cos[(g * k) + f - 1]) = Math.SinCos(f * phi);
            }
        }
    }

    public static PeriodogramGrid For(int maxFrequency) => new(maxFrequency);

    /// <summary>The angle in [0, 2π) where Re Σₖ Wₖe^{−ikφ} is largest.</summary>
    public double Peak(ReadOnlySpan<Complex> w)
    {
        int k = frequencies, best = 0;
        double bestValue = double.NegativeInfinity;
        for (int g = 0; g < points; g++)
        {
            // Re(W e^{−ikφ}) = Re W·cos kφ + Im W·sin kφ
            double s = 0;
            int row = g * k;
            for (int f = 0; f < k; f++)
            {
                s += (w[f].Real * cos[row + f]) + (w[f].Imaginary * sin[row + f]);
            }

            if (s > bestValue)
            {
                bestValue = s;
                best = g;
            }
        }

        double phi = 2 * Math.PI * best / points, step = 2 * Math.PI / points;
        for (int iteration = 0; iteration < 6; iteration++)
        {
            double d1 = 0, d2 = 0;
            for (int f = 1; f <= k; f++)
            {
                var (sf, cf) = Math.SinCos(f * phi);
                double re = w[f - 1].Real, im = w[f - 1].Imaginary;

                // d/dφ [re·cos fφ + im·sin fφ] and the second derivative.
                d1 += f * ((-re * sf) + (im * cf));
                d2 -= f * f * ((re * cf) + (im * sf));
            }

            if (d2 >= 0)
            {
                break; // not at a maximum's basin: keep the grid point
            }

            double delta = Math.Clamp(-d1 / d2, -step, step);
            phi += delta;
            if (Math.Abs(delta) < 1e-12)
            {
                break;
            }
        }

        return phi;
    }
}
