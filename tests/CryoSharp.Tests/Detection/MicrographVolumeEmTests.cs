using CryoSharp.Detection;
using CryoSharp.Geometry;
using CryoSharp.Numerics;
using CryoSharp.Projection;

namespace CryoSharp.Tests.Detection;

public class MicrographVolumeEmTests
{
    /// <summary>
    /// Copies that are the basis's own projections B·D(A)·x at orientations of the EM's grid: the patch model is then
    /// exact, and what the EM gets wrong is its own doing.
    /// </summary>
    private sealed class GridProjectedTargets(SphericalBesselBasis basis, double[] coefficients, int order) : IMicrographTargets
    {
        private readonly OrientationGrid grid = new(order);

        public int Size => basis.Box;

        public double PixelSizeA => 2;

        public void Render(in MicrographCopy copy, Span<float> box)
        {
            var rotated = new double[coefficients.Length];
            basis.Rotate(coefficients, basis.WignerMatrices(EulerAngles.FromDegrees(copy.RotDeg, copy.TiltDeg, copy.PsiDeg).ToMatrix()), rotated);
            basis.Project(rotated, box);
        }

        public MicrographCopy DrawPose(MicrographCopy corner, RandomStream random)
        {
            var a = grid[(int)(random.NextDouble() * grid.Count)];
            return corner with { RotDeg = a.Rot * 180 / Math.PI, TiltDeg = a.Tilt * 180 / Math.PI, PsiDeg = a.Psi * 180 / Math.PI };
        }
    }

    /// <summary>A smooth, asymmetric volume in the basis: two blobs of different sizes off the centre.</summary>
    private static double[] TwoBlobs(SphericalBesselBasis basis)
    {
        var volume = CryoSharp.Imaging.Volume.Cube(basis.Box, 2);
        int c = basis.Box / 2;
        for (int z = 0; z < basis.Box; z++)
        {
            for (int y = 0; y < basis.Box; y++)
            {
                for (int x = 0; x < basis.Box; x++)
                {
                    double a = ((x - c - 1.2) * (x - c - 1.2)) + ((y - c) * (y - c)) + ((z - c + 0.5) * (z - c + 0.5));
                    double b = ((x - c + 1.0) * (x - c + 1.0)) + ((y - c - 1.3) * (y - c - 1.3)) + ((z - c) * (z - c));
                    volume.Data[(((z * basis.Box) + y) * basis.Box) + x] = (float)(Math.Exp(-a / 2.0) + (0.6 * Math.Exp(-b / 1.0)));
                }
            }
        }

        return basis.FitLeastSquares(volume);
    }

    private static double RelativeError(double[] estimate, double[] truth)
    {
        double d = 0, n = 0;
        for (int i = 0; i < truth.Length; i++)
        {
            d += (estimate[i] - truth[i]) * (estimate[i] - truth[i]);
            n += truth[i] * truth[i];
        }

        return Math.Sqrt(d / n);
    }

    [Fact]
    public void LogLikelihoodRisesAtEveryIterationFromARandomStart()
    {
        // The M-step solves its normal equations exactly, so each full-batch iteration can only raise the likelihood
        // (centring, which moves the volume after the M-step, is off here).
        var basis = new SphericalBesselBasis(7, 3);
        var truth = TwoBlobs(basis);
        var micrograph = new MicrographSimulation(new GridProjectedTargets(basis, truth, 0), 280, 280, 0.15, 0.05, MtdSpacing.WellSeparated, new SeedSequence(21));
        var result = MicrographVolumeExpectationMaximization.Solve(micrograph, 7, 0.05, new MicrographVolumeEmOptions
        {
            MaxDegree = 3,
            OrientationOrder = 0,
            MaxIterations = 6,
            Centre = false,
            Seeds = new SeedSequence(22),
        });
        var ll = result.History.Select(h => h.LogLikelihoodPerPatch).ToArray();
        for (int i = 1; i < ll.Length; i++)
        {
            Assert.True(ll[i] >= ll[i - 1] - (1e-6 * Math.Abs(ll[i - 1])), $"iteration {i + 1}: {ll[i]} after {ll[i - 1]}");
        }

        Assert.True(ll[^1] > ll[0] + 1, $"the likelihood barely moved: {ll[0]} → {ll[^1]}");
    }

