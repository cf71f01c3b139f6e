using CryoSharp.Classification;
using CryoSharp.Imaging;
using CryoSharp.Numerics;
using CryoSharp.Numerics.Fft;

namespace CryoSharp.Tests.Classification;

public class Class2DEngineTests
{
    private static float[] Blob(int box, int seed)
    {
        var map = new GaussianBlobPhantom { Seeds = new SeedSequence(seed) }.Create(box, 3.0);
        var image = new float[box * box];
        for (int z = 0; z < box; z++)
        {
            for (int y = 0; y < box; y++)
            {
                for (int x = 0; x < box; x++)
                {
                    image[(y * box) + x] += map.Data[(((z * box) + y) * box) + x];
                }
            }
        }

        return image;
    }

    private static ComplexF[] Spectrum(float[] image, int box)
    {
        var spectrum = new ComplexF[GridShape.Square(box).HalfComplexLength];
        Fft.Forward(image, GridShape.Square(box), spectrum);
        return spectrum;
    }

    [Fact]
    public void RotatedSpectrumIsTheSpectrumOfTheRotatedImage()
    {
        const int box = 48;
        var image = Blob(box, 3);
        var reference = new PaddedImageSpectrum(image, box);
        var pixels = new FourierPixelSet(box, box / 2 - 2);
        foreach (double deg in new[] { 0.0, 37.0, 90.0, 211.0 })
        {
            var rotated = InPlaneRotation.Rotate(new Image(box, box, 1, (float[])image.Clone()), deg * Math.PI / 180);
            var expected = new float[2 * pixels.Count];
            pixels.Gather(Spectrum(rotated.Data, box), expected);
            var actual = new float[2 * pixels.Count];
            reference.SampleRotated(deg * Math.PI / 180, pixels, actual);
            Assert.True(Correlation(expected, actual) > 0.995, $"ψ = {deg}°: correlation {Correlation(expected, actual):0.0000}");
        }
    }

    [Fact]
    public void InsertionIsTheAdjointOfReading()
    {
        const int box = 24;
        var pixels = new FourierPixelSet(box, box / 2);
        var random = new RandomStream(5);
        var image = new float[box * box];
        random.FillGaussian(image);
        var reference = new PaddedImageSpectrum(image, box);
        var read = new float[2 * pixels.Count];
        const double psi = 0.7;
        reference.SampleRotated(psi, pixels, read);

        // ⟨Read(F), y⟩ over packed values equals ⟨F, Insert(y)⟩ over the padded grid: check through a delta grid.
        var y = new double[2 * pixels.Count];
        random.FillGaussian(y);
        double left = 0;
        for (int i = 0; i < y.Length; i++)
        {
            left += read[i] * y[i];
        }

        var accumulator = new PaddedSpectrumAccumulator(box);
        accumulator.Insert(psi, pixels, y, new double[pixels.Count]);
        double right = accumulator.InnerProductWithPaddedSpectrum(image);
        Assert.Equal(left, right, 1e-3 * Math.Abs(left) + 1e-6);
    }

    [Fact]
    public void AveragingRotatedCopiesGivesTheImageBack()
    {
        const int box = 40;
        var image = Blob(box, 8);
        var reference = new PaddedImageSpectrum(image, box);
        var pixels = new FourierPixelSet(box, box / 2);
        var accumulator = new PaddedSpectrumAccumulator(box);
        var packed = new float[2 * pixels.Count];
        var data = new double[2 * pixels.Count];
        var ones = new double[pixels.Count];
        Array.Fill(ones, 1.0);
        for (int j = 0; j < 36; j++)
        {
            double psi = j * 10 * Math.PI / 180;
            reference.SampleRotated(psi, pixels, packed);
            for (int i = 0; i < data.Length; i++)
            {
                data[i] = packed[i];
            }

            accumulator.Insert(psi, pixels, data, ones);
        }

        var shells = (box / 2) + 1;
        var result = accumulator.Reconstruct(new double[shells], box / 2, new double[shells], new double[shells]);

        // The frequencies beyond the inscribed circle are never sampled; compare with the image without them.
        var spectrum = Spectrum(image, box);
        for (int y = 0; y < box; y++)
        {
            int fy = FourierIndex.Frequency(y, box);
            for (int x = 0; x <= box / 2; x++)
            {
                if ((x * x) + (fy * fy) > box * box / 4)
                {
                    spectrum[(y * ((box / 2) + 1)) + x] = default;
                }
            }
        }

        Fft.Inverse(spectrum, GridShape.Square(box), image);
        Assert.True(Correlation(image, result) > 0.997, $"correlation {Correlation(image, result):0.0000}");
        double scale = Dot(result, image) / Dot(image, image);
        Assert.InRange(scale, 0.98, 1.02);
    }

