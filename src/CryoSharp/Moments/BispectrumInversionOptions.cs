using CryoSharp.Numerics;

namespace CryoSharp.Moments;

/// <summary>Settings of <see cref="BispectrumInversion"/>.</summary>
public sealed record BispectrumInversionOptions
{
    /// <summary>Starts of the phase fit (half frequency marching, half random).</summary>
    public int Restarts { get; init; } = 10;

    /// <summary>Weigh the bispectrum entries by their inverse variances and refine magnitudes and phases together.</summary>
    public bool Weighted { get; init; } = true;

    /// <summary>Where the random starts come from.</summary>
    public required SeedSequence Seeds { get; init; }

    /// <summary>Threads and FFT planning of the invariants pass.</summary>
    public ComputeContext Context { get; init; } = ComputeContext.Default;
}
