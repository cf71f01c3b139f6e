using System.Collections;
using CryoSharp.Numerics;
using CryoSharp.Particles;

namespace CryoSharp.Simulation;

/// <summary>
/// A simulation's particle records made on demand instead of held: record i is the i-th draw of one seeded stream
/// (exactly what drawing them all in order gives), found by replaying the stream from the start of its block of
/// <see cref="BlockSize"/> records, whose generator state is saved the first time the block is reached. Memory is
/// one saved state per block and the two blocks last read, so a table of 10⁹ records costs about 10 MB instead of
/// the ~1 TB its records would take. Safe to read from many threads; reads in order are the fast case.
/// </summary>
public sealed class SimulatedParticleTable : IReadOnlyList<ParticleRecord>
{
    /// <summary>Records per block: the unit of replay and of caching.</summary>
    public const int BlockSize = 8192;

    private readonly Func<RandomStream, int, ParticleRecord> draw;
    private readonly List<RandomStream> blockStarts = [];
    private readonly Lock gate = new();
    private DrawnBlock? recent, previous;

    /// <summary>Creates the table.</summary>
    /// <param name="count">Number of records.</param>
    /// <param name="stream">The stream positioned at record 0 (the table keeps its own copy).</param>
    /// <param name="draw">Draws record i from the stream (the same calls, in order, that drawing the whole table makes).</param>
    public SimulatedParticleTable(int count, RandomStream stream, Func<RandomStream, int, ParticleRecord> draw)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentNullException.ThrowIfNull(stream);
        this.draw = draw ?? throw new ArgumentNullException(nameof(draw));
        Count = count;
        blockStarts.Add(stream.Copy());
    }

    /// <inheritdoc/>
    public int Count { get; }

    /// <inheritdoc/>
    public ParticleRecord this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
            int block = index / BlockSize;
            var hit = recent;
            if (hit is null || hit.Block != block)
            {
                hit = previous;
                if (hit is null || hit.Block != block)
                {
                    hit = Decode(block);
                }
            }

            return hit.Records[index - (block * BlockSize)];
        }
    }

    /// <inheritdoc/>
    public IEnumerator<ParticleRecord> GetEnumerator()
    {
        for (int i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private DrawnBlock Decode(int block)
    {
        lock (gate)
        {
            if (recent?.Block == block)
            {
                return recent;
            }

            if (previous?.Block == block)
            {
                return previous;
            }

            // Blocks not reached yet are walked through once, saving where each starts.
            while (blockStarts.Count <= block)
            {
                int walked = blockStarts.Count - 1;
                var stream = blockStarts[walked].Copy();
                int end = Math.Min(Count, (walked + 1) * BlockSize);
                for (int i = walked * BlockSize; i < end; i++)
                {
                    draw(stream, i);
                }

                blockStarts.Add(stream);
            }

            var replay = blockStarts[block].Copy();
            int first = block * BlockSize, n = Math.Min(BlockSize, Count - first);
            var records = new ParticleRecord[n];
            for (int i = 0; i < n; i++)
            {
                records[i] = draw(replay, first + i);
            }

            var decoded = new DrawnBlock(block, records);
            previous = recent;
            recent = decoded;
            return decoded;
        }
    }

    private sealed record DrawnBlock(int Block, ParticleRecord[] Records);
}
