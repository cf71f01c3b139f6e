using MathNet.Numerics.LinearAlgebra;

namespace CryoSharp.Geometry;

/// <summary>
/// The global rotation that best aligns estimated orientations to reference ones, and the errors after it.
/// Orientations estimated from projections are defined only up to a global rotation O of the map (the
/// estimates are Rᵢ·O), and, for methods blind to handedness, up to the reflection J = diag(1, 1, −1)
/// (estimates J·Rᵢ·J·O). O is the orthogonal Procrustes solution of min Σ‖R̂ᵢ − Rᵢ·O‖_F.
/// </summary>
/// <param name="Rotation">O: the estimates are (after the optional reflection) Rᵢ·O.</param>
/// <param name="Reflected">True when the estimates were J·R̂ᵢ·J before alignment (the map's mirror image).</param>
/// <param name="MeanErrorRad">Mean geodesic error in radians after alignment.</param>
/// <param name="MedianErrorRad">Median geodesic error in radians after alignment.</param>
/// <param name="ErrorsRad">Per-orientation geodesic error in radians.</param>
public sealed record RotationAlignment(Matrix3 Rotation, bool Reflected, double MeanErrorRad, double MedianErrorRad, double[] ErrorsRad)
{
    /// <summary>Aligns <paramref name="estimated"/> to <paramref name="reference"/>.</summary>
    /// <param name="reference">The true (or reference) orientation matrices Rᵢ.</param>
    /// <param name="estimated">The estimates R̂ᵢ, in the same order.</param>
    /// <param name="allowReflection">Also try the mirror-image estimates and keep the better.</param>
    public static RotationAlignment Align(IReadOnlyList<Matrix3> reference, IReadOnlyList<Matrix3> estimated, bool allowReflection = false)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(estimated);
        if (reference.Count != estimated.Count || reference.Count == 0)
        {
            throw new ArgumentException($"Need equally many reference and estimated rotations ({reference.Count} vs {estimated.Count}), at least one.");
        }

        var direct = AlignOnce(reference, estimated, false);
        if (!allowReflection)
        {
            return direct;
        }

        var j = Matrix3.ReflectZ;
        var mirrored = estimated.Select(r => j * r * j).ToArray();
        var flipped = AlignOnce(reference, mirrored, true);
        return flipped.MeanErrorRad < direct.MeanErrorRad ? flipped : direct;
    }

    /// <summary>Applies the alignment to an estimate: the corresponding reference-frame rotation.</summary>
    public Matrix3 Apply(Matrix3 estimate)
    {
        var e = Reflected ? Matrix3.ReflectZ * estimate * Matrix3.ReflectZ : estimate;
        return e * Rotation.Transpose();
    }

    private static RotationAlignment AlignOnce(IReadOnlyList<Matrix3> reference, IReadOnlyList<Matrix3> estimated, bool reflected)
    {
        // O maximises tr(Oᵀ M) with M = Σ Rᵢᵀ R̂ᵢ: O = U·diag(1, 1, det(UVᵀ))·Vᵀ.
        var m = new double[3, 3];
        for (int i = 0; i < reference.Count; i++)
        {
            var p = reference[i].Transpose() * estimated[i];
            for (int r = 0; r < 3; r++)
            {
                for (int c = 0; c < 3; c++)
                {
                    m[r, c] += p[r, c];
                }
            }
        }

        var svd = Matrix<double>.Build.DenseOfArray(m).Svd(computeVectors: true);
        var u = svd.U;
        var vt = svd.VT;
        var d = Matrix<double>.Build.DenseIdentity(3);
        d[2, 2] = Math.Sign((u * vt).Determinant()) is 0 ? 1 : Math.Sign((u * vt).Determinant());
        var o = Matrix3.FromArray((u * d * vt).ToArray());
        var errors = new double[reference.Count];
        for (int i = 0; i < errors.Length; i++)
        {
            errors[i] = Rotations.Distance(estimated[i] * o.Transpose(), reference[i]);
        }

        var sorted = (double[])errors.Clone();
        Array.Sort(sorted);
        double median = sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
        return new RotationAlignment(o, reflected, errors.Average(), median, errors);
    }
}
