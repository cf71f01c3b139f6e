using CryoSharp.Classification;
using CryoSharp.Numerics;

namespace CryoSharp.Tests.Classification;

public class ReferenceSlicesTests
{
    private static void Fill(int index, bool isFine, Span<float> packed)
    {
        for (int i = 0; i < packed.Length; i++)
        {
            packed[i] = (float)Math.Sin((index * 0.37) + (i * 0.11) + (isFine ? 1 : 0));
        }
    }

    [Theory]
    [InlineData(1L << 30)]
    [InlineData(0L)]
    public void LazySlicesEqualPrecomputedOnesWithinTheirBudget(long budget)
    {
        var pixels = new FourierPixelSet(16, 6);
        int coarse = 12, children = 4;
        var classOf = new int[coarse];
        var prior = new double[coarse];
        var eager = new ReferenceSlices(pixels, coarse, children, classOf, prior, Fill, ComputeContext.Default);
        var lazy = new ReferenceSlices(pixels, coarse, children, classOf, prior, Fill, budget);
        Assert.True(lazy.IsLazy);
        // A coarse slice also keeps its power per shell (for branch and bound); the scratch has room for it.
        var scratch = new float[(3 * pixels.Count) + lazy.ShellCount];
        for (int s = 0; s < coarse; s++)
        {
            Assert.Equal(eager.Coarse(s).ToArray(), lazy.CoarseSlice(s, scratch, out var power, out var shells).ToArray());
            Assert.Equal(eager.CoarsePower(s).ToArray(), power.ToArray());
            eager.CoarseSlice(s, scratch, out var eagerPower, out var eagerShells);
            Assert.Equal(eagerShells.ToArray(), shells.ToArray());
            Assert.Equal(power.ToArray().Sum(), shells.ToArray().Sum(), 1e-3 * power.ToArray().Sum());
        }

        for (int f = 0; f < coarse * children; f++)
        {
            Assert.Equal(eager.Fine(f).ToArray(), lazy.FineSlice(f, scratch, out var power).ToArray());
            Assert.Equal(eager.FinePower(f).ToArray(), power.ToArray());
        }

        Assert.True(lazy.CachedBytes <= budget);
        Assert.Equal(budget > 0 ? ((long)coarse * (1 + children) * 3 * pixels.Count * sizeof(float)) + (coarse * lazy.ShellCount * sizeof(float)) : 0, lazy.CachedBytes);
    }
}
