using System.Numerics;
using CryoSharp.Numerics;
using CryoSharp.Numerics.LinearAlgebra;

namespace CryoSharp.Synchronization;

/// <summary>
/// Estimators of phases z from a Hermitian measurement matrix H ≈ zz*: the spectral method (top eigenvector,
/// entrywise normalised; Singer 2011), the generalized power method (Boumal 2016) and the first stage of the
/// multi-frequency method of Gao and Zhao (ICML 2019): spectral estimates at frequencies k = 1..K, a periodogram
/// peak per pair, and a final spectral step.
/// </summary>
public static class PhaseSynchronization
{
    /// <summary>The spectral estimate: the top eigenvector of H with each entry scaled to unit modulus.</summary>
    public static Complex[] Spectral(IHermitianOperator measurements, SeedSequence? seeds = null)
    {
        ArgumentNullException.ThrowIfNull(measurements);
        var top = LanczosEigensolver.Largest(measurements, 1, tolerance: 1e-8, seeds: seeds).Vectors[0];
        return ToUnitModulus(top);
    }

    /// <summary>
    /// The generalized power method: x ← entrywise unit-modulus(H·x), from <paramref name="start"/>, until the
    /// estimate moves less than <paramref name="tolerance"/> (in |Corr| with the previous) or after
    /// <paramref name="maxIterations"/>.
    /// </summary>
    public static Complex[] GeneralizedPower(IHermitianOperator measurements, ReadOnlySpan<Complex> start, int maxIterations = 100, double tolerance = 1e-10)
    {
        ArgumentNullException.ThrowIfNull(measurements);
        var x = start.ToArray();
        var y = new Complex[x.Length];
        for (int iteration = 0; iteration < maxIterations; iteration++)
        {
            measurements.Multiply(x, y);
            var next = ToUnitModulus(y);
            double change = 1 - (LanczosEigensolver.Dot(next, x).Magnitude / x.Length);
            x = next;
            if (change < tolerance)
            {
                break;
            }
        }

        return x;
    }

    /// <summary>
    /// The first stage of the multi-frequency method (periodogram peak extraction with spectral methods):
    /// for k = 1..K the top eigenvector u⁽ᵏ⁾ of H⁽ᵏ⁾ (H for k = 1; for k ≥ 2 entries (Hᵢⱼ/|Hᵢⱼ|)ᵏ, which is Hᵢⱼᵏ for unit-modulus data) and W⁽ᵏ⁾ = u⁽ᵏ⁾u⁽ᵏ⁾*; for every pair the angle
    /// θ̂ᵢⱼ maximising |Σ_{k=−K}^{K} Wᵢⱼ⁽ᵏ⁾e^{−ikφ}| (W⁽⁰⁾ = 1, W⁽⁻ᵏ⁾ = conj W⁽ᵏ⁾), found on a grid of 4K + 4 points
    /// and refined by Newton steps; then the spectral estimate from Ĥᵢⱼ = e^{iθ̂ᵢⱼ}. K = 1 is the spectral method.
    /// </summary>
    public static Complex[] MultiFrequency(DenseHermitianMatrix measurements, int maxFrequency, SeedSequence? seeds = null)
    {
        ArgumentNullException.ThrowIfNull(measurements);
        if (maxFrequency < 1)
        {
            throw new InvalidParameterException("k_max", maxFrequency, "must be at least 1");
        }

        int n = measurements.Size, kMax = maxFrequency;

        // u[k − 1] is the unit-modulus top eigenvector of channel k: H itself for k = 1, the entrywise k-th power
        // of the measured phases Hᵢⱼ/|Hᵢⱼ| for k ≥ 2 (the same thing for unit-modulus data).
        var u = new Complex[kMax][];
        u[0] = Spectral(measurements, seeds?.Spawn("channel", 1));
        if (kMax > 1)
        {
            var unit = UnitModulusEntries(measurements);
            var power = new DenseHermitianMatrix(n) { Context = measurements.Context };
            unit.Data.CopyTo(power.Data, 0);
            for (int k = 2; k <= kMax; k++)
            {
                MultiplyEntrywise(power, unit, power);
                u[k - 1] = Spectral(power, seeds?.Spawn("channel", k));
            }
        }

        var estimate = new DenseHermitianMatrix(n) { Context = measurements.Context };
        var grid = PeriodogramGrid.For(kMax);
        Parallel.For(0, n, measurements.Context.ParallelOptions, () => new Complex[kMax], (i, _, w) =>
        {
            estimate[i, i] = 1;
            for (int j = i + 1; j < n; j++)
            {
                for (int k = 0; k < kMax; k++)
                {
                    w[k] = u[k][i] * Complex.Conjugate(u[k][j]);
                }

                double theta = grid.Peak(w);
                var value = Complex.FromPolarCoordinates(1, theta);
                estimate[i, j] = value;
                estimate[j, i] = Complex.Conjugate(value);
            }

            return w;
        }, _ => { });
        return Spectral(estimate, seeds?.Spawn("final"));
    }

