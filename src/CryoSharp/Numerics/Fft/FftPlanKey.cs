namespace CryoSharp.Numerics.Fft;

/// <summary>
/// Identifies one FFTW plan: the transform, the shape of one item, how many items a batch holds and how the
/// plan was chosen.
/// </summary>
/// <param name="Kind">The transform.</param>
/// <param name="Shape">Shape of one item.</param>
/// <param name="BatchCount">Items per batch.</param>
/// <param name="Planning">Estimate or measure.</param>
/// <param name="Threads">Threads FFTW itself uses inside the transform (1 unless it is one large grid).</param>
/// <param name="Alignment">For transforms on caller-owned buffers: the buffer's address modulo 64, which FFTW's
/// plans depend on (scratch buffers are always aligned, so 0).</param>
internal readonly record struct FftPlanKey(FftKind Kind, GridShape Shape, int BatchCount, FftPlanning Planning, int Threads = 1, int Alignment = 0);
