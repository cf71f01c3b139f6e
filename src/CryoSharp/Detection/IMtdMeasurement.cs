namespace CryoSharp.Detection;

/// <summary>
/// A long one-dimensional measurement read in fixed chunks, each with a halo (the first samples of the next chunk),
/// so that lagged products over chunk boundaries need no second read. Chunk contents never depend on who reads
/// them or when; reads are thread-safe.
/// </summary>
public interface IMtdMeasurement
{
    /// <summary>N, samples in the measurement.</summary>
    long Length { get; }

    /// <summary>Samples per chunk (the last may hold fewer).</summary>
    int ChunkSize { get; }

    /// <summary>Number of chunks.</summary>
    int ChunkCount => (int)((Length + ChunkSize - 1) / ChunkSize);

    /// <summary>Samples in chunk <paramref name="chunk"/>.</summary>
    int ChunkLength(int chunk) => (int)Math.Min(ChunkSize, Length - ((long)chunk * ChunkSize));

    /// <summary>
    /// Writes chunk <paramref name="chunk"/> followed by up to <paramref name="halo"/> samples of the next one into
    /// <paramref name="destination"/>; returns how many halo samples there were (fewer at the end).
    /// </summary>
    int Read(int chunk, int halo, Span<float> destination);
}
