using CryoSharp.Classification;
using CryoSharp.Imaging;
using CryoSharp.Numerics;

namespace CryoSharp.Tests.Classification;

/// <summary>Branch and bound against the exhaustive search: the same posterior to the bit, with fewer hypotheses scored in full.</summary>
public class BranchAndBoundTests
{
    private const int Box = 32;

    private static (ReferenceSlices Slices, InPlaneSampling Psi, PaddedImageSpectrum[] References, FourierPixelSet Pixels) Setup()
    {
        var references = Enumerable.Range(1, 3).Select(seed => new PaddedImageSpectrum(Rms(Blob(seed), 0.1), Box)).ToArray();
        var pixels = new FourierPixelSet(Box, 14);
        var psi = new InPlaneSampling(15, 1);
        int jc = psi.CoarseCount, k = references.Length;
        var slices = new ReferenceSlices(pixels, k * jc, psi.ChildrenPerCoarse, Enumerable.Range(0, k * jc).Select(s => s / jc).ToArray(),
            Enumerable.Range(0, k * jc).Select(s => Math.Log(1.0 / k)).ToArray(),
            (index, fine, packed) => references[fine ? index / psi.FineCount : index / jc].SampleRotated(
                (fine ? psi.FineDeg(index % psi.FineCount) : psi.CoarseDeg(index % jc)) * Math.PI / 180, pixels, packed), ComputeContext.SingleThreaded);
        return (slices, psi, references, pixels);
    }

    /// <summary>Class <paramref name="c"/> at <paramref name="angleDeg"/>, shifted, through a CTF, with white noise of σ <paramref name="noise"/> per component.</summary>
    private static ParticleSpectrum Particle(PaddedImageSpectrum[] references, FourierPixelSet pixels, int c, double angleDeg, double noise, int seed)
    {
        var random = new RandomStream((ulong)seed);
        var particle = new ParticleSpectrum(pixels.Count);
        var clean = new float[2 * pixels.Count];
        references[c].SampleRotated(angleDeg * Math.PI / 180, pixels, clean);
        var ctf = new CtfModel { DefocusUA = 14000 + (1000 * random.NextDouble()), DefocusVA = 13000, DefocusAngleDeg = 30 };
        ctf.Fill(particle.Ctf, pixels.Kx, pixels.Ky, 1 / (Box * 3.0));
        for (int f = 0; f < pixels.Count; f++)
        {
            clean[2 * f] *= particle.Ctf[f];
            clean[(2 * f) + 1] *= particle.Ctf[f];
            particle.NoiseWeight[f] = (float)(1 / (2 * noise * noise * (1 + (0.05 * pixels.Shells[f]))));
        }

        PosteriorSearch.ShiftSpectrum(clean, pixels, (random.NextDouble() * 3) - 1.5, (random.NextDouble() * 3) - 1.5, particle.Spectrum);
        for (int i = 0; i < particle.Spectrum.Length; i++)
        {
            particle.Spectrum[i] += (float)(noise * random.NextGaussian());
        }

        particle.PreviousShiftPx = (0.25, -0.5);
        return particle;
    }

    [Theory]
    [InlineData(SearchAlgorithm.MaximumLikelihood)]
    [InlineData(SearchAlgorithm.CrossCorrelation)]
    public void GivesTheExhaustivePosteriorToTheBitWhileScoringFewerHypotheses(SearchAlgorithm algorithm)
    {
        var (slices, _, references, pixels) = Setup();
        var translations = new TranslationSampling(2, 1, 1);
        var exhaustive = new PosteriorSearch(slices, translations, 2, algorithm, maxSignificant: 50);
        var bounded = new PosteriorSearch(slices, translations, 2, algorithm, maxSignificant: 50, strategy: PoseSearchStrategy.BranchAndBound);
        var a = exhaustive.CreateWorkspace();
        var b = bounded.CreateWorkspace();
        long hypotheses = 0, evaluatedAtHighSnr = 0, hypothesesAtHighSnr = 0;
        int seed = 0;

        // From nearly clean to nearly pure noise, where almost every hypothesis is within reach of the best.
        foreach (double noise in new[] { 0.3, 1, 3, 10, 40 })
        {
            for (int i = 0; i < 6; i++)
            {
                var particle = Particle(references, pixels, i % 3, 37.0 * i, noise, ++seed);
                exhaustive.Search(particle, a);
                bounded.Search(particle, b);
                AssertSamePosterior(a.Posterior, b.Posterior, $"noise {noise}, particle {i}");
                Assert.Equal(a.Posterior.CoarseHypotheses, b.Posterior.CoarseHypotheses);
                Assert.Equal(a.Posterior.CoarseHypotheses, a.Posterior.CoarseEvaluated);
                Assert.InRange(b.Posterior.CoarseEvaluated, 1, b.Posterior.CoarseHypotheses);
                hypotheses += b.Posterior.CoarseHypotheses;
                if (noise <= 1)
                {
                    evaluatedAtHighSnr += b.Posterior.CoarseEvaluated;
                    hypothesesAtHighSnr += b.Posterior.CoarseHypotheses;
                }
            }
        }

        // Where the posterior is sharp, most hypotheses are pruned on their low frequencies.
        Assert.True(evaluatedAtHighSnr < 0.3 * hypothesesAtHighSnr, $"{evaluatedAtHighSnr} of {hypothesesAtHighSnr} scored in full");
    }

