using CryoSharp.Numerics;
using MathNet.Numerics.LinearAlgebra;

namespace CryoSharp.Moments;

/// <summary>
/// The debiased empirical moments M̂¹ = (1/N) Σᵢ yᵢ and M̂² = (1/N) Σᵢ yᵢyᵢᵀ − σ²I of N MRA observations
/// yᵢ = R_{sᵢ}x + εᵢ (sᵢ ~ ρ, εᵢ ~ N(0, σ²I)) drawn without forming the observations, in O(L³) instead of O(N·L²):
/// the shift counts are multinomial (drawn exactly, as L binomials), so ρ̂ is the empirical shift distribution; then
/// M̂¹ = Σₛ ρ̂ₛ Rₛx + ε̄ with ε̄ ~ N(0, σ²/N·I) exactly; and M̂² = Σₛ ρ̂ₛ (Rₛx)(Rₛx)ᵀ + C + Cᵀ + E, where the cross term
/// C = (1/N) Σᵢ xᵢεᵢᵀ is exactly Gaussian given the shifts, C = (σ/√N)·A·Z with AAᵀ = Σₛ ρ̂ₛ (Rₛx)(Rₛx)ᵀ and Z standard
/// normal, and the noise term E = (1/N) Σᵢ εᵢεᵢᵀ − σ²I is (σ²/N)(W − N·I) for a Wishart W, taken by its central-limit
/// form (off-diagonal N(0, σ⁴/N), diagonal N(0, 2σ⁴/N); its error is O(N^{−3/2}) against the O(N^{−1/2}) terms).
/// The moments of training sets of thousands of instances at N = 10⁶ cost milliseconds each.
/// </summary>
public static class MraMomentSampler
{
    /// <summary>One instance's (M̂¹, M̂²) (M̂² row-major, L × L).</summary>
    /// <param name="signal">x, length L.</param>
    /// <param name="shifts">ρ, length L.</param>
    /// <param name="count">N, observations.</param>
    /// <param name="sigma">σ, the noise standard deviation.</param>
    /// <param name="seeds">Where the draws come from.</param>
    public static (double[] First, double[] Second) Sample(double[] signal, ShiftDistribution shifts, long count, double sigma, SeedSequence seeds)
    {
        ArgumentNullException.ThrowIfNull(signal);
        ArgumentNullException.ThrowIfNull(shifts);
        ArgumentNullException.ThrowIfNull(seeds);
        int l = signal.Length;
        if (shifts.Length != l)
        {
            throw new InvalidParameterException("shift distribution", shifts.Length, $"must have the signal's length {l}");
        }

        if (count < 1)
        {
            throw new InvalidParameterException("observations", count, "must be at least 1");
        }

        if (!(sigma >= 0) || double.IsInfinity(sigma))
        {
            throw new InvalidParameterException("sigma", sigma, "must be finite and not negative");
        }

        var random = seeds.CreateStream();
        var empirical = EmpiricalShifts(shifts.Probabilities, count, random);
        var first = new double[l];
        var second = new double[l * l];
        for (int s = 0; s < l; s++)
        {
            double p = empirical[s];
            if (p == 0)
            {
                continue;
            }

            for (int a = 0; a < l; a++)
            {
                double xa = signal[(a - s + l) % l];
                first[a] += p * xa;
                for (int b = 0; b < l; b++)
                {
                    second[(a * l) + b] += p * xa * signal[(b - s + l) % l];
                }
            }
        }

        if (sigma == 0)
        {
            return (first, second);
        }

        double n = count;
        for (int a = 0; a < l; a++)
        {
            first[a] += sigma / Math.Sqrt(n) * random.NextGaussian();
        }

        // A with AAᵀ = the clean second moment: its symmetric square root (it may be singular, so no Cholesky).
        var clean = Matrix<double>.Build.Dense(l, l, (a, b) => second[(a * l) + b]);
        var evd = clean.Evd(Symmetricity.Symmetric);
        var root = evd.EigenVectors * Matrix<double>.Build.DiagonalOfDiagonalArray([.. evd.EigenValues.Select(v => Math.Sqrt(Math.Max(v.Real, 0)))])
            * evd.EigenVectors.Transpose();
        var z = Matrix<double>.Build.Dense(l, l, (_, _) => random.NextGaussian());
        var cross = root * z * (sigma / Math.Sqrt(n));
        double off = sigma * sigma / Math.Sqrt(n), diagonal = Math.Sqrt(2) * off;
        for (int a = 0; a < l; a++)
        {
            for (int b = a; b < l; b++)
            {
                double e = (a == b ? diagonal : off) * random.NextGaussian();
                double c = cross[a, b] + cross[b, a];
                second[(a * l) + b] += c + e;
                if (b != a)
                {
                    second[(b * l) + a] += c + e;
                }
            }
        }

        return (first, second);
    }

    // ρ̂: multinomial counts over the shifts as successive binomials, divided by N.
    private static double[] EmpiricalShifts(double[] probabilities, long count, RandomStream random)
    {
        var result = new double[probabilities.Length];
        long left = count;
        double mass = 1;
        for (int s = 0; s < probabilities.Length && left > 0; s++)
        {
            long k = s == probabilities.Length - 1 ? left : Binomial(left, Math.Clamp(probabilities[s] / Math.Max(mass, 1e-300), 0, 1), random);
            result[s] = (double)k / count;
            left -= k;
            mass -= probabilities[s];
        }

        return result;
    }

    // Exact by inversion for a mean up to 300 (p ≤ ½ by symmetry), the normal approximation with rounding beyond.
    private static long Binomial(long n, double p, RandomStream random)
    {
        if (p <= 0)
        {
            return 0;
        }

        if (p >= 1)
        {
            return n;
        }

        if (p > 0.5)
        {
            return n - Binomial(n, 1 - p, random);
        }

        double mean = n * p;
        if (mean > 300)
        {
            return Math.Clamp((long)Math.Round(mean + (Math.Sqrt(mean * (1 - p)) * random.NextGaussian())), 0, n);
        }

        double u = random.NextDouble(), ratio = p / (1 - p);
        double probability = Math.Exp(n * Math.Log(1 - p)), cumulative = probability;
        long k = 0;
        while (u > cumulative && k < n)
        {
            probability *= (n - k) / (double)(k + 1) * ratio;
            k++;
            cumulative += probability;
        }

        return k;
    }
}
