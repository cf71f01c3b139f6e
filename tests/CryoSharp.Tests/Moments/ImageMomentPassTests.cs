using CryoSharp.Imaging;
using CryoSharp.Moments.Images;
using CryoSharp.Numerics;
using CryoSharp.Particles;

namespace CryoSharp.Tests.Moments;

public class ImageMomentPassTests
{
    private const int Box = 16;
    private const double Pixel = 2.0;

    private static InMemoryParticleSource RandomImages(int count, double sigma, int seed, Func<int, ParticleRecord>? record = null)
    {
        var random = new SeedSequence(seed).CreateStream();
        var images = new float[count * Box * Box];
        for (int i = 0; i < images.Length; i++)
        {
            images[i] = (float)(sigma * random.NextGaussian());
        }

        var records = new ParticleRecord[count];
        for (int i = 0; i < count; i++)
        {
            records[i] = record?.Invoke(i) ?? new ParticleRecord { Index = i };
        }

        return new InMemoryParticleSource(images, Box, Pixel, records);
    }

    /// <summary>The coordinates of one image by the definition: a direct DFT about the box centre, orthonormal.</summary>
    private static double[] DirectCoordinates(ReadOnlySpan<float> image, ImageMomentBasis basis)
    {
        var u = new double[basis.Dimension];
        for (int j = 0; j < basis.Frequencies; j++)
        {
            double re = 0, im = 0;
            for (int y = 0; y < Box; y++)
            {
                for (int x = 0; x < Box; x++)
                {
                    double phase = -2 * Math.PI * ((basis.FrequencyX[j] * (x - (Box / 2))) + (basis.FrequencyY[j] * (y - (Box / 2)))) / Box;
                    re += image[(y * Box) + x] * Math.Cos(phase);
                    im += image[(y * Box) + x] * Math.Sin(phase);
                }
            }

            re /= Box;
            im /= Box;
            if (j == 0)
            {
                u[0] = re;
            }
            else
            {
                u[(2 * j) - 1] = Math.Sqrt(2) * re;
                u[2 * j] = Math.Sqrt(2) * im;
            }
        }

        return u;
    }

    [Fact]
    public void TheMomentsAreTheMeansOfTheDirectFourierCoordinates()
    {
        // 300 images: more than one chunk, and a last chunk that is not full.
        var source = RandomImages(300, 1, 1);
        var moments = ImageMomentPass.Compute(source, 5, noiseSigma: 0);
        var basis = moments.Basis;
        int d = basis.Dimension;
        var first = new double[d];
        var second = new double[d * d];
        var image = new float[Box * Box];
        for (int i = 0; i < source.Count; i++)
        {
            source.ReadImages(i, 1, image);
            var u = DirectCoordinates(image, basis);
            for (int a = 0; a < d; a++)
            {
                first[a] += u[a] / source.Count;
                for (int b = 0; b < d; b++)
                {
                    second[(a * d) + b] += u[a] * u[b] / source.Count;
                }
            }
        }

        Assert.Equal(300, moments.Count);
        Assert.Equal((2 * 40) + 1, d); // the DC term and the 40 frequencies of the half disk of radius 5
        for (int a = 0; a < d; a++)
        {
            Assert.True(Math.Abs(first[a] - moments.First[a]) < 1e-5, $"M1[{a}]");
        }

        for (int i = 0; i < d * d; i++)
        {
            Assert.True(Math.Abs(second[i] - moments.Second[i]) < 1e-5, $"M2[{i}]");
        }
    }

