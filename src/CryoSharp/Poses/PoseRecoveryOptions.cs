using CryoSharp.Geometry;
using CryoSharp.Numerics;

namespace CryoSharp.Poses;

/// <summary>How <see cref="QuaternionPoseRecovery"/> fits orientations to pairwise distances.</summary>
public sealed record PoseRecoveryOptions
{
    /// <summary>Passes over every pair.</summary>
    public int Epochs { get; init; } = 200;

    /// <summary>Pairs per Adam step.</summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>Adam's step size at the start (quaternion components per step); it falls on a cosine to 1 % of this by the last epoch.</summary>
    public double LearningRate { get; init; } = 0.1;

    /// <summary>Independent random starts; the one with the lowest final loss is kept.</summary>
    public int Restarts { get; init; } = 4;

    /// <summary>Orientations to start every restart from instead of random ones (to ask whether the truth is a minimum).</summary>
    public IReadOnlyList<UnitQuaternion>? Start { get; init; }

    /// <summary>Seeds of the starts and of the pair order.</summary>
    public SeedSequence Seeds { get; init; } = new(0);

    /// <summary>Threads: restarts run side by side.</summary>
    public ComputeContext Context { get; init; } = ComputeContext.Default;
}
