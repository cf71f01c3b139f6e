using CryoSharp.Numerics;

namespace CryoSharp.Moments;

/// <summary>
/// One parallel pass over the chunks of a set of observations (<see cref="OrderedParallel"/>): every chunk is read
/// into its worker's buffers and summed into a result of its own, and the results are merged in chunk order, so
/// sums do not depend on the thread count.
/// </summary>
internal static class ChunkedPass
{
    /// <summary>
    /// Calls <paramref name="accumulate"/>(observations, shifts, count, scratch) for every chunk, with a per-worker
    /// <paramref name="scratch"/> reused across chunks, and merges the results in chunk order.
    /// </summary>
    public static void Run<TScratch, T>(IMraObservations source, bool withShifts, ComputeContext context, Func<TScratch> scratch,
        Func<float[], int[], int, TScratch, T> accumulate, Action<T> merge)
    {
        int length = source.Length, size = source.ChunkSize;
        OrderedParallel.For(source.ChunkCount, context,
            () => (Observations: new float[size * length], Shifts: new int[withShifts ? size : 0], Scratch: scratch()),
            (chunk, w) =>
            {
                source.Read(chunk, w.Observations, w.Shifts);
                return accumulate(w.Observations, w.Shifts, source.ChunkLength(chunk), w.Scratch);
            }, merge);
    }
}
