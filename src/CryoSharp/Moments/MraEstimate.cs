namespace CryoSharp.Moments;

/// <summary>An MRA estimate.</summary>
/// <param name="Signal">x̂, length L (defined up to a cyclic shift).</param>
/// <param name="Shifts">ρ̂ when the method estimates it (null when it assumes uniform shifts).</param>
/// <param name="Seconds">Time of the fit (not of the pass over the data).</param>
/// <param name="Iterations">Iterations of the best run.</param>
/// <param name="Objective">Final objective (least squares) or negative log-likelihood per observation (EM).</param>
public sealed record MraEstimate(double[] Signal, double[]? Shifts, double Seconds, int Iterations, double Objective);
