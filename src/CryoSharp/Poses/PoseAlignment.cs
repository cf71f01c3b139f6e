using CryoSharp.Geometry;
using CryoSharp.Numerics;
using MathNet.Numerics.LinearAlgebra;

namespace CryoSharp.Poses;

/// <summary>
/// How recovered orientations line up with true ones. Pairwise rotation distances are unchanged by Rᵢ → A·Rᵢ·B, by
/// inversion Rᵢ → Rᵢᵀ and by the mirror Rᵢ → J·Rᵢ·J (J = diag(1, 1, −1)), so a fit to them is defined only up to all
/// of these (the mirror is itself a two-sided rotation, J·R·J = (J·A·J)…, so two-sided it needs no search); the two-sided
/// alignment finds the best A, B and variant (minimising Σ‖A·T(R̂ᵢ)·B − Rᵢ‖_F by alternating
/// Procrustes steps from several starts), and it measures what the loss can determine. A reconstruction can absorb
/// only B (a rotation of the map) and the mirror (its hand): the one-sided alignment, <see cref="RotationAlignment"/>,
/// measures that.
/// </summary>
/// <param name="Left">A (the identity for a one-sided alignment).</param>
/// <param name="Right">B.</param>
/// <param name="Inverted">Whether the estimates were inverted first.</param>
/// <param name="Reflected">Whether the estimates were mirrored first.</param>
/// <param name="MeanErrorRad">Mean geodesic error after alignment (radians).</param>
/// <param name="MedianErrorRad">Median geodesic error after alignment (radians).</param>
/// <param name="ErrorsRad">Per-particle geodesic errors (radians).</param>
public sealed record PoseAlignment(Matrix3 Left, Matrix3 Right, bool Inverted, bool Reflected, double MeanErrorRad, double MedianErrorRad, double[] ErrorsRad)
{
    private const int Starts = 24, Iterations = 40, SearchSample = 2000;

    /// <summary>The estimate in the reference's frame: A·T(R̂)·B.</summary>
    public Matrix3 Apply(Matrix3 estimate) => Left * Variant(estimate, Inverted, Reflected) * Right;

    /// <summary>Best A, B and variant aligning <paramref name="estimated"/> to <paramref name="reference"/>.</summary>
    public static PoseAlignment TwoSided(IReadOnlyList<Matrix3> reference, IReadOnlyList<Matrix3> estimated, SeedSequence? seeds = null)
    {
        Check(reference, estimated);

        // The search runs on a subsample (its optimum is the full set's to within the sample's noise), the final
        // alternating steps and the errors on every particle.
        int n = reference.Count, sample = Math.Min(n, SearchSample);
        var picked = new int[sample];
        for (int s = 0; s < sample; s++)
        {
            picked[s] = (int)((long)s * n / sample);
        }

        var starts = Rotations.RandomUniform(Starts - 1, seeds ?? new SeedSequence(0)).Select(q => q.ToMatrix()).Prepend(Matrix3.Identity).ToArray();
        PoseAlignment? best = null;
        foreach (bool inverted in new[] { false, true })
        {
            // The mirror needs no search of its own: J·A·R·B·J = (JAJ)·(JRJ)·(JBJ) with JAJ and JBJ rotations.
            foreach (bool reflected in new[] { false })
            {
                var variant = estimated.Select(e => Variant(e, inverted, reflected)).ToArray();
                var subRef = picked.Select(i => reference[i]).ToArray();
                var subEst = picked.Select(i => variant[i]).ToArray();
                (Matrix3 A, Matrix3 B, double Cost) bestStart = (Matrix3.Identity, Matrix3.Identity, double.PositiveInfinity);
                foreach (var a0 in starts)
                {
                    var (a, b, cost) = Alternate(subRef, subEst, a0, Iterations);
                    if (cost < bestStart.Cost)
                    {
                        bestStart = (a, b, cost);
                    }
                }

                var (left, right, _) = Alternate(reference, variant, bestStart.A, 10);
                var candidate = Errors(reference, variant, left, right, inverted, reflected);
                if (best is null || candidate.MeanErrorRad < best.MeanErrorRad)
                {
                    best = candidate;
                }
            }
        }

        return best!;
    }

