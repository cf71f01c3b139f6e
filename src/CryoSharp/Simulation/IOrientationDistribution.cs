using CryoSharp.Geometry;
using CryoSharp.Numerics;

namespace CryoSharp.Simulation;

/// <summary>A distribution of particle orientations to draw simulated views from.</summary>
public interface IOrientationDistribution
{
    /// <summary>One orientation as RELION Euler angles.</summary>
    EulerAngles Sample(RandomStream random);

    /// <summary>What the distribution is, in words (for reports).</summary>
    string Description { get; }
}
