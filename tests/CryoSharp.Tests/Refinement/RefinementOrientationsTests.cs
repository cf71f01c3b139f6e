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

    [Fact]
    public void WithoutSymmetryEveryGridOrientationIsSearched()
    {
        var orientations = new RefinementOrientations(2);
        Assert.Equal(orientations.Coarse.Count, orientations.CoarseCount);
        for (int o = 0; o < orientations.CoarseCount; o += 97)
        {
            Assert.Equal(o, orientations.GridIndex(o));
        }
    }

    [Theory]
    [InlineData("C4", 2)]
    [InlineData("D2", 2)]
    [InlineData("O", 2)]
    [InlineData("I", 2)]
    public void APointGroupIsSearchedOverItsAsymmetricUnitAlone(string name, int order)
    {
        // About 1/|G| of the poses, and every pose of the whole grid has an equivalent within a step of a searched one.
        var group = SymmetryGroup.Parse(name);
        var orientations = new RefinementOrientations(order, group);
        double fraction = (double)orientations.CoarseCount / orientations.Coarse.Count;
        Assert.InRange(fraction * group.Order, 0.8, 1.25);
        var searched = Enumerable.Range(0, orientations.CoarseCount).Select(o => UnitQuaternion.FromEuler(orientations.CoarseAngles(o))).ToArray();
        double step = orientations.CoarseStepDeg * Math.PI / 180;
        for (int i = 0; i < orientations.Coarse.Count; i += 23)
        {
            var pose = UnitQuaternion.FromEuler(orientations.Coarse[i]);
            double nearest = searched.Min(q => orientations.Distance(q, pose));
            Assert.True(nearest <= step, $"{name}: grid pose {i} is {nearest * 180 / Math.PI:0.0}° from the nearest searched one");
        }
    }

    [Fact]
    public void ALocalSearchFindsTheSameCandidatesFromAnyEquivalentPose()
    {
        var group = SymmetryGroup.Parse("D2");
        var orientations = new RefinementOrientations(2, group);
        var pose = EulerAngles.FromDegrees(40, 70, 200).ToMatrix();
        var a = new int[orientations.CoarseCount];
        var b = new int[orientations.CoarseCount];
        var pa = new double[orientations.CoarseCount];
        var pb = new double[orientations.CoarseCount];
        int n = orientations.Local(UnitQuaternion.FromMatrix(pose), 15, 0, a, pa);
        foreach (var s in group.Elements)
        {
            int m = orientations.Local(UnitQuaternion.FromMatrix(pose * s.Transpose()), 15, 0, b, pb);
            Assert.Equal(n, m);
            Assert.Equal(a.AsSpan(0, n).ToArray(), b.AsSpan(0, m).ToArray());
            for (int i = 0; i < n; i++)
            {
                Assert.Equal(pa[i], pb[i], 6);
            }
        }

        Assert.True(n > 1);
    }
}
