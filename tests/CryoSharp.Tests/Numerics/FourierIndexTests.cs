using CryoSharp.Numerics;

namespace CryoSharp.Tests.Numerics;

public class FourierIndexTests
{
    [Theory]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(1)]
    [InlineData(2)]
    public void FrequenciesCoverConventionRangeAndInvert(int n)
    {
        var frequencies = Enumerable.Range(0, n).Select(i => FourierIndex.Frequency(i, n)).ToArray();
        Assert.Equal(-(n / 2), frequencies.Min());
        Assert.Equal((n - 1) / 2, frequencies.Max());
        Assert.Equal(n, frequencies.Distinct().Count());
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(i, FourierIndex.IndexOf(frequencies[i], n));
            Assert.True(FourierIndex.Contains(frequencies[i], n));
        }

        Assert.False(FourierIndex.Contains((n - 1) / 2 + 1, n));
    }

    [Fact]
    public void FourierShellsFollowRoundedRadius()
    {
        var shells = new FourierShells(GridShape.Square(64));
        Assert.Equal(32, shells.NyquistShell);
        var shape = GridShape.Square(64);
        // (kx, ky) = (3, −4) has radius 5.
        Assert.Equal(5, shells.ShellOfElement[(FourierIndex.IndexOf(-4, 64) * shape.HalfNx) + 3]);
        // (1, 1) has radius 1.414 → shell 1; (1, 2) radius 2.236 → shell 2; (2, 2) radius 2.83 → shell 3.
        Assert.Equal(1, shells.ShellOfElement[(1 * shape.HalfNx) + 1]);
        Assert.Equal(2, shells.ShellOfElement[(2 * shape.HalfNx) + 1]);
        Assert.Equal(3, shells.ShellOfElement[(2 * shape.HalfNx) + 2]);
        Assert.Equal(1 / (64 * 2.0) * 10, shells.Frequency(10, 2.0), 12);
        Assert.Equal(12.8, shells.Resolution(10, 2.0), 12);
    }

    [Fact]
    public void RadialPowerOfWhiteNoiseIsFlat()
    {
        var shape = GridShape.Square(128);
        var random = new RandomStream(4);
        var data = new float[shape.Length];
        random.FillGaussian(data);
        var spectrum = new ComplexF[shape.HalfComplexLength];
        CryoSharp.Numerics.Fft.Fft.Forward(data, shape, spectrum);
        var power = new FourierShells(shape).RadialPower(spectrum);

        // E|F|² = N·σ² for unit white noise. |F|² is exponentially distributed, and shell s holds about 2πs
        // values, so single shells scatter by ~1/√(2πs); their mean over shells 10..60 must be close to 1.
        double mean = 0;
        for (int s = 10; s <= 60; s++)
        {
            Assert.InRange(power[s] / shape.Length, 0.5, 1.5);
            mean += power[s] / shape.Length / 51;
        }

        Assert.InRange(mean, 0.97, 1.03);
    }
}
