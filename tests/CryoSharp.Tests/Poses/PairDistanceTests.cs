using CryoSharp.ClassAveraging;
using CryoSharp.Geometry;
using CryoSharp.Numerics;
using CryoSharp.Poses;

namespace CryoSharp.Tests.Poses;

public class PairDistanceTests
{
    [Fact]
    public void NearestNeighboursAreTheNearestByTheDistanceItself()
    {
        var q = Rotations.RandomUniform(60, new SeedSequence(5));
        var distance = new RotationPairDistance(q);
        var fast = distance.Neighbours(7);
        for (int i = 0; i < q.Length; i++)
        {
            var expected = Enumerable.Range(0, q.Length).Where(j => j != i).OrderBy(j => q[i].DistanceTo(q[j])).Take(7).ToArray();
            Assert.Equal(expected, fast[i]);
        }
    }

    [Fact]
    public void PairSetsHoldTheRequestedPairsWithTheirDistances()
    {
        var q = Rotations.RandomUniform(50, new SeedSequence(6));
        var distance = new RotationPairDistance(q);
        var knn = PairSet.Sample(distance, PairSampling.Knn, 6, new SeedSequence(1));
        var random = PairSet.Sample(distance, PairSampling.Random, 6, new SeedSequence(1));
        var mixed = PairSet.Sample(distance, PairSampling.Mixed, 6, new SeedSequence(1));
        Assert.All(new[] { knn, random, mixed }, set => Assert.Equal(300, set.Count));
        var neighbours = distance.Neighbours(6);
        for (int p = 0; p < knn.Count; p++)
        {
            Assert.NotEqual(random.First[p], random.Second[p]);
            Assert.Contains(knn.Second[p], neighbours[knn.First[p]]);
            Assert.Equal(q[mixed.First[p]].DistanceTo(q[mixed.Second[p]]), mixed.Distances[p], 1e-5);
        }

        // Mixed: three nearest then three random partners per particle.
        for (int i = 0; i < 50; i++)
        {
            Assert.Equal(neighbours[i].Take(3), Enumerable.Range(6 * i, 3).Select(p => mixed.Second[p]));
        }

        // kNN pairs are near, random ones spread: the true mean angle of random pairs is near the uniform 126.5°.
        Assert.True(knn.Distances.Average() < 0.5 * random.Distances.Average());
        Assert.InRange(random.Distances.Average(), 1.9, 2.5);
    }

    [Fact]
    public void QuantileCalibrationInvertsTheAngleDistributionOfUniformRotations()
    {
        foreach (double theta in new[] { 0.0, 0.1, 1.0, 2.0, 3.0, Math.PI })
        {
            Assert.Equal(theta, CalibratedPairDistance.InverseAngleDistribution((theta - Math.Sin(theta)) / Math.PI), 9);
        }

        // The exact distance between uniform rotations is already so distributed: calibration must leave it unchanged,
        // and a monotone distortion of it (its cube) must be undone.
        var q = Rotations.RandomUniform(3000, new SeedSequence(7));
        var exact = new RotationPairDistance(q);
        var calibrated = CalibratedPairDistance.Fit(new CubedDistance(exact), 40000, new SeedSequence(8));
        var pairs = PairSet.Sample(calibrated, PairSampling.Random, 4, new SeedSequence(9));
        var truth = PoseRecoveryScore.TrueDistances(q, pairs);
        double worst = pairs.Distances.Zip(truth, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(worst < 0.06, $"largest calibration error {worst} rad");
    }

    [Fact]
    public void ImageDistancesAreDiscDistancesAndTheAlignedOneForgivesInPlaneRotation()
    {
        const int Box = 32;
        var basis = new FourierBesselBasis(Box, bandLimit: 0.2);
        var random = new SeedSequence(4).CreateStream();
        var coefficients = new ComplexF[3 * basis.Count];
        for (int c = 0; c < basis.Count; c++)
        {
            var value = new ComplexF((float)random.NextGaussian(), basis.Frequencies[c] == 0 ? 0 : (float)random.NextGaussian());
            coefficients[c] = value;
            coefficients[(2 * basis.Count) + c] = new ComplexF((float)random.NextGaussian(), basis.Frequencies[c] == 0 ? 0 : (float)random.NextGaussian());
        }

        // Image 1 is image 0 turned by 40° in-plane; image 2 is unrelated.
        coefficients.AsSpan(0, basis.Count).CopyTo(coefficients.AsSpan(basis.Count, basis.Count));
        basis.Rotate(coefficients.AsSpan(basis.Count, basis.Count), 40 * Math.PI / 180);
        var images = new float[3 * Box * Box];
        basis.Evaluate(coefficients, 3, images);

        var plain = new ImagePairDistance(images, 3, Box, inPlaneAligned: false, bandLimit: 0.2);
        var aligned = new ImagePairDistance(images, 3, Box, inPlaneAligned: true, bandLimit: 0.2);
        int[] first = [0, 0, 1], second = [1, 2, 2];
        var dp = new float[3];
        var da = new float[3];
        plain.Compute(first, second, dp);
        aligned.Compute(first, second, da);
        Assert.True(da[0] < 0.03 * dp[0], $"aligned {da[0]} vs plain {dp[0]}");
        Assert.True(da[1] > 0.5 * dp[1]);

        // The plain distance is the pixel distance inside the disc (the basis is orthonormal on it, to sampling).
        double pixel = 0;
        for (int y = 0; y < Box; y++)
        {
            for (int x = 0; x < Box; x++)
            {
                double r = Math.Sqrt(((x - (Box / 2)) * (x - (Box / 2))) + ((y - (Box / 2)) * (y - (Box / 2))));
                if (r < Box / 2.0)
                {
                    double d = images[(y * Box) + x] - images[(2 * Box * Box) + (y * Box) + x];
                    pixel += d * d;
                }
            }
        }

        Assert.Equal(1, dp[1] / Math.Sqrt(pixel), 1);
    }

    [Fact]
    public void AlignedNeighboursFoundThroughTheMagnitudeBoundAreTheBruteForceOnes()
    {
        const int Box = 24, N = 40;
        var random = new SeedSequence(10).CreateStream();
        var images = new float[N * Box * Box];
        random.FillGaussian(images);
        var aligned = new ImagePairDistance(images, N, Box, inPlaneAligned: true);
        var fast = aligned.Neighbours(5);
        var first = new int[N * N];
        var second = new int[N * N];
        for (int p = 0; p < N * N; p++)
        {
            (first[p], second[p]) = (p / N, p % N);
        }

        var all = new float[N * N];
        aligned.Compute(first, second, all);
        for (int i = 0; i < N; i++)
        {
            var expected = Enumerable.Range(0, N).Where(j => j != i).OrderBy(j => all[(i * N) + j]).Take(5).ToArray();
            Assert.Equal(expected, fast[i]);
        }
    }

    private sealed class CubedDistance(PairDistance inner) : PairDistance
    {
        public override int Count => inner.Count;

        public override string Name => "cubed";

        protected internal override double Distance(int i, int j, Span<double> scratch) => Math.Pow(inner.Distance(i, j, scratch), 3);
    }
}
