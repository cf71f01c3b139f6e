namespace CryoSharp.Detection;

/// <summary>An MTD estimate.</summary>
/// <param name="Signal">x̂, length L.</param>
/// <param name="Gamma">γ̂, the estimated density.</param>
/// <param name="Sigma">σ̂ (the given σ when it was known).</param>
/// <param name="Seconds">Time of the fit (not of the pass over the data).</param>
/// <param name="Iterations">Iterations of the best run.</param>
/// <param name="Objective">Final objective.</param>
public sealed record MtdEstimate(double[] Signal, double Gamma, double Sigma, double Seconds, int Iterations, double Objective);
