namespace CryoSharp.Moments;

/// <summary>
/// A set of N one-dimensional observations of length L, read in fixed chunks so that passes over 10⁷ of them need
/// bounded memory and can run chunks in parallel. A chunk's content never depends on who reads it or when.
/// </summary>
public interface IMraObservations
{
    /// <summary>L, samples per observation.</summary>
    int Length { get; }

    /// <summary>N, the number of observations.</summary>
    long Count { get; }

    /// <summary>Observations per chunk (the last may hold fewer).</summary>
    int ChunkSize { get; }

    /// <summary>Whether the true shifts are known (simulations), for the oracle.</summary>
    bool HasShifts { get; }

    /// <summary>Number of chunks.</summary>
    int ChunkCount => (int)((Count + ChunkSize - 1) / ChunkSize);

    /// <summary>Observations in chunk <paramref name="chunk"/>.</summary>
    int ChunkLength(int chunk) => (int)Math.Min(ChunkSize, Count - ((long)chunk * ChunkSize));

    /// <summary>
    /// Writes chunk <paramref name="chunk"/>'s observations (row after row, L values each) and, when
    /// <paramref name="shifts"/> is not empty and the shifts are known, their shifts. Thread-safe.
    /// </summary>
    void Read(int chunk, Span<float> observations, Span<int> shifts);
}
