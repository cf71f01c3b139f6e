using System.Numerics;
using CryoSharp.Numerics;
using CryoSharp.Numerics.LinearAlgebra;

namespace CryoSharp.Synchronization;

/// <summary>
/// A phase synchronization instance: unknown phases z ∈ U(1)ⁿ and a Hermitian measurement matrix H of noisy
/// relative phases Hᵢⱼ ≈ zᵢ·conj(zⱼ) (diagonal 1), from one of the two standard noise models, on a random
/// observation graph: each pair is observed with a given probability, and Hᵢⱼ = 0 where it is not. Seeded.
/// </summary>
/// <param name="Truth">The true phases z (unit modulus).</param>
/// <param name="Measurements">H.</param>
public sealed record PhaseSynchronizationProblem(Complex[] Truth, DenseHermitianMatrix Measurements)
{
    /// <summary>
    /// The random corruption model: each pair is observed exactly, Hᵢⱼ = zᵢ·conj(zⱼ), with probability r, and
    /// otherwise Hᵢⱼ is a uniformly random phase; pairs are observed with probability <paramref name="edgeProbability"/>.
    /// </summary>
    public static PhaseSynchronizationProblem Corruption(int n, double r, SeedSequence seeds, double edgeProbability = 1, ComputeContext? context = null)
    {
        if (!(r is >= 0 and <= 1))
        {
            throw new InvalidParameterException("r", r, "must be a probability in [0, 1]");
        }

        CheckEdgeProbability(edgeProbability);
        var random = seeds.CreateStream();
        var z = RandomPhases(n, random);
        var h = new DenseHermitianMatrix(n) { Context = context ?? ComputeContext.Default };
        for (int i = 0; i < n; i++)
        {
            h[i, i] = 1;
            for (int j = i + 1; j < n; j++)
            {
                if (Unobserved(random, edgeProbability))
                {
                    continue;
                }

                h.SetPair(i, j, random.NextDouble() < r
                    ? z[i] * Complex.Conjugate(z[j])
                    : Complex.FromPolarCoordinates(1, 2 * Math.PI * random.NextDouble()));
            }
        }

        return new PhaseSynchronizationProblem(z, h);
    }

    /// <summary>
    /// The additive Gaussian model H = zz* + σW, with W a complex Wigner matrix (off-diagonal entries complex
    /// standard normal, E|Wᵢⱼ|² = 1; the diagonal of H kept at 1) on the pairs observed, each with probability
    /// <paramref name="edgeProbability"/>.
    /// </summary>
    public static PhaseSynchronizationProblem Gaussian(int n, double sigma, SeedSequence seeds, double edgeProbability = 1, ComputeContext? context = null)
    {
        if (!(sigma >= 0))
        {
            throw new InvalidParameterException("σ", sigma, "must not be negative");
        }

        CheckEdgeProbability(edgeProbability);
        var random = seeds.CreateStream();
        var z = RandomPhases(n, random);
        var h = new DenseHermitianMatrix(n) { Context = context ?? ComputeContext.Default };
        double s = sigma / Math.Sqrt(2);
        for (int i = 0; i < n; i++)
        {
            h[i, i] = 1;
            for (int j = i + 1; j < n; j++)
            {
                if (Unobserved(random, edgeProbability))
                {
                    continue;
                }

                h.SetPair(i, j, (z[i] * Complex.Conjugate(z[j])) + new Complex(s * random.NextGaussian(), s * random.NextGaussian()));
            }
        }

        return new PhaseSynchronizationProblem(z, h);
    }

    /// <summary>|Corr(x̂, z)| = |x̂*z| / n for unit-modulus estimates: 1 is perfect recovery up to a global phase.</summary>
    public double Correlation(ReadOnlySpan<Complex> estimate) =>
        LanczosEigensolver.Dot(estimate, Truth).Magnitude / Truth.Length;

    // A complete graph draws nothing, so its instances do not depend on the graph option.
    private static bool Unobserved(RandomStream random, double edgeProbability) =>
        edgeProbability < 1 && random.NextDouble() >= edgeProbability;

    private static void CheckEdgeProbability(double edgeProbability)
    {
        if (!(edgeProbability is > 0 and <= 1))
        {
            throw new InvalidParameterException("edge probability", edgeProbability, "must be in (0, 1]");
        }
    }

    private static Complex[] RandomPhases(int n, RandomStream random)
    {
        if (n < 2)
        {
            throw new InvalidParameterException("n", n, "must be at least 2");
        }

        return [.. Enumerable.Range(0, n).Select(_ => Complex.FromPolarCoordinates(1, 2 * Math.PI * random.NextDouble()))];
    }
}
