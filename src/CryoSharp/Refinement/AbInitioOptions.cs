using CryoSharp.Classification;
using CryoSharp.Geometry;
using CryoSharp.Numerics;

namespace CryoSharp.Refinement;

/// <summary>
/// Settings of ab initio reconstruction by stochastic gradient descent (cryoSPARC's ab initio, RELION 3's --sgd), with
/// its defaults. The iterations fall into three phases of about a quarter, a half and a quarter: at the initial
/// resolution and minibatch size, then both ramped to their final values, then at the final values with the step
/// annealed, so that the last maps average many minibatches.
/// </summary>
public sealed record AbInitioOptions
{
    /// <summary>Number of maps (classes) grown together; each particle's minibatch sums go to them by posterior.</summary>
    public int Classes { get; init; } = 1;

    /// <summary>Particle diameter in Å (the mask on images and maps); null for 90 % of the box.</summary>
    public double? ParticleDiameterA { get; init; }

    /// <summary>Correct for the CTF.</summary>
    public bool Ctf { get; init; }

    /// <summary>Point group imposed on every update (C1 unless the symmetry is known; ab initio usually runs in C1).</summary>
    public SymmetryGroup Symmetry { get; init; } = SymmetryGroup.C1;

    /// <summary>Resolution of the first iterations, in Å (cryoSPARC's 35 Å).</summary>
    public double InitialResolutionA { get; init; } = 35;

    /// <summary>Resolution of the last iterations, in Å (cryoSPARC's 12 Å); it also sets the working box.</summary>
    public double FinalResolutionA { get; init; } = 12;

    /// <summary>SGD iterations (one minibatch each).</summary>
    public int Iterations { get; init; } = 120;

    /// <summary>Particles per minibatch in the first phase.</summary>
    public int InitialMinibatch { get; init; } = 100;

    /// <summary>Particles per minibatch in the last phase.</summary>
    public int FinalMinibatch { get; init; } = 300;

    /// <summary>Step along the preconditioned gradient (1 = move to the minibatch's own reconstruction).</summary>
    public double LearningRate { get; init; } = 0.5;

    /// <summary>Momentum: the fraction of the previous step carried into the next.</summary>
    public double Momentum { get; init; } = 0.5;

    /// <summary>
    /// The noise σ² is multiplied by this at the first iteration and by a factor falling to 1 by the last phase (the
    /// annealing temperature): broad posteriors at first, so that no minibatch commits the map to a wrong structure.
    /// </summary>
    public double InitialNoiseScale { get; init; } = 4;

    /// <summary>The finest HEALPix order searched (2 = 15° coarse, 7.5° after oversampling).</summary>
    public int MaxHealpixOrder { get; init; } = 2;

    /// <summary>Translational search range about each particle's last offset, in pixels of the particles' box.</summary>
    public double OffsetRangePx { get; init; } = 6;

    /// <summary>Translational step, in pixels of the particles' box.</summary>
    public double OffsetStepPx { get; init; } = 2;

    /// <summary>The most coarse hypotheses per particle refined in the fine pass.</summary>
    public int MaxSignificant { get; init; } = 200;

    /// <summary>How each minibatch's E-step visits the poses (branch and bound gives the same result, faster where posteriors are sharp).</summary>
    public PoseSearchStrategy Search { get; init; } = PoseSearchStrategy.Exhaustive;

    /// <summary>At most this many particles (a random subset) are used; null for all.</summary>
    public int? MaxParticles { get; init; }

    /// <summary>The working box in pixels (particles and maps Fourier-cropped to it); null for the smallest even box whose Nyquist reaches the final resolution.</summary>
    public int? WorkingBox { get; init; }

    /// <summary>Width of the soft edge of the circular and spherical masks, in pixels of the working box.</summary>
    public double MaskEdgePx { get; init; } = 3;

    /// <summary>Seeds (the particle subset, the start, the minibatches).</summary>
    public SeedSequence Seeds { get; init; } = new(0);

    /// <summary>Threads.</summary>
    public ComputeContext Context { get; init; } = ComputeContext.Default;

    /// <summary>Refuses settings that cannot work, naming the option.</summary>
    public void Validate()
    {
        if (Classes < 1)
        {
            throw new InvalidParameterException("--classes", Classes, "must be at least 1");
        }

        if (ParticleDiameterA is double d && !(d > 0))
        {
            throw new InvalidParameterException("--particle-diameter", d, "must be positive (Å)");
        }

        InvalidParameterException.ThrowIfNotPositive("--initial-resolution", InitialResolutionA);
        InvalidParameterException.ThrowIfNotPositive("--final-resolution", FinalResolutionA);
        if (FinalResolutionA > InitialResolutionA)
        {
            throw new InvalidParameterException("--final-resolution", FinalResolutionA, $"must not be coarser than --initial-resolution ({InitialResolutionA} Å)");
        }

        if (Iterations < 1)
        {
            throw new InvalidParameterException("--iterations", Iterations, "must be at least 1");
        }

        if (InitialMinibatch < 2)
        {
            throw new InvalidParameterException("--initial-minibatch", InitialMinibatch, "must be at least 2");
        }

        if (FinalMinibatch < InitialMinibatch)
        {
            throw new InvalidParameterException("--final-minibatch", FinalMinibatch, $"must be at least --initial-minibatch ({InitialMinibatch})");
        }

        if (!(LearningRate is > 0 and <= 1))
        {
            throw new InvalidParameterException("--learning-rate", LearningRate, "must be in (0, 1]");
        }

        if (!(Momentum is >= 0 and < 1))
        {
            throw new InvalidParameterException("--momentum", Momentum, "must be in [0, 1)");
        }

        if (!(InitialNoiseScale >= 1))
        {
            throw new InvalidParameterException("--initial-noise-scale", InitialNoiseScale, "must be at least 1");
        }

        if (MaxHealpixOrder is < 0 or > 3)
        {
            throw new InvalidParameterException("--max-healpix-order", MaxHealpixOrder, "must be 0 to 3 for ab initio (global searches)");
        }

        if (MaxParticles is int p && p < 2)
        {
            throw new InvalidParameterException("--max-particles", p, "must be at least 2");
        }

        if (WorkingBox is int b && (b < 8 || b % 2 != 0))
        {
            throw new InvalidParameterException("--working-box", b, "must be even and at least 8");
        }

        InvalidParameterException.ThrowIfNotPositive("--offset-step", OffsetStepPx);
        if (OffsetRangePx < 0)
        {
            throw new InvalidParameterException("--offset-range", OffsetRangePx, "must be zero or positive");
        }
    }
}
