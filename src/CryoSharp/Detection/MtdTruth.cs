namespace CryoSharp.Detection;

/// <summary>The ground truth of a simulated MTD measurement, as <c>truth.json</c> holds it.</summary>
/// <param name="Length">L, the signal length.</param>
/// <param name="MeasurementLength">N, the samples in the measurement.</param>
/// <param name="Gamma">The realised density γ.</param>
/// <param name="Sigma">The noise standard deviation σ.</param>
/// <param name="Spacing">The placement model (separated, arbitrary).</param>
/// <param name="Signal">The signal family.</param>
/// <param name="Seed">The user's seed at the root of every draw.</param>
/// <param name="Copies">How many copies were placed.</param>
/// <param name="X">The signal.</param>
public sealed record MtdTruth(int Length, long MeasurementLength, double Gamma, double Sigma, string Spacing, string Signal, long Seed, int Copies, double[] X);
