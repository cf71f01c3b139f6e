using CryoSharp.Detection;
using CryoSharp.Imaging;
using CryoSharp.IO;
using CryoSharp.Numerics;

namespace CryoSharp.Tests.Detection;

public class MicrographTests
{
    private static RotatedImageTargets Targets(int size, int seed = 5) =>
        new(BlobImagePhantom.Create(size, 2.0, new SeedSequence(seed)));

    [Fact]
    public void PlacementKeepsTheSpacingAndReachesTheDensity()
    {
        foreach (var (spacing, minimum) in new[] { (MtdSpacing.WellSeparated, 21), (MtdSpacing.Arbitrary, 11) })
        {
            var copies = MicrographPlacement.Place(2000, 1500, 11, 0.1, spacing, new RandomStream(3));
            Assert.InRange(copies.Length * 121.0 / (2000 * 1500), 0.0999, 0.1001);
            for (int i = 0; i < copies.Length; i++)
            {
                Assert.InRange(copies[i].X, 0, 2000 - 11);
                Assert.InRange(copies[i].Y, 0, 1500 - 11);
                Assert.True(i == 0 || copies[i].Y >= copies[i - 1].Y);
                for (int j = i + 1; j < copies.Length && copies[j].Y - copies[i].Y < minimum; j++)
                {
                    Assert.True(Math.Abs(copies[j].X - copies[i].X) >= minimum, $"copies {i} and {j} are closer than {minimum}");
                }
            }
        }

        // Random sequential adsorption jams near 0.56 of the densest packing (0.274 for L = 11, separated).
        var jammed = Assert.Throws<InvalidParameterException>(() => MicrographPlacement.Place(500, 500, 11, 0.27, MtdSpacing.WellSeparated, new RandomStream(3)));
        Assert.Contains("jammed", jammed.Message);
    }

    [Fact]
    public void BandsOfRowsAgreeWhateverTheBandingAndShowTheCopies()
    {
        var targets = Targets(9);
        var clean = new MicrographSimulation(targets, 300, 200, 0.15, 0, MtdSpacing.WellSeparated, new SeedSequence(4));
        var noisy = new MicrographSimulation(targets, 300, 200, 0.15, 0.5, MtdSpacing.WellSeparated, new SeedSequence(4));
        var whole = new float[300 * 200];
        noisy.ReadRows(0, 200, whole);
        var band = new float[300 * 7];
        for (int first = 0; first < 200; first += 7)
        {
            int rows = Math.Min(7, 200 - first);
            noisy.ReadRows(first, rows, band);
            Assert.True(band.AsSpan(0, rows * 300).SequenceEqual(whole.AsSpan(first * 300, rows * 300)), $"band at row {first}");
        }

        // Without noise, each copy's box holds exactly its rendering (the spacing keeps boxes apart).
        var image = new float[300 * 200];
        clean.ReadRows(0, 200, image);
        var box = new float[81];
        foreach (var copy in clean.Copies.Take(20))
        {
            targets.Render(copy, box);
            for (int t = 0; t < 9; t++)
            {
                for (int c = 0; c < 9; c++)
                {
                    Assert.Equal(box[(t * 9) + c], image[((copy.Y + t) * 300) + copy.X + c]);
                }
            }
        }

        // The noise is white with the asked σ.
        double sum = 0, squares = 0;
        for (int i = 0; i < whole.Length; i++)
        {
            double d = whole[i] - image[i];
            sum += d;
            squares += d * d;
        }

        Assert.InRange(Math.Sqrt(squares / whole.Length), 0.49, 0.51);
        Assert.InRange(sum / whole.Length, -0.01, 0.01);
    }

    [Fact]
    public void ACopyAtPsiIsTheTargetTurnedByRelionsInPlaneRotation()
    {
        var targets = Targets(33);
        var box = new float[33 * 33];
        foreach (double psi in new[] { 30.0, 100.0, 250.0 })
        {
            targets.Render(new MicrographCopy(0, 0, 0, 0, psi), box);
            var expected = InPlaneRotation.Rotate(targets.Target, psi * Math.PI / 180);
            Assert.True(RelativeError.Of(box, expected.Data) < 0.05, $"ψ = {psi}: {RelativeError.Of(box, expected.Data):0.000}");
        }
    }

    [Fact]
    public void VolumeCopiesAreProjectionsAtUniformRandomOrientations()
    {
        var volume = new GaussianBlobPhantom { Seeds = new SeedSequence(12) }.Create(16, 2.0);
        var targets = new ProjectedVolumeTargets(volume);
        var random = new RandomStream(13);
        double cosTilt = 0, cosRot = 0;
        const int draws = 20_000;
        for (int i = 0; i < draws; i++)
        {
            var pose = targets.DrawPose(default, random);
            cosTilt += Math.Cos(pose.TiltDeg * Math.PI / 180);
            cosRot += Math.Cos(pose.RotDeg * Math.PI / 180);
        }

        // Uniform on SO(3): cos(tilt) uniform on [−1, 1], rot uniform.
        Assert.InRange(cosTilt / draws, -0.02, 0.02);
        Assert.InRange(cosRot / draws, -0.02, 0.02);
        var copy = new MicrographCopy(0, 0, 30, 60, 90);
        var box = new float[16 * 16];
        targets.Render(copy, box);
        var expected = new CryoSharp.Projection.FourierProjector(volume, padding: 4).Project(CryoSharp.Geometry.EulerAngles.FromDegrees(30, 60, 90));
        Assert.True(RelativeError.Of(box, expected.Data) < 1e-6);
    }

