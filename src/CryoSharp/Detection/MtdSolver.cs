namespace CryoSharp.Detection;

/// <summary>An MTD estimate with the time split between the pass over the data and the fit.</summary>
/// <param name="Estimate">x̂, γ̂ and σ̂.</param>
/// <param name="PassSeconds">The autocorrelation pass (0 for EM, whose passes are the fit).</param>
/// <param name="FitSeconds">The solver.</param>
/// <param name="SamplesPerSecond">Speed of the autocorrelation pass (0 for EM).</param>
public sealed record MtdSolution(MtdEstimate Estimate, double PassSeconds, double FitSeconds, double SamplesPerSecond);

/// <summary>Runs one of the <see cref="MtdMethod"/>s on a measurement.</summary>
public static class MtdSolver
{
    /// <summary>
    /// Solves for a signal of length <paramref name="length"/>; <paramref name="sigma"/> null estimates σ (only the
    /// autocorrelation method can). With <paramref name="warmStart"/>, EM starts from the autocorrelation estimate
    /// (x̂ and γ̂; one cheap pass) instead of a random signal: at low SNR EM from a random start needs thousands of
    /// iterations.
    /// </summary>
    public static MtdSolution Solve(IMtdMeasurement measurement, int length, double? sigma, MtdMethod method, int restarts = 50, int seed = 1,
        MtdEmOptions? emOptions = null, bool warmStart = false, Numerics.ComputeContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(measurement);
        if (method == MtdMethod.Autocorrelation)
        {
            var autocorrelations = MtdAutocorrelations.Compute(measurement, length, context);
            var estimate = AutocorrelationFitting.Solve(autocorrelations, sigma, restarts, seed);
            return new MtdSolution(estimate, autocorrelations.Seconds, estimate.Seconds, autocorrelations.SamplesPerSecond);
        }

        if (sigma is not { } known)
        {
            throw new InvalidParameterException("σ", "unknown", "must be given for EM (only the autocorrelation fit estimates it)");
        }

        var options = (emOptions ?? new MtdEmOptions()) with { Seed = seed, Context = context ?? Numerics.ComputeContext.Default };
        double passSeconds = 0, startSeconds = 0, speed = 0;
        if (warmStart)
        {
            var autocorrelations = MtdAutocorrelations.Compute(measurement, length, context);
            var start = AutocorrelationFitting.Solve(autocorrelations, known, restarts, seed);
            (passSeconds, startSeconds, speed) = (autocorrelations.Seconds, start.Seconds, autocorrelations.SamplesPerSecond);
            double densest = (double)length / ((2 * length) - 1);
            options = options with { Start = start.Signal, StartGamma = Math.Clamp(start.Gamma, 1e-3, 0.95 * densest) };
        }

        var em = ApproximateExpectationMaximization.Solve(measurement, length, known, options);
        return new MtdSolution(em, passSeconds, startSeconds + em.Seconds, speed);
    }

    /// <summary>‖x̂ − x‖/‖x‖ (no shift: the autocorrelations and the patch model both fix the position).</summary>
    public static double RelativeError(ReadOnlySpan<double> estimate, ReadOnlySpan<double> truth)
    {
        double error = 0, norm = 0;
        for (int i = 0; i < truth.Length; i++)
        {
            error += (estimate[i] - truth[i]) * (estimate[i] - truth[i]);
            norm += truth[i] * truth[i];
        }

        return Math.Sqrt(error / norm);
    }
}
