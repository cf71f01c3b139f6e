using CryoSharp.Numerics;
namespace CryoSharp.Moments;

/// <summary>
/// A probability distribution ρ on the cyclic shifts ℤ_L: ρ[s] is the probability that an observation is the
/// signal shifted by s. Sampling uses the cumulative table (binary search).
/// </summary>
public sealed class ShiftDistribution
{
    private readonly double[] cumulative;

    /// <summary>Creates the distribution from non-negative weights (normalised here).</summary>
    public ShiftDistribution(IReadOnlyList<double> weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Count < 1 || weights.Any(w => !(w >= 0) || double.IsInfinity(w)) || !(weights.Sum() > 0))
        {
            throw new InvalidParameterException("shift distribution", string.Join(",", weights.Take(5)), "needs finite, non-negative weights with a positive sum");
        }

        double total = weights.Sum();
        Probabilities = [.. weights.Select(w => w / total)];
        cumulative = new double[Probabilities.Length];
        double running = 0;
        for (int s = 0; s < cumulative.Length; s++)
        {
            running += Probabilities[s];
            cumulative[s] = running;
        }

        cumulative[^1] = 1;
    }

    /// <summary>ρ[s], summing to 1.</summary>
    public double[] Probabilities { get; }

    /// <summary>L.</summary>
    public int Length => Probabilities.Length;

    /// <summary>Whether every shift is equally likely.</summary>
    public bool IsUniform => Probabilities.All(p => Math.Abs(p - (1.0 / Length)) < 1e-12);

    /// <summary>The uniform distribution.</summary>
    public static ShiftDistribution Uniform(int length) => new(Enumerable.Repeat(1.0, length).ToArray());

    /// <summary>
    /// A generic non-uniform, aperiodic distribution: independent weights uniform on [0.2, 1], seeded (no nonzero
    /// shift leaves it unchanged, and its Fourier coefficients are almost surely all nonzero).
    /// </summary>
    public static ShiftDistribution Aperiodic(int length, SeedSequence seeds)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        var random = seeds.CreateStream();
        return new ShiftDistribution([.. Enumerable.Range(0, length).Select(_ => 0.2 + (0.8 * random.NextDouble()))]);
    }

    /// <summary>
    /// A mixture of <paramref name="components"/> circular Gaussian bumps: centres uniform on the circle, widths
    /// (standard deviations) uniform on L·(0.03…0.12) with both ends raised to at least <paramref name="minimumWidth"/>
    /// samples, weights uniform on [0.5, 1.5], normalised (generic and aperiodic, so the second moment determines
    /// the signal); the neural-prior instances of Khoo, Paul and Sharon draw ρ this way. With
    /// <paramref name="gridCentres"/> each centre is rounded down to a sample (the same draws otherwise).
    /// </summary>
    public static ShiftDistribution GaussianMixture(int length, int components, SeedSequence seeds, double minimumWidth = 0, bool gridCentres = false)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        if (components < 1)
        {
            throw new InvalidParameterException("mixture components", components, "must be at least 1");
        }

        var random = seeds.CreateStream();
        var weights = new double[length];
        double low = Math.Max(0.03 * length, minimumWidth), high = Math.Max(0.12 * length, low);
        for (int c = 0; c < components; c++)
        {
            double centre = random.NextDouble() * length, width = low + ((high - low) * random.NextDouble()), weight = 0.5 + random.NextDouble();
            centre = gridCentres ? Math.Floor(centre) : centre;
            for (int t = 0; t < length; t++)
            {
                double d = Math.IEEERemainder(t - centre, length);
                weights[t] += weight * Math.Exp(-0.5 * d * d / (width * width));
            }
        }

        return new ShiftDistribution(weights);
    }

    /// <summary>A shift drawn from ρ given a uniform number u in [0, 1).</summary>
    public int Sample(double u)
    {
        int index = Array.BinarySearch(cumulative, u);
        index = index >= 0 ? index + 1 : ~index;
        return Math.Min(index, Length - 1);
    }
}
