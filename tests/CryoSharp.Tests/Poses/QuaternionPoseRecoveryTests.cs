using CryoSharp.Geometry;
using CryoSharp.Numerics;
using CryoSharp.Poses;

namespace CryoSharp.Tests.Poses;

public class QuaternionPoseRecoveryTests
{
    private static double[] Flatten(IReadOnlyList<UnitQuaternion> q)
    {
        var a = new double[4 * q.Count];
        for (int i = 0; i < q.Count; i++)
        {
            (a[4 * i], a[(4 * i) + 1], a[(4 * i) + 2], a[(4 * i) + 3]) = (q[i].W, q[i].X, q[i].Y, q[i].Z);
        }

        return a;
    }

    [Fact]
    public void TheChordFormOfTheDistanceIsTheGeodesicAngleAndItsGradientIsExact()
    {
        var q = Rotations.RandomUniform(40, new SeedSequence(3));
        Span<double> g = stackalloc double[4];
        for (int p = 0; p + 1 < q.Length; p += 2)
        {
            var u = Flatten([q[p]]);
            var v = Flatten([q[p + 1]]);

            // −v is the same rotation: the distance must not see the sign.
            var minusV = v.Select(x => -x).ToArray();
            Assert.Equal(q[p].DistanceTo(q[p + 1]), QuaternionGeometry.Distance(u, v), 10);
            Assert.Equal(q[p].DistanceTo(q[p + 1]), QuaternionGeometry.Distance(u, minusV), 10);
            double theta = QuaternionGeometry.DistanceAndGradient(u, v, g, out double sign);
            Assert.Equal(QuaternionGeometry.Distance(u, v), theta, 12);
            Assert.Equal(Math.Sign(u.Zip(v, (a, b) => a * b).Sum()), sign);
            for (int a = 0; a < 4; a++)
            {
                const double H = 1e-6;
                var plus = (double[])u.Clone();
                var minus = (double[])u.Clone();
                plus[a] += H;
                minus[a] -= H;
                double fd = (QuaternionGeometry.Distance(plus, v) - QuaternionGeometry.Distance(minus, v)) / (2 * H);
                Assert.Equal(fd, g[a], 5);
            }
        }
    }

    [Fact]
    public void ExactDistancesRecoverThePosesFromARandomStartUpToALeftAndRightRotation()
    {
        var truth = Rotations.RandomUniform(400, new SeedSequence(11));
        var distance = new RotationPairDistance(truth);
        var pairs = PairSet.Sample(distance, PairSampling.Random, 40, new SeedSequence(12), ComputeContext.SingleThreaded);
        var result = QuaternionPoseRecovery.Run(pairs, new PoseRecoveryOptions { Epochs = 100, Restarts = 2, Seeds = new SeedSequence(13), Context = ComputeContext.Default.WithThreads(2) });
        Assert.True(result.Loss < 1e-2, $"loss {result.Loss}");
        Assert.Equal(result.Loss, QuaternionPoseRecovery.Loss(pairs, Flatten(result.Orientations)), 12);
        Assert.Equal(100, result.LossCurve.Length);
        Assert.True(result.LossCurve[^1] < result.LossCurve[0] / 100);
        var score = PoseRecoveryScore.Compute(truth, result.Orientations, pairs, new SeedSequence(14));
        Assert.True(score.TwoSided.MeanErrorRad * 180 / Math.PI < 1, $"mean error {score.TwoSided.MeanErrorRad * 180 / Math.PI}°");
        Assert.Equal(1, score.DistanceCorrelation, 9);
        Assert.InRange(score.MeanPairAngleRecoveredRad, score.MeanPairAngleTrueRad - 0.05, score.MeanPairAngleTrueRad + 0.05);

        // The loss cannot see the left factor A, so aligning the map's frame alone leaves most of the error.
        Assert.True(score.OneSided.MeanErrorRad > score.TwoSided.MeanErrorRad + 0.1);
    }

    [Fact]
    public void StartingAtTheTruthWithExactDistancesStaysThere()
    {
        var truth = Rotations.RandomUniform(200, new SeedSequence(21));
        var pairs = PairSet.Sample(new RotationPairDistance(truth), PairSampling.Random, 10, new SeedSequence(22));
        Assert.Equal(0, QuaternionPoseRecovery.Loss(pairs, Flatten(truth)), 12);
        var result = QuaternionPoseRecovery.Run(pairs, new PoseRecoveryOptions { Epochs = 5, Restarts = 1, Start = truth, LearningRate = 1e-3 });
        var errors = truth.Zip(result.Orientations, (t, r) => t.DistanceTo(r)).Max();
        Assert.True(errors < 0.01, $"largest drift {errors} rad");
    }

    [Fact]
    public void RunsRepeatBitForBitWithTheSameSeed()
    {
        var truth = Rotations.RandomUniform(150, new SeedSequence(31));
        var pairs = PairSet.Sample(new RotationPairDistance(truth), PairSampling.Mixed, 10, new SeedSequence(32));
        var options = new PoseRecoveryOptions { Epochs = 10, Restarts = 3, Seeds = new SeedSequence(33), Context = ComputeContext.Default.WithThreads(2) };
        var a = QuaternionPoseRecovery.Run(pairs, options);
        var b = QuaternionPoseRecovery.Run(pairs, options with { Context = ComputeContext.SingleThreaded });
        Assert.Equal(a.RestartLosses, b.RestartLosses);
        Assert.Equal(a.Orientations, b.Orientations);
    }
}
