namespace CryoSharp.Classification;

/// <summary>A 2D classification between iterations: the model and what it says about each particle.</summary>
/// <param name="Model">Class averages, spectra, priors.</param>
/// <param name="Assignments">Each particle's class, angle and offset.</param>
public sealed record Class2DState(Class2DModel Model, Class2DAssignments Assignments);

/// <summary>What one iteration did, for progress lines, reports and <c>--json</c>.</summary>
/// <param name="Iteration">Iteration number, from 1.</param>
/// <param name="Seconds">Wall time of the iteration.</param>
/// <param name="LogLikelihood">Σ over particles of the log-likelihood under the model the iteration started from, in RELION's units (spectra of forward transforms scaled by 1/N); template matching: Σ of the best correlations.</param>
/// <param name="ChangedFraction">Fraction of particles whose most probable class changed.</param>
/// <param name="MeanSignificantSamples">Mean number of significant coarse hypotheses per particle.</param>
/// <param name="RadiusPx">Radius of the frequencies the iteration used, in Fourier pixels.</param>
/// <param name="BestResolutionA">The finest class resolution after the iteration, in Å.</param>
public sealed record Class2DIterationStatistics(int Iteration, double Seconds, double LogLikelihood, double ChangedFraction,
    double MeanSignificantSamples, int RadiusPx, double BestResolutionA)
{
    /// <summary>Seconds spent adding the MPI ranks' sums and assignments (0 in one process): the iteration's communication.</summary>
    public double ReduceSeconds { get; init; }
}
