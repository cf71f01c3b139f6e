using CryoSharp.Numerics;

namespace CryoSharp.Moments;

/// <summary>Settings of <see cref="MomentFitting"/>.</summary>
public sealed record MomentFittingOptions
{
    /// <summary>Random starts of the fit.</summary>
    public int Restarts { get; init; } = 10;

    /// <summary>Where the random starts come from.</summary>
    public required SeedSequence Seeds { get; init; }

    /// <summary>Threads and FFT planning of the moments pass.</summary>
    public ComputeContext Context { get; init; } = ComputeContext.Default;
}
