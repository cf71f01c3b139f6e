namespace CryoSharp.Refinement;

/// <summary>
/// An ab initio run between iterations: the maps on the working box, the momentum of their last step, the noise model,
/// the class priors, and each particle's last pose and offset (the centre of its next translational search).
/// </summary>
public sealed record AbInitioModel
{
    /// <summary>The working box in pixels.</summary>
    public required int Box { get; init; }

    /// <summary>The working pixel size in Å.</summary>
    public required double PixelSizeA { get; init; }

    /// <summary>Iterations done (0 at the start).</summary>
    public required int Iteration { get; init; }

    /// <summary>The maps per class (Box³ voxels each).</summary>
    public required float[][] Maps { get; init; }

    /// <summary>The last step per class (Box³ voxels each), carried into the next by the momentum.</summary>
    public required float[][] Velocities { get; init; }

    /// <summary>σ²(s) per optics group and shell of the working box.</summary>
    public required SortedDictionary<int, double[]> NoiseSpectra { get; init; }

    /// <summary>Class priors.</summary>
    public required double[] ClassPriors { get; init; }

    /// <summary>Number of classes.</summary>
    public int ClassCount => Maps.Length;
}

/// <summary>An ab initio run between iterations.</summary>
/// <param name="Model">The maps and spectra.</param>
/// <param name="Assignments">Each used particle's last answer (offsets in working pixels).</param>
public sealed record AbInitioState(AbInitioModel Model, Refine3DAssignments Assignments);

/// <summary>What one SGD iteration did.</summary>
/// <param name="Iteration">Iteration number, from 1.</param>
/// <param name="Seconds">Wall time.</param>
/// <param name="ResolutionA">Resolution of the frequencies used, in Å.</param>
/// <param name="HealpixOrder">HEALPix order searched (with oversampling, the fine step is half its step).</param>
/// <param name="Minibatch">Particles in the minibatch.</param>
/// <param name="NoiseScale">The annealing temperature: the factor on σ².</param>
/// <param name="LearningRate">The step taken.</param>
/// <param name="MeanMaxProbability">Mean over the minibatch of the largest posterior probability.</param>
/// <param name="LogLikelihood">Mean log-likelihood per particle of the minibatch (RELION's units, at the temperature used).</param>
/// <param name="ClassPriors">Class priors after the step.</param>
public sealed record AbInitioIterationStatistics(int Iteration, double Seconds, double ResolutionA, int HealpixOrder, int Minibatch, double NoiseScale,
    double LearningRate, double MeanMaxProbability, double LogLikelihood, double[] ClassPriors)
{
    /// <summary>Seconds spent adding the MPI ranks' sums and poses (0 in one process): the iteration's communication.</summary>
    public double ReduceSeconds { get; init; }
}