    [Fact]
    public void WhiteNoiseStaysWhiteAndItsVarianceIsFoundInTheCorners()
    {
        // Pure noise of σ = 0.7: every coordinate has variance σ² (the basis is orthonormal), so the debiased second
        // moment is 0 to sampling error (√(2/N)·σ² on the diagonal, σ²/√N off it), and the corners give σ².
        const double sigma = 0.7;
        const int n = 4000;
        var moments = ImageMomentPass.Compute(RandomImages(n, sigma, 2), 6, noiseSigma: null);
        Assert.True(moments.NoiseEstimated);
        Assert.InRange(moments.NoiseVariance, sigma * sigma * 0.97, sigma * sigma * 1.03);
        int d = moments.Basis.Dimension;
        double worst = 0;
        for (int a = 0; a < d; a++)
        {
            for (int b = 0; b < d; b++)
            {
                double scale = (a == b ? Math.Sqrt(2.0) : 1) * sigma * sigma / Math.Sqrt(n);
                worst = Math.Max(worst, Math.Abs(moments.Second[(a * d) + b]) / scale);
            }
        }

        // Debiasing with the estimated σ² adds its own error, (σ̂² − σ²)·√N/σ² ≈ 0.5 units here, to the diagonal.
        Assert.InRange(worst, 0.5, 6);
        var given = ImageMomentPass.Compute(RandomImages(n, sigma, 2), 6, noiseSigma: sigma);
        Assert.False(given.NoiseEstimated);
        Assert.Equal(sigma * sigma, given.NoiseVariance, 12);
    }

    [Fact]
    public void TheMomentsDoNotDependOnTheNumberOfThreads()
    {
        var source = RandomImages(700, 1, 3);
        var one = ImageMomentPass.Compute(source, 7, null, ComputeContext.SingleThreaded);
        var two = ImageMomentPass.Compute(source, 7, null, new ComputeContext { Threads = 2 });
        Assert.Equal(one.First, two.First);
        Assert.Equal(one.Second, two.Second);
        Assert.Equal(one.NoiseVariance, two.NoiseVariance);
    }

    [Fact]
    public void WithCtfsTheImagesArePhaseFlippedAndTheCtfFactorsAreItsMeanMagnitudes()
    {
        // Every image is the same constant-free pattern; its CTF's sign must come off (a phase flip), so that
        // E[u] = K¹ ⊙ (the coordinates of the pattern), with K¹ the mean of |C|.
        const int n = 40;
        var pattern = new float[Box * Box];
        var random = new SeedSequence(4).CreateStream();
        for (int i = 0; i < pattern.Length; i++)
        {
            pattern[i] = (float)random.NextGaussian();
        }

        var optics = new ParticleOptics { PixelSizeA = Pixel, ImageSize = Box };
        var ctfs = new CtfModel[n];
        for (int i = 0; i < n; i++)
        {
            ctfs[i] = new CtfModel { DefocusUA = 8000 + (400 * i), DefocusVA = 7800 + (400 * i), DefocusAngleDeg = 9 * i, VoltageKv = 300, SphericalAberrationMm = 2.7, AmplitudeContrast = 0.1 };
        }

        // The images: the pattern filtered by each CTF (its spectrum times C), so that phase flipping leaves |C|·pattern.
        var shape = GridShape.Square(Box);
        var spectrum = new ComplexF[shape.HalfComplexLength];
        var filtered = new ComplexF[shape.HalfComplexLength];
        var values = new float[shape.HalfComplexLength];
        var images = new float[n * Box * Box];
        CryoSharp.Numerics.Fft.Fft.Forward(pattern, shape, spectrum, CryoSharp.Numerics.Fft.FftOrigin.Centered, CryoSharp.Numerics.Fft.FftScaling.Orthonormal, ComputeContext.SingleThreaded);
        for (int i = 0; i < n; i++)
        {
            ctfs[i].Fill(values, Box, Pixel);
            for (int k = 0; k < filtered.Length; k++)
            {
                filtered[k] = new ComplexF(spectrum[k].Re * values[k], spectrum[k].Im * values[k]);
            }

            CryoSharp.Numerics.Fft.Fft.Inverse(filtered, shape, images.AsSpan(i * Box * Box, Box * Box), CryoSharp.Numerics.Fft.FftOrigin.Centered, CryoSharp.Numerics.Fft.FftScaling.Orthonormal, ComputeContext.SingleThreaded);
        }

        var records = new ParticleRecord[n];
        for (int i = 0; i < n; i++)
        {
            records[i] = new ParticleRecord { Index = i, Ctf = ctfs[i], Optics = optics };
        }

        var moments = ImageMomentPass.Compute(new InMemoryParticleSource(images, Box, Pixel, records), 6, noiseSigma: 0);
        Assert.True(moments.HasCtf);
        var basis = moments.Basis;
        var u = DirectCoordinates(pattern, basis);
        for (int a = 0; a < basis.Dimension; a++)
        {
            int j = ImageMomentBasis.FrequencyOf(a);
            double step = 1 / (Box * Pixel), k1 = 0, k2 = 0;
            foreach (var ctf in ctfs)
            {
                double c = ctf.Value(basis.FrequencyX[j] * step, basis.FrequencyY[j] * step);
                double c3 = ctf.Value(basis.FrequencyX[3] * step, basis.FrequencyY[3] * step);
                k1 += Math.Abs(c) / n;
                k2 += Math.Abs(c * c3) / n;
            }

            Assert.True(Math.Abs(k1 - moments.CtfFirst![a]) < 1e-5, $"K1[{a}]");
            Assert.True(Math.Abs(k2 - moments.CtfSecond![(a * basis.Dimension) + 5]) < 1e-5, $"K2[{a}, 5]");
            Assert.True(Math.Abs((k1 * u[a]) - moments.First[a]) < 1e-4, $"M1[{a}]");
        }
    }

