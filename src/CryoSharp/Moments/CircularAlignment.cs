namespace CryoSharp.Moments;

/// <summary>
/// Errors of 1D estimates that are defined only up to a cyclic shift: the relative error
/// min_s ‖R_s x̂ − x‖/‖x‖ ((R_s x)[t] = x[t − s]) and the shift attaining it.
/// </summary>
public static class CircularAlignment
{
    /// <summary>The best shift s (x̂ ≈ R_s x, i.e. x̂[t] ≈ x[t − s]) and the relative error there.</summary>
    public static (int Shift, double RelativeError) Align(ReadOnlySpan<double> estimate, ReadOnlySpan<double> truth)
    {
        int length = truth.Length;
        if (estimate.Length != length)
        {
            throw new ArgumentException($"Estimate length {estimate.Length} differs from the truth's {length}.");
        }

        double norm = 0;
        foreach (double v in truth)
        {
            norm += v * v;
        }

        int best = 0;
        double bestError = double.PositiveInfinity;
        for (int s = 0; s < length; s++)
        {
            double error = 0;
            for (int t = 0; t < length; t++)
            {
                double d = estimate[t] - truth[(t - s + length) % length];
                error += d * d;
            }

            if (error < bestError)
            {
                bestError = error;
                best = s;
            }
        }

        return (best, Math.Sqrt(bestError / Math.Max(norm, 1e-300)));
    }

    /// <summary>
    /// The relative error of an estimated shift distribution after the signal's alignment shift s: when x̂ ≈ R_s x
    /// the observations R_t x = R_{t−s} x̂, so ρ̂[t − s] ≈ ρ[t].
    /// </summary>
    public static double DistributionError(ReadOnlySpan<double> estimate, ReadOnlySpan<double> truth, int shift)
    {
        int length = truth.Length;
        double error = 0, norm = 0;
        for (int t = 0; t < length; t++)
        {
            double d = estimate[(((t - shift) % length) + length) % length] - truth[t];
            error += d * d;
            norm += truth[t] * truth[t];
        }

        return Math.Sqrt(error / norm);
    }
}
