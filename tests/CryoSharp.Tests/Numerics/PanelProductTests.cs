using CryoSharp.Numerics;
using CryoSharp.Numerics.LinearAlgebra;

namespace CryoSharp.Tests.Numerics;

public class PanelProductTests
{
    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(7, 41, 41)]
    [InlineData(256, 41, 41)]
    [InlineData(41, 256, 41)]
    [InlineData(9, 5, 17)]
    [InlineData(13, 3, 24)]
    public void MatchesTheTripleLoopWithEitherLayoutOfA(int rows, int inner, int columns)
    {
        var random = new RandomStream(5);
        int p = PanelProduct.Padded(columns);
        Assert.Equal(0, p % PanelProduct.Lanes);
        Assert.True(p >= columns && p < columns + PanelProduct.Lanes);
        var a = Gaussian(random, rows * inner);
        var b = Gaussian(random, inner * p);
        var start = Gaussian(random, rows * p);
        foreach (bool transposed in new[] { false, true })
        {
            // Row-major A (strides inner, 1) and A stored as its transpose (strides 1, rows) give the same product.
            var stored = transposed ? Transpose(a, rows, inner) : a;
            int rowStride = transposed ? 1 : inner, innerStride = transposed ? rows : 1;
            var c = (float[])start.Clone();
            PanelProduct.AddProduct(stored, rows, inner, rowStride, innerStride, b, c, p);
            for (int r = 0; r < rows; r++)
            {
                for (int col = 0; col < p; col++)
                {
                    double expected = start[(r * p) + col];
                    for (int k = 0; k < inner; k++)
                    {
                        expected += (double)a[(r * inner) + k] * b[(k * p) + col];
                    }

                    Assert.Equal(expected, c[(r * p) + col], 1e-4 * Math.Sqrt(inner + 1));
                }
            }
        }
    }

    [Fact]
    public void RejectsShortSpansAndUnpaddedRows()
    {
        var a = new float[12];
        var b = new float[3 * 8];
        var c = new float[4 * 8];
        Assert.Throws<ArgumentOutOfRangeException>(() => PanelProduct.AddProduct(a, 4, 3, 3, 1, b, c, 6));
        Assert.Throws<ArgumentException>(() => PanelProduct.AddProduct(a, 4, 4, 3, 1, b, c, 8));
        Assert.Throws<ArgumentException>(() => PanelProduct.AddProduct(a, 5, 3, 3, 1, b, c, 8));
    }

    private static float[] Gaussian(RandomStream random, int n)
    {
        var v = new float[n];
        for (int i = 0; i < n; i++)
        {
            v[i] = (float)random.NextGaussian();
        }

        return v;
    }

    private static float[] Transpose(float[] a, int rows, int columns)
    {
        var t = new float[a.Length];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
            {
                t[(c * rows) + r] = a[(r * columns) + c];
            }
        }

        return t;
    }
}
