using CryoSharp.Distributed;
using CryoSharp.Numerics;

namespace CryoSharp.Tests.Distributed;

public class ChunkedSumPassTests
{
    /// <summary>Values whose sums depend on the order of addition (large and tiny terms of both signs).</summary>
    private static double[] ChunkValues(int chunk)
    {
        var random = new SeedSequence(7).Spawn("chunk", chunk).CreateStream();
        var values = new double[5];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = random.NextGaussian() * Math.Pow(10, random.NextInt(12) - 6);
        }

        return values;
    }

    private static double[] Pass(int chunks, int threads) =>
        ChunkedSumPass.Run(chunks, ComputeContext.Default.WithThreads(threads), [], () => 0, (chunk, _) => new VectorSum(ChunkValues(chunk)), () => new VectorSum(5)).Values;

    [Theory]
    [InlineData(1)]
    [InlineData(37)]
    [InlineData(64)]
    [InlineData(1000)]
    public void AddsEachBlockInChunkOrderThenTheBlocksInOrderForAnyThreadCount(int chunks)
    {
        // The tree every rank count and thread count must reproduce: blocks of consecutive chunks, each summed from
        // zero in chunk order, then the blocks added from zero in block order.
        int blocks = Math.Min(ChunkedSumPass.Blocks, chunks);
        var expected = new double[5];
        for (int b = 0; b < blocks; b++)
        {
            var block = new double[5];
            for (int c = (int)((long)b * chunks / blocks); c < (int)((long)(b + 1) * chunks / blocks); c++)
            {
                var v = ChunkValues(c);
                for (int i = 0; i < 5; i++)
                {
                    block[i] += v[i];
                }
            }

            for (int i = 0; i < 5; i++)
            {
                expected[i] += block[i];
            }
        }

        Assert.Equal(expected, Pass(chunks, 1));
        Assert.Equal(expected, Pass(chunks, 3));
    }

    [Fact]
    public void TheTreeIsNotThePlainChunkOrderSum()
    {
        // Otherwise the block test above could not tell a fixed tree from a running sum.
        var running = new double[5];
        for (int c = 0; c < 1000; c++)
        {
            var v = ChunkValues(c);
            for (int i = 0; i < 5; i++)
            {
                running[i] += v[i];
            }
        }

        Assert.NotEqual(running, Pass(1000, 1));
    }

    [Fact]
    public void NoChunksGiveZeros() => Assert.Equal(new double[5], Pass(0, 2));
}