    [Fact]
    public void StartedNearTheTruthItConvergesToTheTruthAndItsDensity()
    {
        var basis = new SphericalBesselBasis(7, 3);
        var truth = TwoBlobs(basis);
        var micrograph = new MicrographSimulation(new GridProjectedTargets(basis, truth, 0), 420, 420, 0.15, 0.02, MtdSpacing.WellSeparated, new SeedSequence(23));
        var random = new SeedSequence(24).CreateStream();
        var start = truth.Select(v => v * (1 + (0.3 * random.NextGaussian()))).ToArray();
        Assert.True(RelativeError(start, truth) > 0.2);
        var result = MicrographVolumeExpectationMaximization.Solve(micrograph, 7, 0.02, new MicrographVolumeEmOptions
        {
            MaxDegree = 3,
            OrientationOrder = 0,
            MaxIterations = 15,
            Centre = false,
            Seeds = new SeedSequence(25),
            Start = start,
            StartGamma = 0.1,
        });
        double error = RelativeError(result.Coefficients, truth);
        Assert.True(error < 0.03, $"relative error {error:0.0000}");
        Assert.InRange(result.Gamma, 0.9 * micrograph.Gamma, 1.1 * micrograph.Gamma);
    }

    [Fact]
    public void FrequencyMarchingHoldsTheHighFrequenciesAtZeroUntilItReachesThem()
    {
        var basis = new SphericalBesselBasis(7, 3);
        var micrograph = new MicrographSimulation(new GridProjectedTargets(basis, TwoBlobs(basis), 0), 210, 210, 0.15, 0.05, MtdSpacing.WellSeparated, new SeedSequence(29));
        var options = new MicrographVolumeEmOptions
        {
            MaxDegree = 3,
            OrientationOrder = 0,
            MaxIterations = 2,
            Seeds = new SeedSequence(30),
            StartBandLimit = 0.25,
            MarchingIterations = 4,
        };
        var marching = MicrographVolumeExpectationMaximization.Solve(micrograph, 7, 0.05, options);

        // Iteration 2 solves within 0.25 + 0.25/4 = 0.3125 cycles per voxel.
        double limit = 2 * Math.PI * basis.RadiusPx * 0.3125;
        int outside = 0;
        for (int b = 0; b < basis.Count; b++)
        {
            if (basis.RadialZeros[b] > limit + 1e-9)
            {
                outside++;
                Assert.Equal(0, marching.Coefficients[b]);
            }
            else if (basis.RadialZeros[b] < limit - 1e-9)
            {
                Assert.NotEqual(0, marching.Coefficients[b]);
            }
        }

        Assert.True(outside > 0);
        var done = MicrographVolumeExpectationMaximization.Solve(micrograph, 7, 0.05, options with { MaxIterations = 5 });
        Assert.All(Enumerable.Range(0, basis.Count), b => Assert.NotEqual(0, done.Coefficients[b]));
        Assert.Contains("--start-band-limit", Assert.Throws<InvalidParameterException>(() => MicrographVolumeExpectationMaximization.Solve(micrograph, 7, 0.05, options with { StartBandLimit = 0.7 })).Message);
    }

    [Fact]
    public void ResultsDoNotDependOnTheThreadCount()
    {
        var basis = new SphericalBesselBasis(7, 3);
        var micrograph = new MicrographSimulation(new GridProjectedTargets(basis, TwoBlobs(basis), 0), 210, 210, 0.15, 0.05, MtdSpacing.WellSeparated, new SeedSequence(26));
        MicrographVolumeEmResult Run(int threads) => MicrographVolumeExpectationMaximization.Solve(micrograph, 7, 0.05, new MicrographVolumeEmOptions
        {
            MaxDegree = 3,
            OrientationOrder = 0,
            MaxIterations = 4,
            Seeds = new SeedSequence(27),
            Context = new ComputeContext { Threads = threads },
            Blocks = 3,
        });
        Assert.Equal(Run(1).Coefficients, Run(2).Coefficients);
    }

    [Fact]
    public void BadSettingsNameTheOption()
    {
        var basis = new SphericalBesselBasis(7, 3);
        var micrograph = new MicrographSimulation(new GridProjectedTargets(basis, TwoBlobs(basis), 0), 70, 70, 0.1, 0.05, MtdSpacing.WellSeparated, new SeedSequence(28));
        var options = new MicrographVolumeEmOptions { Seeds = new SeedSequence(1), MaxDegree = 3 };
        Assert.Contains("--orientation-order", Assert.Throws<InvalidParameterException>(() => MicrographVolumeExpectationMaximization.Solve(micrograph, 7, 0.05, options with { OrientationOrder = 3 })).Message);
        Assert.Contains("--blocks", Assert.Throws<InvalidParameterException>(() => MicrographVolumeExpectationMaximization.Solve(micrograph, 7, 0.05, options with { Blocks = 0 })).Message);
        Assert.Contains("--sigma", Assert.Throws<InvalidParameterException>(() => MicrographVolumeExpectationMaximization.Solve(micrograph, 7, 0, options)).Message);
        Assert.Contains("starting coefficients", Assert.Throws<InvalidParameterException>(() => MicrographVolumeExpectationMaximization.Solve(micrograph, 7, 0.05, options with { Start = new double[3] })).Message);
    }
}
