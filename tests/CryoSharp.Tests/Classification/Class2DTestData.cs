using CryoSharp.Imaging;
using CryoSharp.Numerics;
using CryoSharp.Particles;
using CryoSharp.Simulation;

namespace CryoSharp.Tests.Classification;

/// <summary>
/// Particles whose true classes, angles and offsets are known: a few distinct 2D patterns (projections of
/// different random phantoms), each particle one of them rotated in-plane by a random ψ, translated by a random
/// offset and buried in white noise; or views of one phantom through the simulator, with CTFs.
/// </summary>
internal static class Class2DTestData
{
    public const int Box = 32;
    public const double PixelSizeA = 4;

    /// <summary>Blob positions (pixels from the centre) of the patterns: an L, a T, a triangle with a tail, a ring with a gap.</summary>
    private static readonly (double X, double Y, double Amplitude)[][] Shapes =
    [
        [(-6, -6, 1), (-2, -6, 1), (2, -6, 1), (6, -6, 1), (-6, -2, 1), (-6, 2, 1), (-6, 6, 1)],
        [(-6, 6, 1), (-2, 6, 1), (2, 6, 1), (6, 6, 1), (0, 2, 1), (0, -2, 1), (0, -6, 1)],
        [(-5, -4, 1.5), (5, -4, 1.5), (0, 5, 1.5), (0, -8, 0.7), (3, -10, 0.7)],
        [(7, 0, 1), (5, 5, 1), (0, 7, 1), (-5, 5, 1), (-7, 0, 1), (-5, -5, 1), (0, 0, 0.6)],
    ];

    /// <summary>The clean pattern of class <paramref name="c"/> (centre at Box/2): Gaussian blobs of σ = 1.6 px.</summary>
    public static float[] Pattern(int c)
    {
        var image = new float[Box * Box];
        foreach (var (bx, by, amplitude) in Shapes[c])
        {
            for (int y = 0; y < Box; y++)
            {
                for (int x = 0; x < Box; x++)
                {
                    double dx = x - (Box / 2) - bx, dy = y - (Box / 2) - by;
                    image[(y * Box) + x] += (float)(amplitude * Math.Exp(-((dx * dx) + (dy * dy)) / (2 * 1.6 * 1.6)));
                }
            }
        }

        return image;
    }

    /// <summary>
    /// <paramref name="count"/> particles of <paramref name="classes"/> patterns at a per-pixel SNR (signal variance
    /// inside the pattern's disc over noise variance); offsets N(0, σ) per axis in pixels. Records carry no origin.
    /// </summary>
    public static (InMemoryParticleSource Source, int[] Class, double[] PsiDeg, (double X, double Y)[] OffsetPx) Patterns(
        int count, int classes, double snr, int seed, double offsetSigmaPx = 1)
    {
        var patterns = Enumerable.Range(0, classes).Select(Pattern).ToArray();
        var random = new RandomStream(new SeedSequence(seed).Spawn("patterns").Seed64);
        int r = (int)(0.35 * Box), c0 = Box / 2;
        double signal = 0;
        int inside = 0;
        foreach (var p in patterns)
        {
            for (int y = 0; y < Box; y++)
            {
                for (int x = 0; x < Box; x++)
                {
                    if (((x - c0) * (x - c0)) + ((y - c0) * (y - c0)) <= r * r)
                    {
                        signal += p[(y * Box) + x] * p[(y * Box) + x];
                        inside++;
                    }
                }
            }
        }

        float sigma = (float)Math.Sqrt(signal / inside / snr);
        var images = new float[count * Box * Box];
        var truth = new int[count];
        var psi = new double[count];
        var offsets = new (double, double)[count];
        var records = new ParticleRecord[count];
        for (int i = 0; i < count; i++)
        {
            truth[i] = i % classes;
            psi[i] = 360 * random.NextDouble();
            offsets[i] = (offsetSigmaPx * random.NextGaussian(), offsetSigmaPx * random.NextGaussian());
            var image = InPlaneRotation.Rotate(new Image(Box, Box, PixelSizeA, (float[])patterns[truth[i]].Clone()), psi[i] * Math.PI / 180);
            FourierShift.Apply(image, offsets[i].Item1, offsets[i].Item2);
            var target = images.AsSpan(i * Box * Box, Box * Box);
            image.Data.CopyTo(target);
            random.AddGaussianNoise(target, sigma);
            records[i] = new ParticleRecord { Index = i, Optics = new ParticleOptics { PixelSizeA = PixelSizeA, ImageSize = Box } };
        }

        return (new InMemoryParticleSource(images, Box, PixelSizeA, records, "patterns"), truth, psi, offsets);
    }

    /// <summary>Views of one phantom through the simulator (CTF optional), with the view index of each particle.</summary>
    public static (SimulatedParticleSource Source, int[] View) Views(int count, (double Rot, double Tilt)[] views, double snr, bool ctf, int seed)
    {
        var map = new GaussianBlobPhantom { Seeds = new SeedSequence(21), BlobCount = 10, RadiusFraction = 0.4 }.Create(Box, PixelSizeA);
        var options = new SimulationOptions { Count = count, Snr = snr, Ctf = ctf, ShiftSigmaA = PixelSizeA, Seeds = new SeedSequence(seed) };
        var simulator = new ParticleSimulator(map, options);
        var drawn = simulator.DrawParticles();
        var random = new RandomStream(new SeedSequence(seed).Spawn("views").Seed64);
        var view = new int[count];
        var records = new ParticleRecord[count];
        for (int i = 0; i < count; i++)
        {
            view[i] = i % views.Length;
            records[i] = drawn[i] with { Pose = drawn[i].Pose with { RotDeg = views[view[i]].Rot, TiltDeg = views[view[i]].Tilt, PsiDeg = 360 * random.NextDouble() } };
        }

        return (simulator.CreateSource(records), view);
    }
}
