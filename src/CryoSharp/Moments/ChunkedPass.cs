using CryoSharp.Distributed;
using CryoSharp.Numerics;

namespace CryoSharp.Moments;

/// <summary>
/// One parallel pass over the chunks of a set of observations (<see cref="ChunkedSumPass"/>): every chunk is read
/// into its worker's buffers and summed into a result of its own, and the results are added in a fixed order, so
/// sums do not depend on the thread count or on how many MPI ranks share the chunks (each reads only its own).
/// </summary>
internal static class ChunkedPass
{
    /// <summary>One pass with fresh buffers (see <see cref="ChunkedPass{TScratch}"/> for repeated passes).</summary>
    public static T Run<TScratch, T>(IMraObservations source, bool withShifts, ComputeContext context, Func<TScratch> scratch,
        Func<float[], int[], int, TScratch, T> accumulate, Func<T> empty)
        where T : ChunkSum<T> =>
        new ChunkedPass<TScratch>(source, withShifts, context, scratch).Run(accumulate, empty);
}

/// <summary>
/// Repeated chunked passes over the same observations (one per EM iteration) that keep their workers' buffers from
/// pass to pass: memory stays at one set of buffers per worker however many passes run.
/// </summary>
internal sealed class ChunkedPass<TScratch>(IMraObservations source, bool withShifts, ComputeContext context, Func<TScratch> scratch)
{
    private readonly System.Collections.Concurrent.ConcurrentBag<(float[] Observations, int[] Shifts, TScratch Scratch)> pool = [];

    /// <summary>Reads every chunk (of this rank) into a worker's buffers, accumulates it, and adds the results in a fixed order.</summary>
    public T Run<T>(Func<float[], int[], int, TScratch, T> accumulate, Func<T> empty)
        where T : ChunkSum<T>
    {
        int length = source.Length, size = source.ChunkSize;
        return ChunkedSumPass.Run(source.ChunkCount, context, pool,
            () => (Observations: new float[size * length], Shifts: new int[withShifts ? size : 0], Scratch: scratch()),
            (chunk, w) =>
            {
                source.Read(chunk, w.Observations, w.Shifts);
                return accumulate(w.Observations, w.Shifts, source.ChunkLength(chunk), w.Scratch);
            }, empty);
    }
}
