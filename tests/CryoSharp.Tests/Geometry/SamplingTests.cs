using CryoSharp.Geometry;

namespace CryoSharp.Tests.Geometry;

public class SamplingTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void HealpixCentresLieOnTheAnalyticRings(int order)
    {
        var grid = new HealpixGrid(order);
        int n = grid.NSide;
        Assert.Equal(12 * n * n, grid.PixelCount);

        // Expected rings: cap ring i (1 ≤ i < n) has 4i pixels at z = ±(1 − i²/3n²) with φ = (j − ½)·π/2i;
        // equatorial ring i (n ≤ i ≤ 3n) has 4n pixels at z = 4/3 − 2i/3n with φ = (j − s/2)·π/2n, s = (i − n + 1) mod 2.
        var expected = new List<(double Z, double Phi)>();
        for (int i = 1; i < n; i++)
        {
            for (int j = 1; j <= 4 * i; j++)
            {
                double z = 1 - ((double)i * i / (3.0 * n * n));
                double phi = (j - 0.5) * Math.PI / (2 * i);
                expected.Add((z, phi));
                expected.Add((-z, phi));
            }
        }

        for (int i = n; i <= 3 * n; i++)
        {
            int s = (i - n + 1) % 2;
            for (int j = 1; j <= 4 * n; j++)
            {
                expected.Add(((4.0 / 3) - (2.0 * i / (3.0 * n)), (j - (s / 2.0)) * Math.PI / (2 * n)));
            }
        }

        var actual = Enumerable.Range(0, grid.PixelCount).Select(p =>
        {
            var (theta, phi) = grid.PixelCenter(p);
            return (Z: Math.Round(Math.Cos(theta), 9), Phi: Math.Round(phi, 9));
        }).OrderBy(t => t.Z).ThenBy(t => t.Phi).ToArray();
        // The formula's last azimuth of a ring is 2π, which is the direction φ = 0.
        var wanted = expected.Select(t => (Z: Math.Round(t.Z, 9), Phi: Math.Round(t.Phi % (2 * Math.PI), 9))).OrderBy(t => t.Z).ThenBy(t => t.Phi).ToArray();
        Assert.Equal(wanted, actual);
    }

    [Fact]
    public void HealpixChildrenLieInsideTheirParent()
    {
        var coarse = new HealpixGrid(2);
        var fine = new HealpixGrid(3);
        for (int p = 0; p < coarse.PixelCount; p++)
        {
            var parent = coarse.Direction(p);
            foreach (int child in HealpixGrid.Children(p))
            {
                double angle = Math.Acos(Math.Clamp(parent.Dot(fine.Direction(child)), -1, 1));
                Assert.True(angle < 0.75 * coarse.SpacingRad, $"child {child} of {p} is {angle} rad away");
            }
        }
    }

    [Fact]
    public void HealpixNeighboursAreEvenlySpaced()
    {
        var grid = new HealpixGrid(3);
        var dirs = Enumerable.Range(0, grid.PixelCount).Select(grid.Direction).ToArray();
        var nearest = dirs.Select((d, i) => dirs.Where((_, j) => j != i).Max(e => e.Dot(d))).Select(c => Math.Acos(c)).ToArray();
        Assert.InRange(nearest.Min(), 0.5 * grid.SpacingRad, grid.SpacingRad);
        Assert.InRange(nearest.Max(), grid.SpacingRad * 0.7, 1.3 * grid.SpacingRad);
        var sum = dirs.Aggregate((a, b) => a + b);
        Assert.True(sum.Length < 1e-9);
    }

    [Fact]
    public void OrientationGridCountsAndChildren()
    {
        var grid = new OrientationGrid(2);
        Assert.Equal(12 * 16 * 24, grid.Count);
        Assert.Equal(15 * Math.PI / 180, grid.PsiStepRad, 12);
        var fine = new OrientationGrid(3);
        foreach (int i in new[] { 0, 17, 1000, grid.Count - 1 })
        {
            var parent = grid[i].ToMatrix();
            var children = grid.Children(i);
            Assert.Equal(8, children.Distinct().Count());
            foreach (int c in children)
            {
                Assert.True(Rotations.Distance(parent, fine[c].ToMatrix()) < grid.Directions.SpacingRad);
            }
        }
    }

    [Fact]
    public void FibonacciPointsAreUnitAndBalanced()
    {
        var points = FibonacciSphere.Points(1000);
        Assert.All(points, p => Assert.Equal(1, p.Length, 12));
        var sum = points.Aggregate((a, b) => a + b);
        Assert.True(sum.Length < 1, $"sum {sum.Length}");
        Assert.Equal(1.0 / 3, points.Average(p => p.Z * p.Z), 0.01);
    }

    [Fact]
    public void GaussProductQuadratureIsExactForHaarMoments()
    {
        var rule = So3Quadrature.GaussProduct(4);
        Assert.Equal(1, rule.Weights.Sum(), 12);
        for (int r = 0; r < 3; r++)
        {
            for (int c = 0; c < 3; c++)
            {
                Assert.Equal(0, rule.Integrate(m => m[r, c]), 12);
                for (int r2 = 0; r2 < 3; r2++)
                {
                    for (int c2 = 0; c2 < 3; c2++)
                    {
                        double expected = r == r2 && c == c2 ? 1.0 / 3 : 0;
                        Assert.Equal(expected, rule.Integrate(m => m[r, c] * m[r2, c2]), 12);
                    }
                }

                // Every row and column of a Haar rotation is a uniform unit vector: E[x⁴] = 1/5.
                Assert.Equal(0.2, rule.Integrate(m => Math.Pow(m[r, c], 4)), 12);
            }
        }

        // Degree 4 but not 2: a degree-2 rule must be exact to degree 2 and may fail beyond it.
        var low = So3Quadrature.GaussProduct(2);
        Assert.Equal(1.0 / 3, low.Integrate(m => m[0, 0] * m[0, 0]), 12);
        Assert.NotEqual(0.2, low.Integrate(m => Math.Pow(m[2, 2], 4)), 6);
        Assert.NotEqual(1.0 / 3, So3Quadrature.GaussProduct(1).Integrate(m => m[0, 0] * m[0, 0]), 6);
    }

    [Fact]
    public void HealpixQuadratureIsApproximatelyUniform()
    {
        var rule = So3Quadrature.Healpix(2);
        Assert.Equal(-1, rule.ExactDegree);
        Assert.Equal(1.0 / 3, rule.Integrate(m => m[0, 0] * m[0, 0]), 0.01);
        Assert.Equal(0, rule.Integrate(m => m[1, 2]), 0.01);
    }
}
