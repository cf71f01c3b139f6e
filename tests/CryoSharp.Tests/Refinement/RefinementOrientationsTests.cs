using CryoSharp.Geometry;
using CryoSharp.Refinement;

namespace CryoSharp.Tests.Refinement;

public class RefinementOrientationsTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void FineChildrenAreTheGridsChildren(int order)
    {
        var orientations = new RefinementOrientations(order);
        Assert.Equal(60.0 / (1 << order), orientations.CoarseStepDeg, 12);
        foreach (int o in new[] { 0, 5, orientations.CoarseCount - 1 })
        {
            var children = orientations.Coarse.Children(o);
            for (int c = 0; c < RefinementOrientations.ChildrenPerCoarse; c++)
            {
                Assert.Equal(children[c], orientations.FineIndex(o, c));
            }
        }
    }

    [Fact]
    public void LocalSearchKeepsOrientationsWithinThreeSigmaWithAGaussianPrior()
    {
        var orientations = new RefinementOrientations(2);
        var previous = UnitQuaternion.FromEuler(EulerAngles.FromDegrees(40, 70, 200));
        var candidates = new int[orientations.CoarseCount];
        var prior = new double[orientations.CoarseCount];
        const double sigma = 10;
        int n = orientations.Local(previous, sigma, 0, candidates, prior);
        Assert.InRange(n, 5, orientations.CoarseCount / 10);
        int inside = 0;
        for (int o = 0; o < orientations.CoarseCount; o++)
        {
            double angle = previous.DistanceTo(UnitQuaternion.FromEuler(orientations.Coarse[o])) * 180 / Math.PI;
            inside += angle <= 3 * sigma ? 1 : 0;
        }

        Assert.Equal(inside, n);
        for (int i = 0; i < n; i++)
        {
            double angle = previous.DistanceTo(UnitQuaternion.FromEuler(orientations.Coarse[candidates[i]])) * 180 / Math.PI;
            Assert.True(angle <= 3 * sigma + 1e-9);
            Assert.Equal(-(angle * angle) / (2 * sigma * sigma), prior[i], 6);
        }

        // With a tiny σ the nearest orientation is still searched, and class offsets shift the indices.
        n = orientations.Local(previous, 0.01, 1000, candidates, prior);
        Assert.Equal(1, n);
        Assert.InRange(candidates[0], 1000, 1000 + orientations.CoarseCount - 1);
    }
}
