using CryoSharp.Numerics;

namespace CryoSharp.Moments;

/// <summary>
/// One parallel pass over the chunks of a set of observations with a per-chunk accumulator. Chunks run in waves of
/// a fixed size and each wave's accumulators are merged in chunk order, so the sums (and every result built on
/// them) are identical for any thread count, while memory stays at one wave of chunks.
/// </summary>
internal static class ChunkedPass
{
    private const int Wave = 32;

    /// <summary>
    /// Calls <paramref name="accumulate"/>(chunk index, observations, shifts, count, accumulator) for every chunk
    /// and merges the accumulators into <paramref name="total"/> in chunk order.
    /// </summary>
    public static void Run<T>(IMraObservations source, bool withShifts, Func<T> create, Action<int, float[], int[], int, T> accumulate,
        Action<T, T> merge, T total)
    {
        int chunks = source.ChunkCount, length = source.Length, size = source.ChunkSize;
        var partial = new T[Wave];
        for (int first = 0; first < chunks; first += Wave)
        {
            int count = Math.Min(Wave, chunks - first);
            Parallel.For(0, count, Parallelism.Options, () => (new float[size * length], new int[withShifts ? size : 0]), (w, _, buffers) =>
            {
                int chunk = first + w;
                int n = source.ChunkLength(chunk);
                source.Read(chunk, buffers.Item1, buffers.Item2);
                var accumulator = create();
                accumulate(chunk, buffers.Item1, buffers.Item2, n, accumulator);
                partial[w] = accumulator;
                return buffers;
            }, _ => { });
            for (int w = 0; w < count; w++)
            {
                merge(total, partial[w]);
            }
        }
    }
}
