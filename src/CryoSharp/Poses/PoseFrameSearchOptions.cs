using CryoSharp.Numerics;

namespace CryoSharp.Poses;

/// <summary>Settings of <see cref="PoseFrameSearch"/>.</summary>
public sealed record PoseFrameSearchOptions
{
    /// <summary>Highest Fourier shell scored (pixels of the image box); low shells carry the agreement.</summary>
    public int MaxShell { get; init; } = 6;

    /// <summary>At most this many images are used (evenly spaced through the set: <see cref="PoseFrameSearch.Sample"/>).</summary>
    public int MaxImages { get; init; } = 1000;

    /// <summary>Finest HEALPix order of the search (order k: about 60°/2ᵏ apart; 5 is 1.9°).</summary>
    public int FinestOrder { get; init; } = 5;

    /// <summary>Candidates refined at each finer order.</summary>
    public int Keep { get; init; } = 8;

    /// <summary>Threads.</summary>
    public ComputeContext Context { get; init; } = ComputeContext.Default;
}
