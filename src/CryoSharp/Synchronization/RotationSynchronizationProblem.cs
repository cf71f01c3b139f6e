using CryoSharp.Geometry;
using CryoSharp.Numerics;

namespace CryoSharp.Synchronization;

/// <summary>
/// A rotation (SO(3)) synchronization instance: unknown rotations R₁…Rₙ and noisy relative rotations
/// R̃ᵢⱼ ≈ RᵢRⱼᵀ on a random observation graph (each pair observed with a given probability). Seeded.
/// </summary>
/// <param name="Truth">The true rotations Rᵢ.</param>
/// <param name="Measurements">The relative rotations.</param>
public sealed record RotationSynchronizationProblem(Matrix3[] Truth, RelativeRotations Measurements)
{
    /// <summary>
    /// The random corruption model (Wang and Singer 2013): each observed pair is exact, R̃ᵢⱼ = RᵢRⱼᵀ, with
    /// probability r, and otherwise an independent uniformly random rotation; pairs are observed with probability
    /// <paramref name="edgeProbability"/>.
    /// </summary>
    public static RotationSynchronizationProblem Corruption(int n, double r, SeedSequence seeds, double edgeProbability = 1)
    {
        if (!(r is >= 0 and <= 1))
        {
            throw new InvalidParameterException("r", r, "must be a probability in [0, 1]");
        }

        return Create(n, seeds, edgeProbability, (random, exact) =>
            random.NextDouble() < r ? exact : Rotations.RandomUniform(random).ToMatrix());
    }

    /// <summary>
    /// The perturbation model: every observed pair is RᵢRⱼᵀ·E with E a rotation by the vector σ·g, g standard normal
    /// in ℝ³ (axis uniform, angle σ·χ₃ radians); pairs are observed with probability <paramref name="edgeProbability"/>.
    /// </summary>
    public static RotationSynchronizationProblem Perturbation(int n, double sigma, SeedSequence seeds, double edgeProbability = 1)
    {
        if (!(sigma >= 0) || double.IsInfinity(sigma))
        {
            throw new InvalidParameterException("σ", sigma, "must be a finite angle in radians, not negative");
        }

        return Create(n, seeds, edgeProbability, (random, exact) =>
        {
            var v = new Vector3d(sigma * random.NextGaussian(), sigma * random.NextGaussian(), sigma * random.NextGaussian());
            double angle = v.Length;
            return angle > 0 ? exact * UnitQuaternion.FromAxisAngle(v, angle).ToMatrix() : exact;
        });
    }

    /// <summary>
    /// The alignment-free agreement of the estimates with the truth, the analogue of |x̂*z|/n for phases:
    /// max over global rotations O of (1/3n)·Σ tr(Oᵀ Rᵢᵀ R̂ᵢ) = mean of (1 + 2 cos eᵢ)/3 over the angular errors eᵢ
    /// after the best alignment. 1 is perfect recovery.
    /// </summary>
    public double Correlation(IReadOnlyList<Matrix3> estimate) =>
        Align(estimate).ErrorsRad.Average(e => (1 + (2 * Math.Cos(e))) / 3);

    /// <summary>The best global alignment of the estimates to the truth and the angular errors after it.</summary>
    public RotationAlignment Align(IReadOnlyList<Matrix3> estimate) => RotationAlignment.Align(Truth, estimate);

    private static RotationSynchronizationProblem Create(int n, SeedSequence seeds, double edgeProbability, Func<RandomStream, Matrix3, Matrix3> measure)
    {
        if (!(edgeProbability is > 0 and <= 1))
        {
            throw new InvalidParameterException("edge probability", edgeProbability, "must be in (0, 1]");
        }

        if (n < 2)
        {
            throw new InvalidParameterException("n", n, "must be at least 2");
        }

        var random = seeds.CreateStream();
        var truth = new Matrix3[n];
        for (int i = 0; i < n; i++)
        {
            truth[i] = Rotations.RandomUniform(random).ToMatrix();
        }

        var measurements = new RelativeRotations(n);
        for (int i = 0; i < n; i++)
        {
            for (int j = i + 1; j < n; j++)
            {
                if (edgeProbability < 1 && random.NextDouble() >= edgeProbability)
                {
                    continue;
                }

                measurements.Set(i, j, measure(random, truth[i] * truth[j].Transpose()));
            }
        }

        return new RotationSynchronizationProblem(truth, measurements);
    }
}
