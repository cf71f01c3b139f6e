namespace CryoSharp.Numerics;

/// <summary>The relative error ‖estimate − truth‖ / ‖truth‖ of a vector estimate (Euclidean norms, in double).</summary>
public static class RelativeError
{
    /// <summary>‖estimate − truth‖ / ‖truth‖.</summary>
    public static double Of(ReadOnlySpan<double> estimate, ReadOnlySpan<double> truth)
    {
        if (estimate.Length != truth.Length)
        {
            throw new ArgumentException($"The estimate has {estimate.Length} values, the truth {truth.Length}.", nameof(estimate));
        }

        double error = 0, norm = 0;
        for (int i = 0; i < truth.Length; i++)
        {
            error += (estimate[i] - truth[i]) * (estimate[i] - truth[i]);
            norm += truth[i] * truth[i];
        }

        return Math.Sqrt(error / norm);
    }

    /// <summary>‖estimate − truth‖ / ‖truth‖ of single-precision vectors (accumulated in double).</summary>
    public static double Of(ReadOnlySpan<float> estimate, ReadOnlySpan<float> truth)
    {
        if (estimate.Length != truth.Length)
        {
            throw new ArgumentException($"The estimate has {estimate.Length} values, the truth {truth.Length}.", nameof(estimate));
        }

        double error = 0, norm = 0;
        for (int i = 0; i < truth.Length; i++)
        {
            double d = (double)estimate[i] - truth[i];
            error += d * d;
            norm += (double)truth[i] * truth[i];
        }

        return Math.Sqrt(error / norm);
    }
}
