using CryoSharp.Geometry;

namespace CryoSharp.Tests.Geometry;

public class SphericalDesignTests
{
    /// <summary>The largest |mean of Y_ℓm over the points| for each degree ℓ ≤ <paramref name="maxDegree"/>.</summary>
    private static double[] HarmonicMeans(SphericalDesign design, int maxDegree)
    {
        var values = new double[RealSphericalHarmonics.Count(maxDegree)];
        var sums = new double[values.Length];
        foreach (var p in design.Points)
        {
            RealSphericalHarmonics.Evaluate(maxDegree, p, values);
            for (int i = 0; i < values.Length; i++)
            {
                sums[i] += values[i] / design.Count;
            }
        }

        var worst = new double[maxDegree + 1];
        for (int l = 0; l <= maxDegree; l++)
        {
            for (int m = -l; m <= l; m++)
            {
                worst[l] = Math.Max(worst[l], Math.Abs(sums[(l * l) + l + m]));
            }
        }

        return worst;
    }

    [Fact]
    public void TheHundredPointThirteenDesignIntegratesEveryHarmonicUpToDegreeThirteen()
    {
        // The paper's quadrature: 100 directions exact to degree 13; degree 14 is not integrated (some harmonic's mean
        // is far from 0), which shows that the check can fail.
        var design = SphericalDesign.Create(13, 100);
        Assert.Equal(100, design.Count);
        Assert.True(design.Residual < 1e-12, $"residual {design.Residual}");
        var worst = HarmonicMeans(design, 16);
        Assert.Equal(1 / Math.Sqrt(4 * Math.PI), worst[0], 12);
        for (int l = 1; l <= 13; l++)
        {
            Assert.True(worst[l] < 1e-10, $"degree {l}: {worst[l]}");
        }

        Assert.True(Math.Max(worst[14], Math.Max(worst[15], worst[16])) > 1e-3, $"degrees 14–16: {worst[14]}, {worst[15]}, {worst[16]}");
        foreach (var p in design.Points)
        {
            Assert.Equal(1, p.Length, 12);
        }
    }

    [Fact]
    public void SmallDesignsAreExactAndTooFewPointsAreRefused()
    {
        var design = SphericalDesign.Create(3, 6);
        Assert.True(HarmonicMeans(design, 3)[1..].Max() < 1e-10);
        Assert.Equal(1.0 / 3, design.Average(p => p.X * p.X), 10);
        Assert.Throws<InvalidParameterException>(() => SphericalDesign.Create(13, 40));
    }
}
