using CryoSharp.Numerics;

namespace CryoSharp.Tests.Numerics;

public class SphericalBesselFunctionsTests
{
    [Theory]
    [InlineData(0, 2.0)]
    [InlineData(3, 3.0)]
    [InlineData(5, 2.0)]
    [InlineData(5, 10.0)]
    [InlineData(8, 3.0)]
    [InlineData(10, 0.5)]
    [InlineData(12, 40.0)]
    [InlineData(3, 25.0)]
    public void SphericalBesselMatchesItsPowerSeries(int degree, double x)
    {
        // j_n(x) = xⁿ Σ_k (−x²/2)ᵏ / (k!·(2n + 2k + 1)!!), summed in double with enough terms for x ≤ 40.
        double Series()
        {
            double term = Math.Pow(x, degree);
            for (int t = 1; t <= (2 * degree) + 1; t += 2)
            {
                term /= t;
            }

            double s = 0;
            for (int k = 0; k < 400; k++)
            {
                s += term;
                term *= -x * x / 2 / (k + 1) / ((2 * degree) + (2 * k) + 3);
            }

            return s;
        }

        // Past x ≈ 20 the alternating series cancels too badly in double: the values there come from the same series
        // summed in exact rational arithmetic.
        double expected = x switch
        {
            40.0 => -0.023141111049475957,
            25.0 => 0.03996205226888488,
            _ => Series(),
        };
        Assert.Equal(expected, SphericalBesselFunctions.J(degree, x), Math.Max(1e-12, 1e-10 * Math.Abs(expected)));
    }

    [Fact]
    public void ZerosAreZerosAndInOrder()
    {
        for (int degree = 0; degree <= 10; degree++)
        {
            var zeros = SphericalBesselFunctions.Zeros(degree, 30);
            Assert.NotEmpty(zeros);
            Assert.True(zeros[0] > degree);
            for (int s = 0; s < zeros.Length; s++)
            {
                Assert.True(Math.Abs(SphericalBesselFunctions.J(degree, zeros[s])) < 1e-12);
                Assert.True(s == 0 || zeros[s] - zeros[s - 1] > 3);
            }
        }

        var first = SphericalBesselFunctions.Zeros(0, 10);
        Assert.Equal(3, first.Length);
        for (int s = 0; s < 3; s++)
        {
            Assert.Equal((s + 1) * Math.PI, first[s], 1e-12);
        }
    }
}
