namespace CryoSharp.Moments;

/// <summary>An estimate with the time split between the pass over the data and the fit.</summary>
/// <param name="Estimate">x̂ (and ρ̂ where estimated).</param>
/// <param name="PassSeconds">The invariants pass (0 for EM and the oracle, whose passes are the fit).</param>
/// <param name="FitSeconds">The solver.</param>
public sealed record MraSolution(MraEstimate Estimate, double PassSeconds, double FitSeconds);
