using CryoSharp.Geometry;

namespace CryoSharp.Refinement;

/// <summary>
/// How far estimated orientations are from the true ones: the geodesic angle of Rᵀ_true·R_est per particle, in
/// degrees, optionally after the one global rotation (and hand) that best aligns the two sets — needed when the map
/// was refined in a frame of its own (ab initio) rather than the truth's.
/// </summary>
/// <param name="Count">Particles compared.</param>
/// <param name="MedianDeg">Median error, in degrees.</param>
/// <param name="MeanDeg">Mean error, in degrees.</param>
/// <param name="Within5Deg">Fraction of particles within 5°.</param>
/// <param name="Beyond20Deg">Fraction of particles more than 20° off (badly misaligned).</param>
/// <param name="Aligned">Whether a global rotation was fitted first.</param>
/// <param name="Reflected">Whether that alignment needed the other hand.</param>
/// <param name="ErrorsDeg">Every particle's error, in degrees, in input order.</param>
public sealed record PoseErrors(int Count, double MedianDeg, double MeanDeg, double Within5Deg, double Beyond20Deg, bool Aligned, bool Reflected, double[] ErrorsDeg)
{
    /// <summary>The errors of <paramref name="estimated"/> against <paramref name="truth"/> (RELION rotation matrices, same order).</summary>
    public static PoseErrors Compute(IReadOnlyList<Matrix3> truth, IReadOnlyList<Matrix3> estimated, bool align = false, bool allowReflection = false)
    {
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(estimated);
        if (truth.Count != estimated.Count || truth.Count == 0)
        {
            throw new ArgumentException($"{truth.Count} true and {estimated.Count} estimated orientations; the same non-zero number is needed.");
        }

        double[] errors;
        bool reflected = false;
        if (align)
        {
            var alignment = RotationAlignment.Align(truth, estimated, allowReflection);
            errors = alignment.ErrorsRad.Select(e => e * 180 / Math.PI).ToArray();
            reflected = alignment.Reflected;
        }
        else
        {
            errors = new double[truth.Count];
            for (int i = 0; i < errors.Length; i++)
            {
                errors[i] = Rotations.Distance(truth[i], estimated[i]) * 180 / Math.PI;
            }
        }

        var sorted = (double[])errors.Clone();
        Array.Sort(sorted);
        int n = sorted.Length;
        double median = n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[(n / 2) - 1] + sorted[n / 2]);
        return new PoseErrors(n, median, errors.Average(), errors.Count(e => e <= 5) / (double)n, errors.Count(e => e > 20) / (double)n, align, reflected, errors);
    }
}
