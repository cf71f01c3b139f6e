namespace CryoSharp.Poses;

/// <summary>
/// The rotation distance between unit quaternions stored as four doubles, and its gradient, in the form pose recovery
/// optimises. With s = sign⟨u, v⟩ (q and −q are one rotation) the chord c = ‖u − s·v‖ = 2 sin(θ/4) of the rotation
/// angle θ, so θ = 4 arcsin(c/2): unlike 2 arccos|⟨u, v⟩| its derivative stays finite at θ = 0, where nearest-neighbour
/// pairs sit.
/// </summary>
public static class QuaternionGeometry
{
    /// <summary>The rotation angle (radians, in [0, π]) between unit quaternions <paramref name="u"/> and <paramref name="v"/>.</summary>
    public static double Distance(ReadOnlySpan<double> u, ReadOnlySpan<double> v)
    {
        double dot = (u[0] * v[0]) + (u[1] * v[1]) + (u[2] * v[2]) + (u[3] * v[3]);
        double s = dot < 0 ? -1 : 1, c2 = 0;
        for (int a = 0; a < 4; a++)
        {
            double d = u[a] - (s * v[a]);
            c2 += d * d;
        }

        return 4 * Math.Asin(Math.Min(1, Math.Sqrt(c2) / 2));
    }

    /// <summary>
    /// The distance and its gradient with respect to <paramref name="u"/> (the gradient with respect to v is −s times it,
    /// <paramref name="sign"/> = s), both as functions on ℝ⁴ (not yet projected onto the sphere's tangent space).
    /// </summary>
    public static double DistanceAndGradient(ReadOnlySpan<double> u, ReadOnlySpan<double> v, Span<double> gradientU, out double sign)
    {
        double dot = (u[0] * v[0]) + (u[1] * v[1]) + (u[2] * v[2]) + (u[3] * v[3]);
        sign = dot < 0 ? -1 : 1;
        double c2 = 0;
        for (int a = 0; a < 4; a++)
        {
            double d = u[a] - (sign * v[a]);
            gradientU[a] = d;
            c2 += d * d;
        }

        double c = Math.Sqrt(c2), half = Math.Min(c / 2, 1);

        // dθ/dc = 2/√(1 − c²/4) and dc/du = (u − s·v)/c; at c = 0 every direction is a subgradient and 0 is one.
        double scale = c > 1e-300 ? 2 / (Math.Sqrt(Math.Max(1e-300, 1 - (half * half))) * c) : 0;
        for (int a = 0; a < 4; a++)
        {
            gradientU[a] *= scale;
        }

        return 4 * Math.Asin(half);
    }
}