    /// <summary>Best B and hand only (what a reconstruction can absorb): <see cref="RotationAlignment"/> as a <see cref="PoseAlignment"/>.</summary>
    public static PoseAlignment OneSided(IReadOnlyList<Matrix3> reference, IReadOnlyList<Matrix3> estimated)
    {
        Check(reference, estimated);
        var a = RotationAlignment.Align(reference, estimated, allowReflection: true);
        return new PoseAlignment(Matrix3.Identity, a.Rotation.Transpose(), false, a.Reflected, a.MeanErrorRad, a.MedianErrorRad, a.ErrorsRad);
    }

    private static void Check(IReadOnlyList<Matrix3> reference, IReadOnlyList<Matrix3> estimated)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(estimated);
        if (reference.Count != estimated.Count || reference.Count == 0)
        {
            throw new ArgumentException($"Need equally many reference and estimated rotations ({reference.Count} vs {estimated.Count}), at least one.");
        }
    }

    private static Matrix3 Variant(Matrix3 r, bool inverted, bool reflected)
    {
        var t = inverted ? r.Transpose() : r;
        return reflected ? Matrix3.ReflectZ * t * Matrix3.ReflectZ : t;
    }

    /// <summary>Alternating Procrustes on Σ‖A·Xᵢ·B − Yᵢ‖²: B given A, then A given B.</summary>
    private static (Matrix3 A, Matrix3 B, double Cost) Alternate(IReadOnlyList<Matrix3> y, IReadOnlyList<Matrix3> x, Matrix3 a, int iterations)
    {
        var b = Matrix3.Identity;
        for (int it = 0; it < iterations; it++)
        {
            // B maximises tr(Bᵀ Σ (A·Xᵢ)ᵀ·Yᵢ); A maximises tr(Aᵀ Σ Yᵢ·(Xᵢ·B)ᵀ).
            var mb = new double[3, 3];
            var ma = new double[3, 3];
            for (int i = 0; i < y.Count; i++)
            {
                Accumulate(mb, (a * x[i]).Transpose() * y[i]);
            }

            b = Polar(mb);
            for (int i = 0; i < y.Count; i++)
            {
                Accumulate(ma, y[i] * (x[i] * b).Transpose());
            }

            a = Polar(ma);
        }

        double cost = 0;
        for (int i = 0; i < y.Count; i++)
        {
            cost += (a * x[i] * b).DistanceFrobenius(y[i]);
        }

        return (a, b, cost);
    }

    private static void Accumulate(double[,] sum, Matrix3 m)
    {
        for (int r = 0; r < 3; r++)
        {
            for (int c = 0; c < 3; c++)
            {
                sum[r, c] += m[r, c];
            }
        }
    }

    /// <summary>The rotation nearest <paramref name="m"/>: U·diag(1, 1, det UVᵀ)·Vᵀ.</summary>
    private static Matrix3 Polar(double[,] m)
    {
        var svd = Matrix<double>.Build.DenseOfArray(m).Svd(computeVectors: true);
        var d = Matrix<double>.Build.DenseIdentity(3);
        d[2, 2] = (svd.U * svd.VT).Determinant() < 0 ? -1 : 1;
        return Matrix3.FromArray((svd.U * d * svd.VT).ToArray());
    }

    private static PoseAlignment Errors(IReadOnlyList<Matrix3> reference, IReadOnlyList<Matrix3> variant, Matrix3 left, Matrix3 right, bool inverted, bool reflected)
    {
        var errors = new double[reference.Count];
        for (int i = 0; i < errors.Length; i++)
        {
            errors[i] = Rotations.Distance(left * variant[i] * right, reference[i]);
        }

        var sorted = (double[])errors.Clone();
        Array.Sort(sorted);
        double median = sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
        return new PoseAlignment(left, right, inverted, reflected, errors.Average(), median, errors);
    }
}
