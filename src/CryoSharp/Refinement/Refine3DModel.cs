namespace CryoSharp.Refinement;

/// <summary>
/// A 3D refinement's model between iterations: the two half maps (gold standard: each refined only from its own
/// half of the particles), the noise spectra, the half-map FSC and what the angular schedule has reached.
/// </summary>
public sealed record Refine3DModel
{
    /// <summary>Box in pixels.</summary>
    public required int Box { get; init; }

    /// <summary>Pixel size in Å.</summary>
    public required double PixelSizeA { get; init; }

    /// <summary>Iterations done (0 at the start).</summary>
    public required int Iteration { get; init; }

    /// <summary>The half maps per class, [class][half] (Box³ voxels each), as reconstructed (before any solvent mask).</summary>
    public required float[][][] HalfMaps { get; init; }

    /// <summary>σ²(s) per optics group and shell.</summary>
    public required SortedDictionary<int, double[]> NoiseSpectra { get; init; }

    /// <summary>The FSC between the unregularised half maps per shell (empty before the first iteration), per class.</summary>
    public required double[][] HalfMapFsc { get; init; }

    /// <summary>σ of the offset prior, in Å.</summary>
    public required double SigmaOffsetA { get; init; }

    /// <summary>Radius of the frequencies the next iteration uses, in Fourier pixels.</summary>
    public required int CurrentRadiusPx { get; init; }

    /// <summary>HEALPix order the next iteration searches.</summary>
    public required int HealpixOrder { get; init; }

    /// <summary>Gold-standard resolution (half-map FSC 0.143) after the last iteration, in Å (NaN before the first).</summary>
    public required double ResolutionA { get; init; }

    /// <summary>The finest resolution seen so far, in Å.</summary>
    public required double BestResolutionA { get; init; }

    /// <summary>Iterations in a row without a finer resolution.</summary>
    public required int IterationsWithoutResolutionGain { get; init; }

    /// <summary>The smallest mean change of orientation seen at this angular step, in degrees.</summary>
    public required double SmallestOrientationChangeDeg { get; init; }

    /// <summary>Iterations in a row in which the orientations did not settle further.</summary>
    public required int IterationsWithoutSettling { get; init; }

    /// <summary>The posterior's mean angular spread (RELION's rotational accuracy estimate), in degrees.</summary>
    public required double AccuracyRotationDeg { get; init; }

    /// <summary>Class priors.</summary>
    public required double[] ClassPriors { get; init; }

    /// <summary>Whether the next iteration is the final one (both halves at full size, then the combined map).</summary>
    public required bool FinalNext { get; init; }

    /// <summary>The final maps per class, from both halves together (null until the final iteration).</summary>
    public float[][]? CombinedMaps { get; init; }

    /// <summary>Whether the final iteration has been done.</summary>
    public required bool Finished { get; init; }

    /// <summary>Number of classes.</summary>
    public int ClassCount => HalfMaps.Length;

    /// <summary>Shells 0..Nyquist.</summary>
    public int ShellCount => (Box / 2) + 1;
}

/// <summary>A 3D refinement between iterations.</summary>
/// <param name="Model">The maps and spectra.</param>
/// <param name="Assignments">Each particle's pose and half set.</param>
public sealed record Refine3DState(Refine3DModel Model, Refine3DAssignments Assignments);

/// <summary>What one iteration did.</summary>
/// <param name="Iteration">Iteration number, from 1.</param>
/// <param name="Seconds">Wall time.</param>
/// <param name="HealpixOrder">HEALPix order searched.</param>
/// <param name="AngularStepDeg">Fine angular step, in degrees.</param>
/// <param name="Local">Whether searches were local.</param>
/// <param name="RadiusPx">Frequencies used, in Fourier pixels.</param>
/// <param name="ResolutionA">Gold-standard resolution after the iteration (FSC 0.143), in Å.</param>
/// <param name="ChangedOrientationsDeg">Mean change of the most probable orientation, in degrees (NaN on the first iteration).</param>
/// <param name="ChangedOffsetsPx">Mean change of the most probable offset, in pixels.</param>
/// <param name="MeanSignificantSamples">Mean number of significant coarse hypotheses per particle.</param>
/// <param name="LogLikelihood">Σ of the particles' log-likelihoods (RELION's units), or of the best correlations for projection matching.</param>
/// <param name="Final">Whether this was the final iteration.</param>
/// <param name="CoarseHypotheses">Coarse hypotheses (class × orientation × translation) over all particles.</param>
/// <param name="CoarseEvaluated">Of those, how many were scored at the full current resolution (fewer by branch and bound).</param>
public sealed record Refine3DIterationStatistics(int Iteration, double Seconds, int HealpixOrder, double AngularStepDeg, bool Local, int RadiusPx,
    double ResolutionA, double ChangedOrientationsDeg, double ChangedOffsetsPx, double MeanSignificantSamples, double LogLikelihood, bool Final,
    long CoarseHypotheses = 0, long CoarseEvaluated = 0)
{
    /// <summary>Seconds spent adding the MPI ranks' sums and poses (0 in one process): the iteration's communication.</summary>
    public double ReduceSeconds { get; init; }
}
