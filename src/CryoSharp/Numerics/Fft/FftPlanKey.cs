namespace CryoSharp.Numerics.Fft;

/// <summary>
/// Identifies one FFTW plan: the transform, the shape of one item, how many items a batch holds and how the
/// plan was chosen.
/// </summary>
internal readonly record struct FftPlanKey(FftKind Kind, GridShape Shape, int BatchCount, FftPlanning Planning);