    [Fact]
    public void RotatedImageErrorFindsTheRotation()
    {
        var targets = Targets(21);
        var turned = (ComplexF[])targets.Coefficients.Clone();
        targets.Basis.Rotate(turned, 1.234);
        var (error, angle) = RotatedImageError.Of(targets.Basis, turned, targets.Coefficients);
        Assert.True(error < 1e-5, $"error {error}");
        Assert.Equal(1.234, angle, 4);

        var other = Targets(21, seed: 9);
        Assert.True(RotatedImageError.Of(targets.Basis, other.Coefficients, targets.Coefficients).Error > 0.3);
    }

    [Fact]
    public void MicrographRowsRoundTripThroughAnMrcFile()
    {
        var simulation = new MicrographSimulation(Targets(9), 130, 90, 0.1, 1, MtdSpacing.Arbitrary, new SeedSequence(6));
        string path = Path.Combine(Path.GetTempPath(), $"cryosharp-micrograph-{Guid.NewGuid():N}.mrc");
        try
        {
            using (var writer = new MrcStackWriter(path, new GridShape(130, 90), 2.0))
            {
                var band = new float[130 * 40];
                for (int first = 0; first < 90; first += 40)
                {
                    int rows = Math.Min(40, 90 - first);
                    simulation.ReadRows(first, rows, band);
                    writer.AppendRows(band.AsSpan(0, rows * 130));
                }

                writer.Complete();
            }

            using var file = new MrcMicrograph(path);
            Assert.Equal((130, 90, 2.0), (file.Width, file.Height, file.PixelSizeA));
            var expected = new float[130 * 13];
            var actual = new float[130 * 13];
            simulation.ReadRows(33, 13, expected);
            file.ReadRows(33, 13, actual);
            Assert.Equal(expected, actual);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ApproximateEmRecoversTheTargetUpToRotationAtHighSnr()
    {
        // SNR = ‖x‖²/(L²σ²) = 10: the copies are plain to see, so EM from a random start must find the target.
        var targets = Targets(9, seed: 7);
        double energy = System.Numerics.Tensors.TensorPrimitives.SumOfSquares<float>(targets.Target.Data);
        double sigma = Math.Sqrt(energy / (81 * 10.0));
        var simulation = new MicrographSimulation(targets, 720, 720, 0.1, sigma, MtdSpacing.WellSeparated, new SeedSequence(8));
        var result = MicrographExpectationMaximization.Solve(simulation, 9, sigma, new MicrographEmOptions
        {
            Rotations = 12,
            MaxIterations = 50,
            Tolerance = 1e-3,
            Seeds = new SeedSequence(9),
        });
        var (error, _) = RotatedImageError.Of(result.Basis, result.Coefficients, targets.Coefficients);
        Assert.True(error < 0.06, $"relative error {error:0.000} after {result.Iterations} iterations");
        Assert.InRange(result.Gamma, 0.09, 0.11);

        // Without centring, EM settles on the target moved inside its box (an optimum the patch model cannot rule out).
        var drifting = MicrographExpectationMaximization.Solve(simulation, 9, sigma, new MicrographEmOptions
        {
            Rotations = 12,
            MaxIterations = 50,
            Tolerance = 1e-3,
            Centre = false,
            Seeds = new SeedSequence(9),
        });
        Assert.True(RotatedImageError.Of(drifting.Basis, drifting.Coefficients, targets.Coefficients).Error > 2 * error);
    }

    [Fact]
    public void EmStartedAtTheTruthStaysThereAndTheLikelihoodRises()
    {
        var targets = Targets(9, seed: 7);
        double energy = System.Numerics.Tensors.TensorPrimitives.SumOfSquares<float>(targets.Target.Data);
        double sigma = Math.Sqrt(energy / (81 * 1.0));
        var simulation = new MicrographSimulation(targets, 540, 540, 0.1, sigma, MtdSpacing.WellSeparated, new SeedSequence(10));
        var result = MicrographExpectationMaximization.Solve(simulation, 9, sigma, new MicrographEmOptions
        {
            Rotations = 16,
            MaxIterations = 6,
            Seeds = new SeedSequence(11),
            Start = targets.Coefficients,
            StartGamma = 0.1,
        });
        Assert.True(RotatedImageError.Of(result.Basis, result.Coefficients, targets.Coefficients).Error < 0.1);
        for (int i = 1; i < result.History.Count; i++)
        {
            Assert.True(result.History[i].LogLikelihoodPerPatch >= result.History[i - 1].LogLikelihoodPerPatch - 1e-4, $"iteration {i + 1}");
        }
    }
}
