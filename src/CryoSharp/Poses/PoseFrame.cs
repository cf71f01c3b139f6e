using CryoSharp.Geometry;

namespace CryoSharp.Poses;

/// <summary>The frame <see cref="PoseFrameSearch"/> found.</summary>
/// <param name="Left">A, applied on the left of every orientation.</param>
/// <param name="Inverted">Whether the orientations were inverted (transposed) first.</param>
/// <param name="Score">Mean coherent fraction of the power over the scored shells at A (1: every voxel's values agree).</param>
/// <param name="IdentityScore">The same score with A = I (the orientations as fitted), for comparison.</param>
/// <param name="Orientations">A·T(R̂ᵢ) for every image, ready for a reconstruction.</param>
public sealed record PoseFrame(Matrix3 Left, bool Inverted, double Score, double IdentityScore, Matrix3[] Orientations);
