using BenchmarkDotNet.Attributes;
using CryoSharp.Classification;
using CryoSharp.Imaging;
using CryoSharp.Numerics;

namespace CryoSharp.Bench;

/// <summary>
/// The 2D classification E-step for one particle on one thread, at the settings of bench/peers/class2d.sh (K = 10,
/// ψ every 10°, offsets ±5 px in 2 px steps, oversampling 1) and box 64, at a low and the full resolution: a
/// sharp posterior (late iterations, few significant samples) and a flat one (the first iteration, thousands).
/// Also the per-iteration set-up: the class references' rotated slices.
/// </summary>
[MemoryDiagnoser]
public class ClassificationBenchmarks
{
    private const int Box = 64;
    private ReferenceSlices slices = null!;
    private PosteriorSearch search = null!;
    private PosteriorWorkspace workspace = null!;
    private ParticleSpectrum particle = null!;
    private PaddedImageSpectrum[] references = [];
    private InPlaneSampling psi = null!;
    private FourierPixelSet pixels = null!;

    /// <summary>Radius of the frequencies used, in Fourier pixels (16: a first iteration; 32: Nyquist).</summary>
    [Params(16, 32)]
    public int Radius { get; set; }

    /// <summary>Noise of the particle relative to its signal per frequency (0.3: sharp posterior; 30: flat).</summary>
    [Params(0.3, 30.0)]
    public double Noise { get; set; }

    /// <summary>Ten class references, their slices, and one particle: class 3 at ψ = 47° shifted by (1.5, −2), with a CTF and noise.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var map = new GaussianBlobPhantom { Seeds = new SeedSequence(1) }.Create(Box, 3.0);
        var projector = new Projection.FourierProjector(map);
        var orientations = Geometry.Rotations.RandomUniform(10, new SeedSequence(2)).Select(q => q.ToMatrix()).ToArray();
        references = [.. orientations.Select(o =>
        {
            var image = new float[Box * Box];
            projector.Project(o, image);
            return new PaddedImageSpectrum(image, Box);
        })];
        pixels = new FourierPixelSet(Box, Radius);
        psi = new InPlaneSampling(10, 1);
        var translations = new TranslationSampling(5, 2, 1);
        slices = Slices(ComputeContext.SingleThreaded);
        search = new PosteriorSearch(slices, translations, sigmaOffsetPx: 2, SearchAlgorithm.MaximumLikelihood);
        workspace = search.CreateWorkspace();
        particle = new ParticleSpectrum(pixels.Count);
        var truth = new float[2 * pixels.Count];
        references[3].SampleRotated(47 * Math.PI / 180, pixels, truth);
        new CtfModel { DefocusUA = 15000, DefocusVA = 14800 }.Fill(particle.Ctf, pixels.Kx, pixels.Ky, 1 / (Box * 3.0));
        double power = 0;
        for (int f = 0; f < pixels.Count; f++)
        {
            truth[2 * f] *= particle.Ctf[f];
            truth[(2 * f) + 1] *= particle.Ctf[f];
            power += (truth[2 * f] * truth[2 * f]) + (truth[(2 * f) + 1] * truth[(2 * f) + 1]);
        }

        double sigma = Noise * Math.Sqrt(power / (2 * pixels.Count));
        PosteriorSearch.ShiftSpectrum(truth, pixels, 1.5, -2, particle.Spectrum);
        var random = new RandomStream(3);
        for (int i = 0; i < particle.Spectrum.Length; i++)
        {
            particle.Spectrum[i] += (float)(sigma * random.NextGaussian());
        }

        Array.Fill(particle.NoiseWeight, (float)(1 / (2 * sigma * sigma)));
    }

    /// <summary>The E-step of one particle: coarse pass, fine pass, posterior.</summary>
    [Benchmark]
    public int Search()
    {
        search.Search(particle, workspace);
        return workspace.Posterior.SignificantCoarse;
    }

    /// <summary>One iteration's reference slices: 10 classes × 36 coarse and 72 fine angles.</summary>
    [Benchmark]
    public ReferenceSlices BuildSlices() => Slices(ComputeContext.SingleThreaded);

    private ReferenceSlices Slices(ComputeContext context)
    {
        int jc = psi.CoarseCount, k = references.Length;
        return new ReferenceSlices(pixels, k * jc, psi.ChildrenPerCoarse, Enumerable.Range(0, k * jc).Select(s => s / jc).ToArray(),
            new double[k * jc], (index, fine, packed) => references[fine ? index / psi.FineCount : index / jc].SampleRotated(
                (fine ? psi.FineDeg(index % psi.FineCount) : psi.CoarseDeg(index % jc)) * Math.PI / 180, pixels, packed), context);
    }
}
