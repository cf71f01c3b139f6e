namespace CryoSharp.Numerics.Fft;

/// <summary>Writes every sample of a transform's real input (origin at index 0) into FFTW's aligned buffer.</summary>
/// <param name="input">The buffer, exactly one grid long.</param>
public delegate void FftInputWriter(Span<float> input);
