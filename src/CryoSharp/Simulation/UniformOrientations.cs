using CryoSharp.Geometry;
using CryoSharp.Numerics;

namespace CryoSharp.Simulation;

/// <summary>Orientations drawn uniformly (Haar measure) from SO(3).</summary>
public sealed class UniformOrientations : IOrientationDistribution
{
    /// <inheritdoc />
    public string Description => "uniform on SO(3)";

    /// <inheritdoc />
    public EulerAngles Sample(RandomStream random) => Rotations.RandomUniform(random).ToEuler();
}
