using CryoSharp.ClassAveraging;
using CryoSharp.Numerics;

namespace CryoSharp.Detection;

/// <summary>
/// The relative error of an estimate of an image known only up to an in-plane rotation:
/// min_α ‖x̂ − R_α x‖/‖x‖, both images expanded in the same Fourier–Bessel basis. The angle comes from
/// <see cref="RotationalAlignment.AlignRotationOnly"/> (grid, then Newton steps on the trigonometric polynomial); the
/// error itself is measured on the pixels.
/// </summary>
public static class RotatedImageError
{
    /// <summary>The error and the content rotation α (radians, in [0, 2π)) that turns the truth onto the estimate.</summary>
    public static (double Error, double AngleRad) Of(FourierBesselBasis basis, ReadOnlySpan<ComplexF> estimate, ReadOnlySpan<ComplexF> truth)
    {
        ArgumentNullException.ThrowIfNull(basis);
        var aligner = new RotationalAlignment(basis.Frequencies);
        var scratch = new double[aligner.ScratchLength];
        var alignment = aligner.AlignRotationOnly(estimate, truth, aligner.SquaredNorm(estimate), aligner.SquaredNorm(truth), scratch);
        double angle = ((alignment.AngleRad % (2 * Math.PI)) + (2 * Math.PI)) % (2 * Math.PI);
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