    [Fact]
    public void MixedOrPremultipliedCtfsAreRefused()
    {
        var ctf = new CtfModel { DefocusUA = 10000, DefocusVA = 10000, VoltageKv = 300, SphericalAberrationMm = 2.7, AmplitudeContrast = 0.1 };
        var mixed = RandomImages(4, 1, 5, i => new ParticleRecord { Index = i, Ctf = i == 0 ? ctf : null });
        Assert.Contains("all or none", Assert.Throws<CryoSharpException>(() => ImageMomentPass.Compute(mixed, 3, 0)).Message);
        var premultiplied = RandomImages(4, 1, 5, i => new ParticleRecord { Index = i, Ctf = ctf, Optics = new ParticleOptics { CtfPremultiplied = true } });
        Assert.Contains("premultiplied", Assert.Throws<CryoSharpException>(() => ImageMomentPass.Compute(premultiplied, 3, 0)).Message);
        Assert.Throws<InvalidParameterException>(() => ImageMomentPass.Compute(mixed, Box / 2, 0));
    }

    [Fact]
    public void RestrictedMomentsAreThoseOfTheSmallerDisk()
    {
        var source = RandomImages(300, 1, 7);
        var big = ImageMomentPass.Compute(source, 6, 0.5).Restrict(3);
        var small = ImageMomentPass.Compute(source, 3, 0.5);
        Assert.Equal(small.Basis.Dimension, big.Basis.Dimension);
        for (int a = 0; a < small.First.Length; a++)
        {
            Assert.True(Math.Abs(small.First[a] - big.First[a]) < 1e-9, $"M1[{a}]");
        }

        for (int i = 0; i < small.Second.Length; i++)
        {
            Assert.True(Math.Abs(small.Second[i] - big.Second[i]) < 1e-6, $"M2[{i}]");
        }

        Assert.Throws<InvalidParameterException>(() => small.Restrict(4));
    }

    [Fact]
    public void TheFileGivesBackTheMomentsExactly()
    {
        var moments = ImageMomentPass.Compute(RandomImages(50, 1, 6), 4, null);
        string path = Path.Combine(Path.GetTempPath(), $"moments-{Guid.NewGuid():N}.bin");
        try
        {
            ImageMomentsFile.Write(path, moments, null);
            var (read, header) = ImageMomentsFile.Read(path);
            Assert.Null(header.Truth);
            Assert.Equal(moments.First, read.First);
            Assert.Equal(moments.Second, read.Second);
            Assert.Equal(moments.NoiseVariance, read.NoiseVariance);
            Assert.Equal(moments.Basis.Box, read.Basis.Box);
            Assert.Equal(moments.Basis.RadiusPx, read.Basis.RadiusPx);
            Assert.Equal(moments.Count, read.Count);
            File.WriteAllText(path, "not moments");
            Assert.Throws<InvalidFileException>(() => ImageMomentsFile.Read(path));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
