using CryoSharp.Numerics;

namespace CryoSharp.Tests.Numerics;

public class BesselFunctionsTests
{
    /// <summary>Bessel's integral Jₙ(x) = (1/2π)∫cos(nτ − x sin τ)dτ by the trapezoidal rule, exact to rounding for a periodic integrand of this bandwidth.</summary>
    private static double Integral(int n, double x)
    {
        const int m = 4096;
        double sum = 0;
        for (int i = 0; i < m; i++)
        {
            double t = 2 * Math.PI * i / m;
            sum += Math.Cos((n * t) - (x * Math.Sin(t)));
        }

        return sum / m;
    }

    [Theory]
    [InlineData(0, 0.001)]
    [InlineData(0, 1)]
    [InlineData(1, 1)]
    [InlineData(3, 2.5)]
    [InlineData(5, 10)]
    [InlineData(20, 5)]
    [InlineData(40, 41)]
    [InlineData(0, 100)]
    [InlineData(1, 100)]
    [InlineData(60, 100)]
    [InlineData(90, 100)]
    [InlineData(150, 120)]
    public void MatchesBesselsIntegral(int n, double x) => Assert.Equal(Integral(n, x), BesselFunctions.J(n, x), 1e-12);

    [Fact]
    public void KnownValuesAndTheOrigin()
    {
        Assert.Equal(0.7651976865579666, BesselFunctions.J(0, 1), 1e-14);
        Assert.Equal(0.4400505857449335, BesselFunctions.J(1, 1), 1e-14);
        Assert.Equal(1, BesselFunctions.J(0, 0));
        Assert.Equal(0, BesselFunctions.J(3, 0));
    }

    [Fact]
    public void ZerosAreZerosInOrderAndNoneIsMissed()
    {
        Assert.Equal(2.404825557695773, BesselFunctions.Zeros(0, 3)[0], 1e-12);
        Assert.Equal(3.831705970207512, BesselFunctions.Zeros(1, 4)[0], 1e-12);
        foreach (int n in new[] { 0, 1, 7, 30 })
        {
            var zeros = BesselFunctions.Zeros(n, 100);
            foreach (double z in zeros)
            {
                Assert.True(Math.Abs(BesselFunctions.J(n, z)) < 1e-12, $"J_{n}({z}) = {BesselFunctions.J(n, z)}");
            }

            // Every sign change on a fine grid is a zero the scan must have found.
            int expected = 0;
            for (double x = n + 0.01; x < 100; x += 0.01)
            {
                if (Math.Sign(BesselFunctions.J(n, x)) != Math.Sign(BesselFunctions.J(n, x + 0.01)))
                {
                    expected++;
                }
            }

            Assert.Equal(expected, zeros.Length);
            for (int q = 1; q < zeros.Length; q++)
            {
                // Sturm: more than π apart for n ≥ 1, a little less (approaching π) for n = 0.
                Assert.True(zeros[q] - zeros[q - 1] > (n == 0 ? 3.1 : Math.PI), $"zeros {q} and {q + 1} of J_{n}: {zeros[q] - zeros[q - 1]} apart");
            }
        }
    }
}
