using CryoSharp.Geometry;

namespace CryoSharp.Poses;

/// <summary>What <see cref="QuaternionPoseRecovery"/> found.</summary>
/// <param name="Orientations">The recovered orientation of every particle (of the best restart).</param>
/// <param name="Loss">Mean of (d_p − d_q)² over all pairs at the end of the best restart (radians²).</param>
/// <param name="LossCurve">The best restart's mean squared residual over each epoch's pairs (radians², as they were met during the epoch).</param>
/// <param name="RestartLosses">Final loss of every restart, in order.</param>
/// <param name="BestRestart">Index of the restart kept.</param>
/// <param name="Seconds">Wall time of the fit.</param>
public sealed record PoseRecoveryResult(UnitQuaternion[] Orientations, double Loss, double[] LossCurve, double[] RestartLosses, int BestRestart, double Seconds);
