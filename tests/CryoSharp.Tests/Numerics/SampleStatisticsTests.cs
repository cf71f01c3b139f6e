using CryoSharp.Numerics;

namespace CryoSharp.Tests.Numerics;

public class SampleStatisticsTests
{
    [Fact]
    public void MatchesDefinitionAndSurvivesLargeOffsets()
    {
        float[] values = [1e6f + 1, 1e6f + 2, 1e6f + 3, 1e6f + 4];
        var s = SampleStatistics.Of(values);
        Assert.Equal(1e6 + 1, s.Min);
        Assert.Equal(1e6 + 4, s.Max);
        Assert.Equal(1e6 + 2.5, s.Mean, 1e-9);
        Assert.Equal(Math.Sqrt(1.25), s.StdDev, 1e-9);
    }

    [Fact]
    public void AccumulatingInPiecesEqualsAllAtOnce()
    {
        var values = Enumerable.Range(0, 1000).Select(i => (float)Math.Sin(i)).ToArray();
        var acc = new SampleStatistics.Accumulator();
        acc.Add(values.AsSpan(0, 333));
        acc.Add(values.AsSpan(333, 1));
        acc.Add(values.AsSpan(334));
        var whole = SampleStatistics.Of(values);
        Assert.Equal(whole.Mean, acc.Result.Mean, 1e-12);
        Assert.Equal(whole.StdDev, acc.Result.StdDev, 1e-12);
        Assert.Equal(1000, acc.Result.Count);
    }

    [Fact]
    public void RandomStreamIsSeededAndStandard()
    {
        var a = new float[100_000];
        var b = new float[100_000];
        new RandomStream(7).FillGaussian(a);
        new RandomStream(7).FillGaussian(b);
        Assert.Equal(a, b);
        var s = SampleStatistics.Of(a);
        Assert.InRange(s.Mean, -0.01, 0.01);
        Assert.InRange(s.StdDev, 0.99, 1.01);
    }
}

public class ImageComparisonTests
{
    [Fact]
    public void CorrelationScaleAndDifferenceHaveTheirDefinitions()
    {
        float[] a = [1, 2, 3, 4];
        var same = ImageComparison.Of(a, a.Select(v => (3 * v) + 1).ToArray());
        Assert.Equal(1, same.Correlation, 12);
        Assert.Equal(0, ImageComparison.Of(a, a.Select(v => 2 * v).ToArray()).RelativeRmsDifference, 12);
        Assert.Equal(2, ImageComparison.Of(a, a.Select(v => 2 * v).ToArray()).Scale, 12);
        Assert.Equal(-1, ImageComparison.Of(a, [4, 3, 2, 1]).Correlation, 12);

        // b = (1, 0, 0, 0), a = (1, 1, 0, 0): s = 1/2, residual (−0.5, −0.5... ) → ‖s·a − b‖ = √0.5, ‖b‖ = 1.
        var c = ImageComparison.Of([1, 1, 0, 0], [1, 0, 0, 0]);
        Assert.Equal(0.5, c.Scale, 12);
        Assert.Equal(Math.Sqrt(0.5), c.RelativeRmsDifference, 12);
        Assert.Equal(1 / Math.Sqrt(3), c.Correlation, 12);
    }
}

public class RandomStreamTests
{
    [Fact]
    public void NoiseIsSeededAndNormal()
    {
        var a = new float[200_003];
        var b = new float[200_003];
        new RandomStream(42).AddGaussianNoise(a, 2f);
        var reused = new RandomStream(7);
        reused.AddGaussianNoise(new float[100], 1f);
        reused.Reset(42);
        reused.AddGaussianNoise(b, 2f);
        Assert.Equal(a, b);

        var s = SampleStatistics.Of(a);
        Assert.Equal(0, s.Mean, 0.015);
        Assert.Equal(2, s.StdDev, 0.015);

        // The shape, not just the moments: the fractions within one and two σ of a normal distribution.
        Assert.Equal(0.6827, a.Count(v => Math.Abs(v) < 2) / (double)a.Length, 0.005);
        Assert.Equal(0.9545, a.Count(v => Math.Abs(v) < 4) / (double)a.Length, 0.003);

        var c = new float[1000];
        new RandomStream(43).AddGaussianNoise(c, 2f);
        Assert.NotEqual(a.Take(1000), c);
    }
}
