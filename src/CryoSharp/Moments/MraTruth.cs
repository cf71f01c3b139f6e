namespace CryoSharp.Moments;

/// <summary>The ground truth of a simulated MRA data set, as <c>truth.json</c> holds it.</summary>
/// <param name="Length">L.</param>
/// <param name="Count">N, the number of observations.</param>
/// <param name="Sigma">The noise standard deviation σ.</param>
/// <param name="Signal">The signal family (boxcar, gaussian, mixture).</param>
/// <param name="Shifts">The shift distribution (uniform, aperiodic).</param>
/// <param name="Seed">The user's seed at the root of every draw.</param>
/// <param name="X">The signal.</param>
/// <param name="Rho">The shift distribution ρ.</param>
public sealed record MraTruth(int Length, long Count, double Sigma, string Signal, string Shifts, long Seed, double[] X, double[] Rho);
