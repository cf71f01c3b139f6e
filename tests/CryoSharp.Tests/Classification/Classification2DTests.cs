using CryoSharp.Classification;
using CryoSharp.Numerics;
using Xunit.Abstractions;

namespace CryoSharp.Tests.Classification;

public class Classification2DTests(ITestOutputHelper output)
{
    private static Class2DOptions Fast(int classes, int seed) => new()
    {
        Classes = classes,
        Iterations = 8,
        PsiStepDeg = 10,
        OffsetRangePx = 3,
        OffsetStepPx = 1,
        Seeds = new SeedSequence(seed),
        ParticleDiameterA = 0.8 * Class2DTestData.Box * Class2DTestData.PixelSizeA,
    };


    private (Class2DState State, List<Class2DIterationStatistics> Stats) Classify(Classification2D classifier, CryoSharp.Particles.IParticleSource source, Class2DState? start = null)
    {
        var prepared = classifier.Preprocess(source);
        var state = start ?? classifier.Start(prepared);
        var stats = new List<Class2DIterationStatistics>();
        for (int it = 0; it < classifier.Options.Iterations; it++)
        {
            var (next, s) = classifier.Iterate(prepared, state);
            state = next;
            stats.Add(s);
            output.WriteLine($"it {s.Iteration}: LL {s.LogLikelihood:0.0} changed {s.ChangedFraction:0.000} sig {s.MeanSignificantSamples:0.0} r {s.RadiusPx} res {s.BestResolutionA:0.0} σoff {state.Model.SigmaOffsetA:0.00} priors {string.Join(",", state.Model.ClassPriors.Select(p => p.ToString("0.00")))} {s.Seconds:0.00} s");
        }

        return (state, stats);
    }

    /// <summary>For each class, the fraction of its members from its most common true class; and the members' circular agreement of ψ − ψ_true.</summary>
    private void Describe(Class2DAssignments a, int[] truth, double[] psi, out int impure, out double worstAngleAgreement)
    {
        impure = 0;
        worstAngleAgreement = 1;
        foreach (var members in Enumerable.Range(0, a.Count).GroupBy(i => a.Class[i]))
        {
            var major = members.GroupBy(i => truth[i]).OrderByDescending(g => g.Count()).First();
            impure += members.Count() - major.Count();
            var d = major.Select(i => (a.PsiDeg[i] - psi[i]) * Math.PI / 180).ToList();
            double cs = d.Average(Math.Cos), sn = d.Average(Math.Sin);
            double agreement = Math.Sqrt((cs * cs) + (sn * sn));
            worstAngleAgreement = Math.Min(worstAngleAgreement, agreement);
            output.WriteLine($"class {members.Key}: {members.Count()} members, true {string.Join(",", members.GroupBy(i => truth[i]).Select(g => $"{g.Key}:{g.Count()}"))}, ψ agreement {agreement:0.000}");
        }
    }

    [Fact]
    public void SortsDistinctPatternsAndFindsTheirAngles()
    {
        var (source, truth, psi, _) = Class2DTestData.Patterns(count: 150, classes: 3, snr: 0.5, seed: 4);
        var classifier = new Classification2D(Fast(classes: 3, seed: 1));
        var (state, stats) = Classify(classifier, source);
        Describe(state.Assignments, truth, psi, out int impure, out double agreement);
        Assert.Equal(0, impure);

        // The triangle is nearly three-fold symmetric: a few of its particles may sit 120° off.
        Assert.True(agreement > 0.95, $"ψ agreement {agreement:0.000}");
        Assert.True(stats[^1].LogLikelihood > stats[1].LogLikelihood);
    }

    [Theory]
    [InlineData(SearchAlgorithm.MaximumLikelihood)]
    [InlineData(SearchAlgorithm.CrossCorrelation)]
    public void BranchAndBoundClassifiesExactlyAsTheExhaustiveSearch(SearchAlgorithm algorithm)
    {
        var (source, _, _, _) = Class2DTestData.Patterns(count: 90, classes: 3, snr: 0.3, seed: 5);
        Class2DState Run(PoseSearchStrategy strategy)
        {
            var classifier = new Classification2D(Fast(classes: 3, seed: 2) with { Iterations = 4, Algorithm = algorithm, Search = strategy });
            return Classify(classifier, source).State;
        }

        var exhaustive = Run(PoseSearchStrategy.Exhaustive);
        var bounded = Run(PoseSearchStrategy.BranchAndBound);
        for (int c = 0; c < 3; c++)
        {
            Assert.Equal(exhaustive.Model.Classes[c], bounded.Model.Classes[c]);
        }

        Assert.Equal(exhaustive.Assignments.Class, bounded.Assignments.Class);
        Assert.Equal(exhaustive.Assignments.PsiDeg, bounded.Assignments.PsiDeg);
        Assert.Equal(exhaustive.Assignments.LogLikelihood, bounded.Assignments.LogLikelihood);
    }

