using CryoSharp.Numerics;

namespace CryoSharp.Detection;

/// <summary>Settings of <see cref="MicrographVolumeExpectationMaximization"/>.</summary>
public sealed record MicrographVolumeEmOptions
{
    /// <summary>Highest spherical-harmonic degree ℓ of the volume's expansion (10 at 11³ in Kreymer, Singer and Bendory).</summary>
    public int MaxDegree { get; init; } = 10;

    /// <summary>Highest radial frequency of the expansion, cycles per voxel.</summary>
    public double BandLimit { get; init; } = 0.5;

    /// <summary>
    /// Frequency marching: when set, the first <see cref="MarchingIterations"/> M-steps solve only for the coefficients
    /// whose radial frequency lies below a band limit that grows linearly from this one (cycles per voxel) to
    /// <see cref="BandLimit"/>, the rest held at zero. A low-resolution start keeps EM out of the optima of detail it
    /// cannot yet place, as RELION's initial low-pass does.
    /// </summary>
    public double? StartBandLimit { get; init; }

    /// <summary>Iterations over which the band limit marches to <see cref="BandLimit"/> (with <see cref="StartBandLimit"/>).</summary>
    public int MarchingIterations { get; init; }

    /// <summary>
    /// HEALPix order of the orientations tried (<see cref="Geometry.OrientationGrid"/>): order 0 is 12 directions × 6
    /// in-plane angles (72, about 60° apart), order 1 is 48 × 12 (576, about 30°).
    /// </summary>
    public int OrientationOrder { get; init; } = 1;

    /// <summary>Iteration limit.</summary>
    public int MaxIterations { get; init; } = 30;

    /// <summary>Stop when ‖x_{k+1} − x_k‖/‖x_{k+1}‖ falls below this (with one block; with more, after a whole pass below it).</summary>
    public double Tolerance { get; init; } = 1e-4;

    /// <summary>
    /// Incremental EM (Neal and Hinton): the rows of patches fall into this many interleaved blocks (row r in block
    /// r mod B); each iteration runs the E-step on the next block only and the M-step on the latest statistics of every
    /// block seen so far, so B iterations cost one full pass. 1 is the plain EM over every patch. The blocks' statistics
    /// live in memory only: a continued run (<see cref="Start"/>) gathers them afresh, its first B − 1 M-steps on fewer
    /// patches.
    /// </summary>
    public int Blocks { get; init; } = 1;

    /// <summary>Centre the volume on its centre of mass after each M-step (the patch model cannot fix where it sits in its box).</summary>
    public bool Centre { get; init; } = true;

    /// <summary>Where the random start and the mini-batches come from.</summary>
    public required SeedSequence Seeds { get; init; }

    /// <summary>Coefficients to start from (in the basis these settings make), or null for a random start.</summary>
    public double[]? Start { get; init; }

    /// <summary>A shift prior to start from ((2L)² values), or null.</summary>
    public double[]? StartPrior { get; init; }

    /// <summary>The density the shift prior starts from when none is given.</summary>
    public double StartGamma { get; init; } = 0.05;

    /// <summary>Iterations already done (a continued run numbers its iterations on from here).</summary>
    public int FirstIteration { get; init; }

    /// <summary>Threads (over rows of patches, and over orientations in the M-step).</summary>
    public ComputeContext Context { get; init; } = ComputeContext.Default;

    /// <summary>Called after each iteration.</summary>
    public Action<MicrographVolumeEmIteration>? Progress { get; init; }

    /// <summary>
    /// Checks every setting that does not need the micrograph, naming its command-line option (the basis checks its own,
    /// and the solver the blocks against the rows of patches), so that a command can refuse before it writes anything.
    /// </summary>
    public void Validate()
    {
        if (OrientationOrder is < 0 or > 2)
        {
            throw new InvalidParameterException("--orientation-order", OrientationOrder, "must be 0 (72 orientations), 1 (576) or 2 (4,608)");
        }

        if (Blocks < 1)
        {
            throw new InvalidParameterException("--blocks", Blocks, "must be at least 1");
        }

        if (StartBandLimit is { } start && (!(start > 0) || start > BandLimit))
        {
            throw new InvalidParameterException("--start-band-limit", start, $"must be above 0 and at most the band limit ({BandLimit})");
        }

        if (MarchingIterations < 0)
        {
            throw new InvalidParameterException("--marching-iterations", MarchingIterations, "must not be negative");
        }
    }
}

/// <summary>One iteration of <see cref="MicrographVolumeExpectationMaximization"/>.</summary>
/// <param name="Iteration">1-based, counting any earlier run continued.</param>
/// <param name="Change">‖x_{k+1} − x_k‖/‖x_{k+1}‖.</param>
/// <param name="LogLikelihoodPerPatch">Mean log-likelihood of a patch of the iteration's block at its start (up to a constant).</param>
/// <param name="Gamma">γ̂ after the iteration.</param>
/// <param name="Patches">Patches the iteration looked at.</param>
/// <param name="Seconds">Time of the iteration.</param>
/// <param name="Coefficients">The volume's coefficients after it.</param>
/// <param name="ShiftPrior">The shift prior after it.</param>
public sealed record MicrographVolumeEmIteration(int Iteration, double Change, double LogLikelihoodPerPatch, double Gamma, long Patches, double Seconds,
    double[] Coefficients, double[] ShiftPrior);