    [Fact]
    public void LocalCandidatesWithTheirPriorsGiveTheExhaustivePosterior()
    {
        var (slices, _, references, pixels) = Setup();
        var translations = new TranslationSampling(2, 1, 1);
        var exhaustive = new PosteriorSearch(slices, translations, 2, SearchAlgorithm.MaximumLikelihood);
        var bounded = new PosteriorSearch(slices, translations, 2, SearchAlgorithm.MaximumLikelihood, strategy: PoseSearchStrategy.BranchAndBound, boundRadiusFraction: 0.3);
        var a = exhaustive.CreateWorkspace();
        var b = bounded.CreateWorkspace();
        for (int i = 0; i < 8; i++)
        {
            var particle = Particle(references, pixels, 1, 20 + (5.0 * i), 1 + i, 100 + i);
            particle.Candidates = [.. Enumerable.Range(24, 10)];
            particle.CandidateCount = 8;
            particle.CandidateLogPrior = [.. Enumerable.Range(0, 10).Select(c => -0.3 * c)];
            exhaustive.Search(particle, a);
            bounded.Search(particle, b);
            AssertSamePosterior(a.Posterior, b.Posterior, $"particle {i}");
            Assert.Equal(8 * translations.Coarse.Length, b.Posterior.CoarseHypotheses);
        }
    }

    [Fact]
    public void RefusesABoundRadiusOutsideTheRadius()
    {
        var (slices, _, _, _) = Setup();
        var translations = new TranslationSampling(2, 1, 1);
        Assert.Throws<InvalidParameterException>(() => new PosteriorSearch(slices, translations, 2, SearchAlgorithm.MaximumLikelihood, boundRadiusFraction: 1));
        Assert.Throws<InvalidParameterException>(() => new PosteriorSearch(slices, translations, 2, SearchAlgorithm.MaximumLikelihood, boundRadiusFraction: 0));
    }

    private static void AssertSamePosterior(ParticlePosterior expected, ParticlePosterior actual, string what)
    {
        Assert.True(expected.BestSlice == actual.BestSlice, what);
        Assert.True(expected.BestShift == actual.BestShift, what);
        Assert.True(expected.SignificantCoarse == actual.SignificantCoarse, $"{what}: {expected.SignificantCoarse} vs {actual.SignificantCoarse} significant");
        Assert.True(expected.Count == actual.Count, what);
        Assert.True(expected.Slices.SequenceEqual(actual.Slices), what);
        Assert.True(expected.Shifts.SequenceEqual(actual.Shifts), what);
        Assert.True(expected.Weights.SequenceEqual(actual.Weights), what);
        Assert.True(expected.LogEvidence.Equals(actual.LogEvidence), what);
        Assert.True(expected.MaxProbability.Equals(actual.MaxProbability), what);
        Assert.True(expected.BestCross.Equals(actual.BestCross), what);
    }

    private static float[] Blob(int seed)
    {
        var map = new GaussianBlobPhantom { Seeds = new SeedSequence(seed) }.Create(Box, 3.0);
        var image = new float[Box * Box];
        for (int z = 0; z < Box; z++)
        {
            for (int i = 0; i < Box * Box; i++)
            {
                image[i] += map.Data[(z * Box * Box) + i];
            }
        }

        return image;
    }

    private static float[] Rms(float[] image, double rms)
    {
        double sum = 0;
        foreach (float v in image)
        {
            sum += v * v;
        }

        double scale = rms / Math.Sqrt(sum / image.Length);
        return [.. image.Select(v => (float)(v * scale))];
    }
}