    [Fact]
    public void TheTruthIsAFixedPoint()
    {
        var (source, truth, psi, offsets) = Class2DTestData.Patterns(count: 120, classes: 3, snr: 0.5, seed: 7);
        var options = Fast(classes: 3, seed: 1) with { Iterations = 4, CenterClasses = false };
        var classifier = new Classification2D(options);
        var start = new Class2DAssignments(source.Count);
        for (int i = 0; i < source.Count; i++)
        {
            start.Class[i] = truth[i] + 1;
            start.PsiDeg[i] = psi[i];
            (start.OffsetXPx[i], start.OffsetYPx[i]) = offsets[i];
        }

        var (state, _) = Classify(classifier, source, classifier.StartFrom(classifier.Preprocess(source), start));
        var a = state.Assignments;
        Assert.All(Enumerable.Range(0, a.Count), i => Assert.Equal(truth[i] + 1, a.Class[i]));
        double dpsi = Enumerable.Range(0, a.Count).Select(i => Math.Abs(Math.IEEERemainder(a.PsiDeg[i] - psi[i], 360))).Average();
        double du = Enumerable.Range(0, a.Count).Select(i => Math.Sqrt(Math.Pow(a.OffsetXPx[i] - offsets[i].X, 2) + Math.Pow(a.OffsetYPx[i] - offsets[i].Y, 2))).Average();
        output.WriteLine($"|Δψ| {dpsi:0.00}°, |Δu| {du:0.00} px");

        Assert.True(dpsi < 3, $"mean |Δψ| {dpsi:0.00}°");
        Assert.True(du < 0.5, $"mean |Δu| {du:0.00} px");
    }
}

public class ScaleCorrectionTests(ITestOutputHelper output)
{
    [Fact]
    public void FindsTheContrastOfEachMicrograph()
    {
        // Two micrographs: on the second the particles have half the contrast, under the same noise (background
        // normalisation would undo a scale of the whole image, so only the signal is scaled, as thicker ice does).
        var (clean, truth, psi, _) = Class2DTestData.Patterns(count: 160, classes: 2, snr: 1e12, seed: 9);
        int n = clean.Count, length = Class2DTestData.Box * Class2DTestData.Box;
        var images = new float[n * length];
        clean.ReadImages(0, n, images);
        var noise = new RandomStream(new SeedSequence(9).Spawn("noise").Seed64);
        var records = new CryoSharp.Particles.ParticleRecord[n];
        double signal = 0;
        foreach (float v in images)
        {
            signal += v * v;
        }

        float sigma = (float)Math.Sqrt(signal / images.Length / 0.3);
        for (int i = 0; i < n; i++)
        {
            bool dim = i % 4 >= 2;
            var image = images.AsSpan(i * length, length);
            if (dim)
            {
                System.Numerics.Tensors.TensorPrimitives.Multiply(image, 0.5f, image);
            }

            noise.AddGaussianNoise(image, sigma);
            records[i] = clean.Records[i] with { Micrograph = dim ? "thick.mrc" : "thin.mrc" };
        }

        var source = new CryoSharp.Particles.InMemoryParticleSource(images, Class2DTestData.Box, Class2DTestData.PixelSizeA, records);
        var options = new Class2DOptions
        {
            Classes = 2,
            Iterations = 8,
            PsiStepDeg = 10,
            OffsetRangePx = 3,
            OffsetStepPx = 1,
            Seeds = new SeedSequence(1),
            ParticleDiameterA = 0.8 * Class2DTestData.Box * Class2DTestData.PixelSizeA,
            ScaleCorrection = true,
        };
        var classifier = new Classification2D(options);
        var prepared = classifier.Preprocess(source);
        var state = classifier.Start(prepared);
        Assert.Equal([1.0, 1.0], state.Model.GroupScales!);
        for (int it = 0; it < options.Iterations; it++)
        {
            state = classifier.Iterate(prepared, state).State;
            output.WriteLine($"it {it + 1}: scales {string.Join(", ", state.Model.GroupScales!.Select(s => s.ToString("0.000")))}");
        }

        var scales = state.Model.GroupScales!;
        Assert.Equal(2, scales.Count);
        Assert.Equal(1.0, (scales[0] + scales[1]) / 2, 6); // equal groups: the mean over particles is the plain mean
        Assert.InRange(scales[0] / scales[1], 1.7, 2.3);
        // The dim micrograph's particles are at a quarter of the signal power, so a few of them may be misplaced.
        int wrong = Enumerable.Range(0, n).Count(i => state.Assignments.Class[i] != state.Assignments.Class[truth.ToList().IndexOf(truth[i])]);
        Assert.InRange(wrong, 0, 4);

        // model.star keeps the scales (RELION's model_groups), so --continue goes on from them.
        using var temp = new CryoSharp.Tests.Support.TempDirectory();
        Class2DFiles.WriteClasses(temp.File("classes.mrcs"), state.Model);
        Class2DFiles.WriteModel(temp.File("model.star"), state.Model, options, "classes.mrcs");
        Assert.Equal(scales, Class2DFiles.ReadModel(temp.File("model.star"), temp.File("classes.mrcs")).GroupScales!);
        Assert.Null(new Classification2D(options with { ScaleCorrection = false }).Start(prepared).Model.GroupScales);
    }
}
