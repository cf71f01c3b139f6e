using CryoSharp.Geometry;
using CryoSharp.Imaging;
using CryoSharp.Numerics;
using CryoSharp.Numerics.Fft;
using CryoSharp.Projection;
using CryoSharp.Reconstruction;

namespace CryoSharp.Tests.Reconstruction;

public class FourierReconstructorTests
{
    private const int Box = 32;
    private const double PixelSizeA = 3;

    private static Volume Phantom() => new GaussianBlobPhantom { Seeds = new SeedSequence(5) }.Create(Box, PixelSizeA);

    [Fact]
    public void AStepFromAPriorWithoutDataGivesThePriorBack()
    {
        var prior = Phantom();
        var empty = new FourierBackProjector(Box, PixelSizeA, 2, withWeights: true);
        var result = new FourierReconstructor(Box, 2).ReconstructTowards(empty, Enumerable.Repeat(0.2, (Box / 2) + 1).ToArray(), prior);
        // Inside the sphere that the reconstruction's own soft mask leaves alone.
        double max = prior.Data.Max(), error = 0;
        for (int z = 0; z < Box; z++)
        {
            for (int y = 0; y < Box; y++)
            {
                for (int x = 0; x < Box; x++)
                {
                    int dx = x - (Box / 2), dy = y - (Box / 2), dz = z - (Box / 2);
                    if ((dx * dx) + (dy * dy) + (dz * dz) <= 12 * 12)
                    {
                        int i = (((z * Box) + y) * Box) + x;
                        error = Math.Max(error, Math.Abs(result.Data[i] - prior.Data[i]));
                    }
                }
            }
        }

        // What is left is the phantom's little power beyond the Nyquist sphere, which every reconstruction drops.
        Assert.True(error < 3e-3 * max, $"max |error| {error:G3} of a map of max {max:G3}");
    }

    [Fact]
    public void AStepFromAPriorKeepsWhatTheViewsDidNotReach()
    {
        // Views all about one axis fill a single central plane of Fourier space. Alone they reconstruct a smeared map;
        // a step from the true map keeps it, since the data agree with it where they reach and say nothing elsewhere.
        var truth = Phantom();
        var shape = GridShape.Square(Box);
        var accumulator = new FourierBackProjector(Box, PixelSizeA, 2, withWeights: true);
        var projector = new FourierProjector(truth);
        var image = new float[shape.Length];
        var spectrum = new ComplexF[shape.HalfComplexLength];
        for (int i = 0; i < 36; i++)
        {
            var a = EulerAngles.FromDegrees(0, 0, 10 * i).ToMatrix();
            projector.Project(a, image);
            Fft.Forward(image, shape, spectrum);
            accumulator.Insert(spectrum, a);
        }

        var reconstructor = new FourierReconstructor(Box, 2);
        var k = Enumerable.Repeat(0.2, (Box / 2) + 1).ToArray();
        double alone = Correlation(reconstructor.Reconstruct(accumulator, k).Data, truth.Data);
        double step = Correlation(reconstructor.ReconstructTowards(accumulator, k, truth).Data, truth.Data);
        Assert.True(alone < 0.9, $"one plane alone: correlation {alone:0.000}");
        Assert.True(step > 0.99, $"step from the truth: correlation {step:0.000}");
    }

    private static double Correlation(float[] a, float[] b)
    {
        double ma = a.Average(), mb = b.Average(), ab = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            ab += (a[i] - ma) * (b[i] - mb);
            aa += (a[i] - ma) * (a[i] - ma);
            bb += (b[i] - mb) * (b[i] - mb);
        }

        return ab / Math.Sqrt(aa * bb);
    }
}
