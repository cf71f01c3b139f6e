using CryoSharp.Geometry;

namespace CryoSharp.Poses;

/// <summary>The frame <see cref="PoseFrameSearch"/> found.</summary>
/// <param name="Left">A, applied on the left of every orientation.</param>
/// <param name="Inverted">Whether the orientations were inverted (transposed) first.</param>
/// <param name="Score">Mean coherent fraction of the power over the scored shells at A (1: every voxel's values agree).</param>
/// <param name="IdentityScore">The same score with A = I (the orientations as fitted), for comparison.</param>
public sealed record PoseFrame(Matrix3 Left, bool Inverted, double Score, double IdentityScore)
{
    /// <summary>A·T(R̂): a fitted orientation in the frame the images agree in, ready for a reconstruction.</summary>
    public Matrix3 Apply(Matrix3 fitted) => Left * (Inverted ? fitted.Transpose() : fitted);
}