    [Fact]
    public void SearchScoresAreTheLogLikelihoodsOfDirectComparison()
    {
        const int box = 32;
        var classes = new[] { Scaled(Blob(box, 1), 0.1), Scaled(Blob(box, 2), 0.1) };
        var references = classes.Select(c => new PaddedImageSpectrum(c, box)).ToArray();
        var pixels = new FourierPixelSet(box, 12);
        var psi = new InPlaneSampling(15, 1);
        var translations = new TranslationSampling(2, 1, 1);
        int jc = psi.CoarseCount;
        var slices = new ReferenceSlices(pixels, 2 * jc, psi.ChildrenPerCoarse, Enumerable.Range(0, 2 * jc).Select(s => s / jc).ToArray(),
            Enumerable.Range(0, 2 * jc).Select(s => Math.Log(s < jc ? 0.3 : 0.7)).ToArray(),
            (index, fine, packed) => references[fine ? index / psi.FineCount : index / jc].SampleRotated(
                (fine ? psi.FineDeg(index % psi.FineCount) : psi.CoarseDeg(index % jc)) * Math.PI / 180, pixels, packed), ComputeContext.SingleThreaded);
        var search = new PosteriorSearch(slices, translations, sigmaOffsetPx: 2, SearchAlgorithm.MaximumLikelihood, adaptiveFraction: 1);

        // A particle: class 2 rotated by 93.75° (a fine angle; the coarse step is 15°), shifted by (1.25, −0.75) from a previous offset (0.5, 0), a CTF, noise.
        var random = new RandomStream(11);
        var particle = new ParticleSpectrum(pixels.Count);
        var truth = new float[2 * pixels.Count];
        references[1].SampleRotated(93.75 * Math.PI / 180, pixels, truth);
        var ctf = new CtfModel { DefocusUA = 12000, DefocusVA = 11000 };
        ctf.Fill(particle.Ctf, pixels.Kx, pixels.Ky, 1 / (box * 3.0));
        for (int f = 0; f < pixels.Count; f++)
        {
            truth[2 * f] *= particle.Ctf[f];
            truth[(2 * f) + 1] *= particle.Ctf[f];
            particle.NoiseWeight[f] = (float)(1 / (2 * (1 + (0.1 * pixels.Shells[f]))));
        }

        PosteriorSearch.ShiftSpectrum(truth, pixels, 1.75, -0.75, particle.Spectrum);
        for (int i = 0; i < particle.Spectrum.Length; i++)
        {
            particle.Spectrum[i] += (float)(1 * random.NextGaussian());
        }

        particle.PreviousShiftPx = (0.5, 0);
        var workspace = search.CreateWorkspace();
        search.Search(particle, workspace);
        var post = workspace.Posterior;
        Assert.Equal(1, slices.ClassOfFine(post.BestSlice));
        Assert.Equal(93.75, psi.FineDeg(post.BestSlice % psi.FineCount), 6);
        Assert.Equal(1.75, post.BestOffsetPx.X, 6);
        Assert.Equal(-0.75, post.BestOffsetPx.Y, 6);
        Assert.Equal(1.0, post.Weights.ToArray().Sum(), 9);

        // Every kept weight is exp(score)/Σ exp(score) with score = −Σ v|X − C·S_u·R|² + log prior − |u|²/(2σ²), computed directly.
        var direct = new List<double>();
        for (int sf = 0; sf < slices.FineCount; sf++)
        {
            for (int tf = 0; tf < translations.Fine.Length; tf++)
            {
                var t = translations.Fine[tf];
                double ux = 0.5 + t.X, uy = t.Y;
                var shifted = new float[2 * pixels.Count];
                PosteriorSearch.ShiftSpectrum(slices.Fine(sf), pixels, ux, uy, shifted);
                double d2 = 0;
                for (int f = 0; f < pixels.Count; f++)
                {
                    double re = particle.Spectrum[2 * f] - (particle.Ctf[f] * shifted[2 * f]);
                    double im = particle.Spectrum[(2 * f) + 1] - (particle.Ctf[f] * shifted[(2 * f) + 1]);
                    d2 += particle.NoiseWeight[f] * ((re * re) + (im * im));
                }

                direct.Add(-d2 + slices.LogPrior(sf / slices.ChildrenPerCoarse) - (((ux * ux) + (uy * uy)) / 8));
            }
        }

        double max = direct.Max();
        double logSum = max + Math.Log(direct.Sum(d => Math.Exp(d - max)));
        Assert.Equal(logSum, post.LogEvidence, 2e-3 * Math.Abs(logSum));
        Assert.Equal(Math.Exp(max - logSum), post.MaxProbability, 1e-3);
    }

    [Fact]
    public void TranslationAndAngleGridsNestTheirChildren()
    {
        var psi = new InPlaneSampling(10, 1);
        Assert.Equal(36, psi.CoarseCount);
        Assert.Equal(72, psi.FineCount);
        Assert.Equal(357.5, psi.FineDeg(0), 9);
        Assert.Equal(2.5, psi.FineDeg(1), 9);
        var t = new TranslationSampling(5, 2, 1);
        Assert.Equal(21, t.Coarse.Length);
        Assert.Equal(84, t.Fine.Length);
        for (int c = 0; c < t.Coarse.Length; c++)
        {
            double mx = 0, my = 0;
            for (int j = 0; j < 4; j++)
            {
                mx += t.Fine[(4 * c) + j].X / 4;
                my += t.Fine[(4 * c) + j].Y / 4;
            }

            Assert.Equal(t.Coarse[c].X, mx, 9);
            Assert.Equal(t.Coarse[c].Y, my, 9);
        }
    }

    private static float[] Scaled(float[] image, double rms)
    {
        double scale = rms / Math.Sqrt(Dot(image, image) / image.Length);
        return [.. image.Select(v => (float)(v * scale))];
    }

    private static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++)
        {
            s += a[i] * b[i];
        }

        return s;
    }

    private static double Correlation(ReadOnlySpan<float> a, ReadOnlySpan<float> b) => Dot(a, b) / Math.Sqrt(Dot(a, a) * Dot(b, b));
}
