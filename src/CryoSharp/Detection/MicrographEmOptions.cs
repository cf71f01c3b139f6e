using CryoSharp.Numerics;

namespace CryoSharp.Detection;

/// <summary>Settings of <see cref="MicrographExpectationMaximization"/>.</summary>
public sealed record MicrographEmOptions
{
    /// <summary>K, the in-plane rotations tried, 2π/K apart.</summary>
    public int Rotations { get; init; } = 16;

    /// <summary>Iteration limit.</summary>
    public int MaxIterations { get; init; } = 100;

    /// <summary>Stop when ‖x_{k+1} − x_k‖/‖x_{k+1}‖ falls below this.</summary>
    public double Tolerance { get; init; } = 1e-4;

    /// <summary>Highest radial frequency of the Fourier–Bessel basis the image is sought in, cycles per pixel.</summary>
    public double BandLimit { get; init; } = 0.5;

    /// <summary>
    /// Centre the estimate on its centre of mass after each M-step. A patch model cannot tell the target from the
    /// target moved inside its box (the copies' unknown positions absorb the move), and EM drifts into such moved,
    /// clipped optima; centring removes that freedom, as RELION centres its class averages.
    /// </summary>
    public bool Centre { get; init; } = true;

    /// <summary>Where the random start comes from.</summary>
    public required SeedSequence Seeds { get; init; }

    /// <summary>Fourier–Bessel coefficients to start from instead of the random start (from an earlier run, say).</summary>
    public ComplexF[]? Start { get; init; }

    /// <summary>
    /// Size of the random part of the start relative to its centred Gaussian part (a smooth random image of that
    /// norm ratio is added to break the rotational symmetry).
    /// </summary>
    public double StartPerturbation { get; init; } = 0.5;

    /// <summary>A shift prior to start from ((2L)² values, as <see cref="MicrographEmResult.ShiftPrior"/>), or null.</summary>
    public double[]? StartPrior { get; init; }

    /// <summary>
    /// The density the shift prior starts from when none is given: γ/L² on each of the (2L − 1)² shifts that show part of
    /// the target, the rest on the empty patch.
    /// </summary>
    public double StartGamma { get; init; } = 0.05;

    /// <summary>Iterations already done (a continued run numbers its iterations on from here).</summary>
    public int FirstIteration { get; init; }

    /// <summary>Threads (over rows of patches).</summary>
    public ComputeContext Context { get; init; } = ComputeContext.Default;

    /// <summary>Called after each iteration.</summary>
    public Action<MicrographEmIteration>? Progress { get; init; }
}

/// <summary>One iteration of <see cref="MicrographExpectationMaximization"/>.</summary>
/// <param name="Iteration">1-based, counting any earlier run continued.</param>
/// <param name="Change">‖x_{k+1} − x_k‖/‖x_{k+1}‖.</param>
/// <param name="LogLikelihoodPerPatch">Mean log-likelihood of a patch at the iteration's start (up to a constant).</param>
/// <param name="Gamma">γ̂ after the iteration.</param>
/// <param name="Seconds">Time of the iteration.</param>
/// <param name="Coefficients">The estimate's coefficients after it.</param>
/// <param name="ShiftPrior">The shift prior after it.</param>
public sealed record MicrographEmIteration(int Iteration, double Change, double LogLikelihoodPerPatch, double Gamma, double Seconds,
    ComplexF[] Coefficients, double[] ShiftPrior);
