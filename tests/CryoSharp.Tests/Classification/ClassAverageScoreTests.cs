using CryoSharp.Classification;
using CryoSharp.Geometry;
using CryoSharp.Imaging;
using CryoSharp.Numerics;
using CryoSharp.Projection;

namespace CryoSharp.Tests.Classification;

public class ClassAverageScoreTests
{
    [Fact]
    public void TrueProjectionsScoreOneAndMixedViewsScoreLess()
    {
        var map = new GaussianBlobPhantom { Seeds = new SeedSequence(8) }.Create(32, 4.0);
        var projector = new FourierProjector(map);
        (double Rot, double Tilt)[] views = [(0, 0), (0, 90), (90, 90)];
        var truth = new List<Matrix3>();
        var classOf = new List<int>();
        var random = new RandomStream(4);
        for (int i = 0; i < 30; i++)
        {
            var (rot, tilt) = views[i % 3];
            truth.Add(new EulerAngles(rot * Math.PI / 180, tilt * Math.PI / 180, 2 * Math.PI * random.NextDouble()).ToMatrix());
            classOf.Add((i % 3) + 1);
        }

        // Each average is its view's projection, rotated by an arbitrary angle and shifted by a pixel: still a perfect class.
        var averages = views.Select((v, c) =>
        {
            var image = projector.Project(new EulerAngles(v.Rot * Math.PI / 180, v.Tilt * Math.PI / 180, (40 + (70 * c)) * Math.PI / 180));
            FourierShift.Apply(image, 1, -1);
            return image.Data;
        }).ToList();
        var perfect = ClassAverageScore.Score(averages, classOf, truth, map, radiusPx: 13);
        Assert.Equal(3, perfect.Classes.Count);
        Assert.True(perfect.MeanCorrelation > 0.98, $"{perfect.MeanCorrelation:0.000}");
        Assert.Equal(0, perfect.ViewCoherenceDeg, 6);

        // Labels that mix the views: the coherence grows, and a projection of the wrong view correlates less.
        var mixed = ClassAverageScore.Score(averages, [.. classOf.Select((c, i) => (i % 2) + 1)], truth, map, radiusPx: 13);
        Assert.True(mixed.ViewCoherenceDeg > 30, $"{mixed.ViewCoherenceDeg:0.0}°");
        var swapped = ClassAverageScore.Score([averages[1], averages[2], averages[0]], classOf, truth, map, radiusPx: 13);
        Assert.True(swapped.MeanCorrelation < perfect.MeanCorrelation - 0.02, $"{swapped.MeanCorrelation:0.000} vs {perfect.MeanCorrelation:0.000}");
    }
}