    /// <summary>
    /// The second stage of the multi-frequency method: a generalized power method on the joint objective
    /// Σₖ (xᵏ)*H⁽ᵏ⁾xᵏ (xᵏ the entrywise k-th power of x). Each iteration computes yₖ = H⁽ᵏ⁾xᵏ for k = 1..K and sets
    /// every xᵢ to e^{iφ} at the peak of its own periodogram Σₖ Re(yₖ,ᵢ e^{−ikφ}), from <paramref name="start"/>
    /// (the first stage's estimate), until the estimate stops moving.
    /// </summary>
    public static Complex[] MultiFrequencyRefine(DenseHermitianMatrix measurements, int maxFrequency, ReadOnlySpan<Complex> start,
        int maxIterations = 50, double tolerance = 1e-10)
    {
        ArgumentNullException.ThrowIfNull(measurements);
        if (maxFrequency < 1)
        {
            throw new InvalidParameterException("k_max", maxFrequency, "must be at least 1");
        }

        int n = measurements.Size, kMax = maxFrequency;
        var powers = new DenseHermitianMatrix[kMax];
        powers[0] = measurements;
        var unit = kMax > 1 ? UnitModulusEntries(measurements) : measurements;
        for (int k = 1; k < kMax; k++)
        {
            powers[k] = new DenseHermitianMatrix(n) { Context = measurements.Context };
            MultiplyEntrywise(k == 1 ? unit : powers[k - 1], unit, powers[k]);
        }

        var x = start.ToArray();
        var xk = new Complex[n];
        var y = new Complex[kMax][];
        for (int k = 0; k < kMax; k++)
        {
            y[k] = new Complex[n];
        }

        var grid = PeriodogramGrid.For(kMax);
        for (int iteration = 0; iteration < maxIterations; iteration++)
        {
            Array.Fill(xk, Complex.One);
            for (int k = 0; k < kMax; k++)
            {
                for (int i = 0; i < n; i++)
                {
                    xk[i] *= x[i];
                }

                powers[k].Multiply(xk, y[k]);
            }

            var next = new Complex[n];
            Parallel.For(0, n, measurements.Context.ParallelOptions, () => new Complex[kMax], (i, _, w) =>
            {
                for (int k = 0; k < kMax; k++)
                {
                    w[k] = y[k][i];
                }

                next[i] = Complex.FromPolarCoordinates(1, grid.Peak(w));
                return w;
            }, _ => { });
            double change = 1 - (LanczosEigensolver.Dot(next, x).Magnitude / n);
            x = next;
            if (change < tolerance)
            {
                break;
            }
        }

        return x;
    }

    /// <summary>
    /// target = a ⊙ b entry by entry (target may be a): the next entrywise power H⁽ᵏ⁾ = H⁽ᵏ⁻¹⁾ ⊙ H with one product
    /// per entry instead of a complex power.
    /// </summary>
    private static void MultiplyEntrywise(DenseHermitianMatrix a, DenseHermitianMatrix b, DenseHermitianMatrix target)
    {
        int n = a.Size;
        var (x, y, z) = (a.Data, b.Data, target.Data);
        Parallel.For(0, n, target.Context.ParallelOptions, i =>
        {
            for (long p = (long)i * n; p < (long)(i + 1) * n; p++)
            {
                z[p] = x[p] * y[p];
            }
        });
    }

    /// <summary>
    /// The measured phases Hᵢⱼ/|Hᵢⱼ| (unobserved zeros stay zero). Channels k ≥ 2 are built from their powers: raw
    /// powers (zᵢz̄ⱼ + σWᵢⱼ)ᵏ of Gaussian-model data keep the signal zᵢᵏz̄ⱼᵏ, but their noise grows like σᵏ√(k!) and
    /// drowns every channel above the first.
    /// </summary>
    private static DenseHermitianMatrix UnitModulusEntries(DenseHermitianMatrix measurements)
    {
        int n = measurements.Size;
        var result = new DenseHermitianMatrix(n) { Context = measurements.Context };
        var (from, to) = (measurements.Data, result.Data);
        Parallel.For(0, n, measurements.Context.ParallelOptions, i =>
        {
            for (long p = (long)i * n; p < (long)(i + 1) * n; p++)
            {
                double m = from[p].Magnitude;
                to[p] = m > 0 ? from[p] / m : Complex.Zero;
            }
        });
        return result;
    }

    /// <summary>Each entry scaled to unit modulus (a zero entry becomes 1).</summary>
    public static Complex[] ToUnitModulus(ReadOnlySpan<Complex> values)
    {
        var result = new Complex[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            double m = values[i].Magnitude;
            result[i] = m > 0 ? values[i] / m : Complex.One;
        }

        return result;
    }
}
