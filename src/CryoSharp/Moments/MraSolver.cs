namespace CryoSharp.Moments;

/// <summary>An estimate with the time split between the pass over the data and the fit.</summary>
/// <param name="Estimate">x̂ (and ρ̂ where estimated).</param>
/// <param name="PassSeconds">The invariants pass (0 for EM and the oracle, whose passes are the fit).</param>
/// <param name="FitSeconds">The solver.</param>
public sealed record MraSolution(MraEstimate Estimate, double PassSeconds, double FitSeconds);

/// <summary>Runs one of the <see cref="MraMethod"/>s on a set of observations with known σ.</summary>
public static class MraSolver
{
    /// <summary>Solves with <paramref name="method"/>; <paramref name="emOptions"/> tune EM.</summary>
    public static MraSolution Solve(IMraObservations source, double sigma, MraMethod method, int restarts = 10, int seed = 1,
        MraEmOptions? emOptions = null, bool estimateShifts = false, Numerics.ComputeContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        switch (method)
        {
            case MraMethod.Bispectrum:
                {
                    var invariants = MraInvariants.Compute(source, sigma, bispectrum: true, context: context);
                    var estimate = BispectrumInversion.Solve(invariants, restarts, seed);
                    return new MraSolution(estimate, invariants.Seconds, estimate.Seconds);
                }

            case MraMethod.Moments:
                {
                    var invariants = MraInvariants.Compute(source, sigma, bispectrum: false, secondMoment: true, context: context);
                    var estimate = MomentFitting.Solve(invariants, restarts, seed);
                    return new MraSolution(estimate, invariants.Seconds, estimate.Seconds);
                }

            case MraMethod.Em:
                {
                    var estimate = MraExpectationMaximization.Solve(source, sigma,
                        (emOptions ?? new MraEmOptions()) with { Seed = seed, EstimateShifts = estimateShifts, Context = context ?? Numerics.ComputeContext.Default });
                    return new MraSolution(estimate, 0, estimate.Seconds);
                }

            default:
                {
                    var estimate = OracleAlignment.Solve(source, context);
                    return new MraSolution(estimate, 0, estimate.Seconds);
                }
        }
    }
}
