namespace CryoSharp.Detection;

/// <summary>An MTD estimate with the time split between the pass over the measurement and the fit.</summary>
/// <param name="Estimate">x̂, γ̂ and σ̂.</param>
/// <param name="PassSeconds">The autocorrelation pass (0 for EM alone, whose passes are the fit).</param>
/// <param name="FitSeconds">The solver (for EM from a start, the start's fit too).</param>
/// <param name="SamplesPerSecond">Speed of the autocorrelation pass (0 when there was none).</param>
public sealed record MtdSolution(MtdEstimate Estimate, double PassSeconds, double FitSeconds, double SamplesPerSecond);
