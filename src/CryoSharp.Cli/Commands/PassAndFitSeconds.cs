namespace CryoSharp.Cli.Commands;

/// <summary>Seconds of the pass over the data and of the fit, as the 1D experiments report them.</summary>
/// <param name="Pass">The pass (invariants, autocorrelations).</param>
/// <param name="Fit">The fit (or every EM iteration's pass).</param>
public sealed record PassAndFitSeconds(double Pass, double Fit);
