using System.Collections.Concurrent;
using CryoSharp.Numerics;

namespace CryoSharp.Distributed;

/// <summary>
/// A pass over numbered chunks (of observations, of a long measurement) whose sum is bit-identical for any thread
/// count and any number of MPI ranks. The chunks fall into <see cref="Blocks"/> fixed blocks of consecutive chunks
/// (fewer when there are fewer chunks), a number that depends on the data alone. Each block is summed in chunk order
/// (<see cref="OrderedParallel"/>); the ranks share the blocks (<see cref="Communicator.Share"/>), and the block sums
/// are added in block order on every rank, each broadcast by the rank that made it. Floating-point addition is not
/// associative, so it is the fixed tree — not the data — that makes the result independent of how the work was split.
/// Memory: one sum per worker and per block of this rank under MPI (two sums in one process).
/// </summary>
internal static class ChunkedSumPass
{
    /// <summary>Blocks a pass is cut into (at most): enough for 64 ranks to share it.</summary>
    public const int Blocks = 64;

    /// <summary>
    /// Sums <paramref name="body"/>(chunk, workspace) over chunks 0..<paramref name="chunks"/> − 1 (this rank computing
    /// only its blocks' chunks); every rank returns the same total.
    /// </summary>
    public static TSum Run<TWorkspace, TSum>(int chunks, ComputeContext context, ConcurrentBag<TWorkspace> pool, Func<TWorkspace> workspace,
        Func<int, TWorkspace, TSum> body, Func<TSum> empty)
        where TSum : ChunkSum<TSum>
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(empty);
        ArgumentOutOfRangeException.ThrowIfNegative(chunks);
        var communicator = context.Communicator;
        var total = empty();
        int blocks = Math.Min(Blocks, chunks);
        if (blocks == 0)
        {
            return total;
        }

        var (firstBlock, myBlocks) = communicator.Share(blocks);
        int firstChunk = FirstChunk(firstBlock, blocks, chunks), endChunk = FirstChunk(firstBlock + myBlocks, blocks, chunks);
        var finished = new List<TSum>(communicator.IsDistributed ? myBlocks : 0);
        TSum? current = null;
        int block = firstBlock, chunk = firstChunk;
        OrderedParallel.For(endChunk - firstChunk, context, pool, workspace, (i, w) => body(firstChunk + i, w), part =>
        {
            // Results arrive in chunk order; a block ends where the next one's first chunk begins.
            while (chunk >= FirstChunk(block + 1, blocks, chunks))
            {
                block++;
            }

            if (current is not null && chunk == FirstChunk(block, blocks, chunks))
            {
                Finish(current);
                current = null;
            }

            if (current is null)
            {
                current = empty();
            }

            current.Add(part);
            chunk++;
        });
        if (current is not null)
        {
            Finish(current);
        }

        if (communicator.IsDistributed)
        {
            var buffer = new double[total.Length];
            var received = empty();
            for (int b = 0, mine = 0; b < blocks; b++)
            {
                int owner = OwnerOf(b, blocks, communicator);
                if (owner == communicator.Rank)
                {
                    finished[mine++].WriteTo(buffer);
                }

                communicator.Broadcast<double>(buffer, owner);
                received.ReadFrom(buffer);
                total.Add(received);
            }
        }

        return total;

        void Finish(TSum sum)
        {
            if (communicator.IsDistributed)
            {
                finished.Add(sum);
            }
            else
            {
                // In one process the blocks are added as they finish: the same order, the same values, as under MPI.
                total.Add(sum);
            }
        }
    }

    private static int FirstChunk(int block, int blocks, int chunks) => (int)((long)block * chunks / blocks);

    private static int OwnerOf(int block, int blocks, Communicator communicator)
    {
        for (int r = 0; r < communicator.Size; r++)
        {
            var (start, count) = communicator.ShareOf(r, blocks);
            if (block >= start && block < start + count)
            {
                return r;
            }
        }

        throw new ArgumentOutOfRangeException(nameof(block));
    }
}
