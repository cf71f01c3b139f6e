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
