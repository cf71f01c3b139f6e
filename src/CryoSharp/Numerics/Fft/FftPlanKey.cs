namespace CryoSharp.Numerics.Fft;

/// <summary>Identifies one FFTW plan: the transform, the shape of one item and how many items a batch holds.</summary>
internal readonly record struct FftPlanKey(FftKind Kind, GridShape Shape, int BatchCount);
