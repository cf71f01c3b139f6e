using CryoSharp.Numerics;

namespace CryoSharp.Tests.Numerics;

public class DotProductsTests
{
    [Theory]
    [InlineData(7)]
    [InlineData(64)]
    [InlineData(203)]
    public void ChosenRowsHaveTheBitsOfEveryRowScoredTogether(int length)
    {
        // Branch and bound scores only some rows; its scores must equal, to the bit, those of the search that scores them all.
        var random = new RandomStream(3);
        const int rows = 11;
        var a = new float[length];
        var table = new float[rows * length];
        for (int i = 0; i < a.Length; i++)
        {
            a[i] = (float)random.NextGaussian();
        }

        for (int i = 0; i < table.Length; i++)
        {
            table[i] = (float)random.NextGaussian();
        }

        var all = new float[rows];
        DotProducts.OneAgainstMany(a, table, all);
        int[][] choices = [[10], [3, 9], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [10, 8, 6, 4, 2], [5, 5, 1, 9, 0, 7]];
        foreach (var chosen in choices)
        {
            var some = new float[chosen.Length];
            DotProducts.OneAgainstChosen(a, table, length, 0, chosen, some);
            for (int j = 0; j < chosen.Length; j++)
            {
                Assert.Equal(BitConverter.SingleToInt32Bits(all[chosen[j]]), BitConverter.SingleToInt32Bits(some[j]));
            }
        }

        // And each is the dot product.
        for (int r = 0; r < rows; r++)
        {
            double direct = 0;
            for (int i = 0; i < length; i++)
            {
                direct += a[i] * table[(r * length) + i];
            }

            Assert.Equal(direct, all[r], 1e-4 * length);
        }
    }

    [Fact]
    public void ChosenRowsMayBeAPrefixOfLongerRows()
    {
        var random = new RandomStream(4);
        const int stride = 40, length = 13;
        var a = new float[length];
        var table = new float[5 * stride];
        for (int i = 0; i < a.Length; i++)
        {
            a[i] = (float)random.NextGaussian();
        }

        for (int i = 0; i < table.Length; i++)
        {
            table[i] = (float)random.NextGaussian();
        }

        var result = new float[2];
        DotProducts.OneAgainstChosen(a, table, stride, 6, [4, 1], result);
        double first = 0, second = 0;
        for (int i = 0; i < length; i++)
        {
            first += a[i] * table[(4 * stride) + 6 + i];
            second += a[i] * table[stride + 6 + i];
        }

        Assert.Equal(first, result[0], 1e-4);
        Assert.Equal(second, result[1], 1e-4);
    }
}
